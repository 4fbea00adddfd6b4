import { latencyHistogram } from './latency-histogram';
import { lineChart, LineSeries, XBand } from './line-chart';
import type { ReportData } from './report-data';

/**
 * The charts of one bench run, from its summary: latency distributions (start payment, end to end
 * paid, webhook acknowledgement), throughput, CPU and RSS over time per process. Each is a
 * standalone SVG string with a stable id (its file name with --svg-dir).
 */
export interface Chart {
  id: string;
  title: string;
  /** One line under the chart: where the figures come from. */
  caption: string;
  svg: string;
}

type Throughput = { startedAtMs: number; perSecond: number[] };

/** Completions per second as steps on the timeline's clock (seconds since `originMs`). */
export function throughputPoints({ startedAtMs, perSecond }: Throughput, originMs: number): [number, number][] {
  if (perSecond.length === 0) return [];
  const offset = (startedAtMs - originMs) / 1000;
  const points = perSecond.map((count, i): [number, number] => [offset + i, count]);
  points.push([offset + perSecond.length, perSecond.at(-1)!]);
  return points;
}

const zip = (xs: readonly number[], ys: readonly number[]): [number, number][] => xs.map((x, i) => [x, ys[i]!]);

export function benchCharts(data: ReportData): Chart[] {
  const charts: Chart[] = [];
  const e2e = data.e2e;
  const timeline = data.timeline;
  const bands: XBand[] = (timeline?.phases ?? []).map((p) => ({ from: p.fromSeconds, to: p.toSeconds, label: p.name }));
  const clock = 'seconds since the stack was up';
  if (e2e) {
    const run = `${e2e.count} payments at concurrency ${e2e.concurrency}`;
    charts.push({
      id: 'start-payment-latency',
      title: `Start payment (POST /v1/payments), ${run}`,
      caption: 'Client side: request sent → answer read.',
      svg: latencyHistogram({ title: `Start payment latency (POST /v1/payments), ${run}`, samples: e2e.samples.startPaymentMs }),
    });
    charts.push({
      id: 'paid-latency',
      title: `End to end: created → GET shows PAID, ${run}`,
      caption: 'Client side: POST sent → the first GET that answered PAID (includes the sandbox paying after autoPayAfterMs and GET polling every 20 ms).',
      svg: latencyHistogram({ title: `End to end: POST → GET shows PAID, ${run}`, samples: e2e.samples.paidEndToEndMs, color: '#54a24b' }),
    });
    charts.push({
      id: 'webhook-ack-e2e',
      title: 'Webhook acknowledgement during e2e',
      caption: "The sandbox's records: its first delivery attempt acknowledged at − the order paid at.",
      svg: latencyHistogram({ title: `Webhook ack during e2e (sandbox: paid → acknowledged), ${run}`, samples: e2e.samples.webhookAckMs, color: '#b279a2' }),
    });
  }
  if (data.webhook) {
    const w = data.webhook;
    charts.push({
      id: 'webhook-ack-rate',
      title: `Webhook acknowledgement at ${w.rate} notifications/s`,
      caption: `Sender side, open loop at a fixed rate (achieved ${w.achievedRate}/s): request sent → "success" read.`,
      svg: latencyHistogram({ title: `Webhook ack at ${w.rate} notifications/s (sender side)`, samples: w.samples.ackMs, color: '#b279a2' }),
    });
  }
  const origin = timeline?.startedAtMs ?? e2e?.throughput.startedAtMs ?? data.ceiling?.throughput.startedAtMs ?? 0;
  const throughputSeries: LineSeries[] = [];
  if (e2e) throughputSeries.push({ name: `payments (mean ${e2e.paymentsPerSecond}/s)`, points: throughputPoints(e2e.throughput, origin), color: '#d62728' });
  if (data.ceiling) throughputSeries.push({ name: `ceiling workflows (mean ${data.ceiling.workflowsPerSecond}/s)`, points: throughputPoints(data.ceiling.throughput, origin), color: '#1f77b4' });
  if (throughputSeries.length) {
    charts.push({
      id: 'throughput',
      title: 'Completed per second',
      caption: 'Payments whose GET first showed PAID, and trivial ceiling workflows completed, in each second of their closed loops.',
      svg: lineChart({ title: 'Completed per second: payments (e2e) and ceiling workflows', xLabel: clock, yLabel: 'completed / s', series: throughputSeries, bands, step: true }),
    });
  }
  if (timeline) {
    const processes = Object.entries(timeline.processes);
    const machine = timeline.machine;
    charts.push({
      id: 'cpu',
      title: 'CPU per process',
      caption: `utime + stime from /proc/<pid>/stat every ${timeline.intervalMs} ms, in % of one core; "machine" is every process on the ${machine.cores}-core machine (/proc/stat), other engineers' included.`,
      svg: lineChart({
        title: `CPU per process (% of one core; ${machine.cores} cores = ${machine.cores * 100} %)`,
        xLabel: clock,
        yLabel: 'CPU %',
        series: [
          ...processes.map(([name, s]) => ({ name, points: zip(s.tSeconds, s.cpuPercent) })),
          { name: 'machine', points: zip(machine.tSeconds, machine.busyPercent), dashed: true },
        ],
        bands,
      }),
    });
    charts.push({
      id: 'rss',
      title: 'Memory (RSS) per process',
      caption: `VmRSS from /proc/<pid>/status every ${timeline.intervalMs} ms.`,
      svg: lineChart({
        title: 'Memory per process (RSS, MiB)',
        xLabel: clock,
        yLabel: 'RSS MiB',
        series: processes.map(([name, s]) => ({ name, points: zip(s.tSeconds, s.rssMiB) })),
        bands,
      }),
    });
  }
  return charts;
}
