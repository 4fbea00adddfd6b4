import { html, SafeHtml } from '../../../src/web/html';
import type { Chart } from './bench-charts';
import type { ReportData } from './report-data';

/**
 * The bench's HTML report: one self-contained page (inline CSS and SVG, no scripts, fonts or other
 * files) with the run's conditions, headline figures, targets, the charts and the printed table.
 */
const CSS = `
body{margin:0;background:#f6f7f9;color:#222;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{max-width:1500px;margin:0 auto;padding:20px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#fff;border:1px solid #ddd;padding:10px;overflow-x:auto}
.meta{color:#555}.warn{background:#fff4e5;border:1px solid #f0b46c;padding:8px 12px;margin:12px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fff;border:1px solid #ddd;padding:8px 12px;min-width:150px}
.card b{display:block;font-size:20px}.card span{color:#555;font-size:12px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.met{color:#16794a;font-weight:600}.missed{color:#b42318;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
figure{margin:0;background:#fff;border:1px solid #ddd;padding:6px}figure svg{display:block;width:100%;height:auto}
figcaption{color:#555;font-size:12px;padding:4px 6px}
`;

export interface HeadlineFigure {
  label: string;
  value: string;
}

/** The handful of figures a reader looks for first, from whichever modes ran. */
export function headlineFigures(data: ReportData): HeadlineFigure[] {
  const figures: HeadlineFigure[] = [];
  const add = (label: string, value: number | string | undefined, unit = '') => {
    if (value !== undefined) figures.push({ label, value: `${value}${unit}` });
  };
  add('payments/s', data.e2e?.paymentsPerSecond);
  add('ceiling workflows/s', data.ceiling?.workflowsPerSecond);
  add('ratio', data.ratio);
  add('CPU ms / payment', data.e2e?.cpuMsPerPayment.total);
  add('CPU ms / ceiling workflow', data.ceiling?.cpuMsPerWorkflow.total);
  add('start payment p99', data.e2e?.startPaymentMs.p99, ' ms');
  if (data.webhook) add(`webhook ack p99 at ${data.webhook.rate}/s`, data.webhook.ackMs.p99, ' ms');
  return figures;
}

/** "loaded" when the 1-minute load average before or after the run was above the core count. */
export function loadWarning(machine: ReportData['machine']): string | undefined {
  const highest = Math.max(machine.loadAverageBefore[0] ?? 0, machine.loadAverageAfter[0] ?? 0);
  if (highest <= machine.cpus) return undefined;
  return `The machine was loaded: 1-minute load average ${machine.loadAverageBefore[0]} before and ${machine.loadAverageAfter[0]} after the run on ${machine.cpus} cores (other work shared the CPU). Wall-clock figures are not quiet-machine figures; CPU ms per unit are steadier.`;
}

export function htmlReport(data: ReportData, charts: readonly Chart[], table?: string): string {
  const m = data.machine;
  const warning = loadWarning(m);
  const body = html`
<h1>CodePay bench: ${data.mode}</h1>
<div class="meta">${data.startedAt}, ${data.durationSeconds} s · ${m.cpus} × ${m.cpuModel ?? 'CPU'}${m.memoryGiB ? `, ${m.memoryGiB} GiB` : ''}${m.node ? `, Node ${m.node}` : ''} · load average before ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')}</div>
<pre>${data.command}</pre>
${warning ? html`<div class="warn">${warning}</div>` : ''}
<div class="cards">${headlineFigures(data).map((f) => html`<div class="card"><b>${f.value}</b><span>${f.label}</span></div>`)}</div>
${data.targets.length ? html`<h2>Targets</h2><table><tr><th>target</th><th>value</th><th></th></tr>${data.targets.map((t) => html`<tr><td>${t.target}</td><td>${t.value ?? '–'}</td><td class="${t.met ? 'met' : 'missed'}">${t.met ? 'met' : 'not met'}</td></tr>`)}</table>` : ''}
<h2>Charts</h2>
<div class="charts">${charts.map((c) => html`<figure id="${c.id}">${new SafeHtml(c.svg)}<figcaption>${c.caption}</figcaption></figure>`)}</div>
${table ? html`<h2>All figures (as printed)</h2><pre>${table}</pre>` : ''}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CodePay bench ${data.mode} ${data.startedAt}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body><main>${body}</main></body>
</html>
`.text;
}
