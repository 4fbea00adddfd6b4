import { byProcessOrder } from './frame';
import { latencyHistogram } from './latency-histogram';
import { lineChart, LineSeries, XBand } from './line-chart';
import type { Throughput } from '../samples';
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

/** The phases whose completions the throughput chart shows. */
const CLOSED_LOOPS = ['e2e', 'ceiling'];

/** Seconds per step of the throughput chart: 1 s counts of a few per second are mostly noise. */
export function throughputBucketSeconds(loopSeconds: number): number {
  return loopSeconds >= 20 ? 5 : 1;
}

/**
 * Completions per second as steps on the timeline's clock (seconds since `originMs`), each step the
 * mean over `bucketSeconds` (the last step over the seconds it has).
 */
export function throughputPoints({ startedAtMs, perSecond }: Throughput, originMs: number, bucketSeconds = 1): [number, number][] {
  if (perSecond.length === 0) return [];
  const offset = (startedAtMs - originMs) / 1000;
  const points: [number, number][] = [];
  for (let i = 0; i < perSecond.length; i += bucketSeconds) {
    const bucket = perSecond.slice(i, i + bucketSeconds);
    points.push([offset + i, Math.round((bucket.reduce((a, b) => a + b, 0) / bucket.length) * 100) / 100]);
  }
  points.push([offset + perSecond.length, points.at(-1)![1]]);
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
    const run = `concurrency ${e2e.concurrency}`;
    charts.push({
      id: 'start-payment-latency',
      title: `Start payment (POST /v1/payments), ${run}`,
      caption: 'Client side: request sent → answer read.',
      svg: latencyHistogram({ title: `Start payment (POST /v1/payments), ${run}`, samples: e2e.samples.startPaymentMs }),
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
      svg: latencyHistogram({ title: `Webhook ack during e2e (paid → acked), ${run}`, samples: e2e.samples.webhookAckMs, color: '#b279a2' }),
    });
  }
  if (data.webhook) {
    const w = data.webhook;
    charts.push({
      id: 'webhook-ack-rate',
      title: `Webhook acknowledgement at ${w.rate} notifications/s`,
      caption: `Sender side, open loop at a fixed rate (achieved ${w.achievedRate}/s): request sent → answer read or 5 s timeout; ${w.errors.count} of ${w.sent} were not acknowledged (their times are included, as in webhook.ackMs).`,
      svg: latencyHistogram({ title: `Webhook ack at ${w.rate} notifications/s (sender side)`, samples: w.samples.ackMs, color: '#b279a2' }),
    });
  }
  const origin = timeline?.startedAtMs ?? e2e?.throughput.startedAtMs ?? data.ceiling?.throughput.startedAtMs ?? 0;
  const loops = [e2e?.throughput, data.ceiling?.throughput].filter((t) => t !== undefined);
  const bucket = throughputBucketSeconds(Math.max(0, ...loops.map((t) => t.perSecond.length)));
  const throughputSeries: LineSeries[] = [];
  if (e2e) throughputSeries.push({ name: `payments (run mean ${e2e.paymentsPerSecond}/s)`, points: throughputPoints(e2e.throughput, origin, bucket), color: '#d62728' });
  if (data.ceiling) {
    const c = data.ceiling;
    throughputSeries.push({ name: `ceiling workflows (run mean ${c.workflowsPerSecond}/s)`, points: throughputPoints(c.throughput, origin, bucket), color: '#1f77b4' });
  }
  if (throughputSeries.length) {
    charts.push({
      id: 'throughput',
      title: 'Completed per second',
      caption: `Payments whose GET first showed PAID, and trivial ceiling workflows completed, per second of their closed loops (mean over ${bucket} s steps).`,
      svg: lineChart({ title: `Completed per second (${bucket} s steps): payments and ceiling workflows`, xLabel: clock, yLabel: 'completed / s', series: throughputSeries, bands: bands.filter((b) => CLOSED_LOOPS.includes(b.label)), step: true, xMin: 0 }),
    });
  }
  if (timeline) {
    const processes = Object.entries(timeline.processes).sort(([a], [b]) => byProcessOrder(a, b));
    const machine = timeline.machine;
    charts.push({
      id: 'cpu',
      title: 'CPU per process',
      caption: `utime + stime from /proc/<pid>/stat every ${timeline.intervalMs} ms, in % of one core, stacked; "machine" (dashed) is every process on the ${machine.cores}-core machine (/proc/stat): the gap above the stack is other work.`,
      svg: lineChart({
        title: `CPU per process, stacked (% of one core; ${machine.cores} cores = ${machine.cores * 100} %)`,
        xLabel: clock,
        yLabel: 'CPU %',
        series: [
          ...processes.map(([name, s]) => ({ name, points: zip(s.tSeconds, s.cpuPercent) })),
          { name: 'machine', points: zip(machine.tSeconds, machine.busyPercent), dashed: true, overlay: true },
        ],
        bands,
        xMin: 0,
        stacked: true,
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
        xMin: 0,
      }),
    });
  }
  return charts;
}
