import { benchCharts, throughputBucketSeconds, throughputPoints } from '../../scripts/bench/charts/bench-charts';
import { colorFor, legendLayout } from '../../scripts/bench/charts/frame';
import { headlineFigures, htmlReport, loadWarning } from '../../scripts/bench/charts/html-report';
import { latencyHistogram, logBins } from '../../scripts/bench/charts/latency-histogram';
import { lineChart, linePath } from '../../scripts/bench/charts/line-chart';
import { ReportData, ReportDataSchema } from '../../scripts/bench/charts/report-data';
import { extent, formatMs, formatNumber, linearScale, logScale, logTicks, niceTicks } from '../../scripts/bench/charts/scale';

/** Every attribute value of `name` in an SVG string. */
const attrs = (svg: string, name: string) => [...svg.matchAll(new RegExp(` ${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

describe('axis ticks', () => {
  it('steps by 1, 2 or 5 × 10^k and covers the data', () => {
    expect(niceTicks(0, 7, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(3, 1260, 5)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(0.1, 0.7, 3)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-30, 30, 4)).toEqual([-40, -20, 0, 20, 40]);
  });

  it('still gives an axis for a constant or empty range', () => {
    expect(niceTicks(0, 0)).toEqual([0, 1]);
    const around5 = niceTicks(5, 5);
    expect(around5[0]).toBeLessThan(5);
    expect(around5.at(-1)).toBeGreaterThan(5);
    expect(niceTicks(NaN, 3)).toEqual([0, 1]);
  });

  it('log ticks run 1, 2, 5 per decade from the tick at or below the minimum to the one at or above the maximum', () => {
    expect(logTicks(12, 3400)).toEqual([10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
    expect(logTicks(25, 1280)).toEqual([20, 50, 100, 200, 500, 1000, 2000]);
    expect(logTicks(0.3, 0.9)).toEqual([0.2, 0.5, 1]);
    expect(logTicks(100, 100)).toEqual([100, 200]);
    expect(logTicks(200, 500)).toEqual([200, 500]);
  });

  it('labels: 3 significant digits, k for thousands, ms or s for durations', () => {
    expect(formatNumber(0.30000000000000004)).toBe('0.3');
    expect(formatNumber(1234.5)).toBe('1230');
    expect(formatNumber(25_000)).toBe('25k');
    expect(formatMs(250)).toBe('250 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatMs(0.5)).toBe('0.5 ms');
  });
});

describe('scales', () => {
  it('linear maps the domain onto the range, inverted for y', () => {
    const y = linearScale([0, 100], [300, 50]);
    expect(y(0)).toBe(300);
    expect(y(100)).toBe(50);
    expect(y(50)).toBe(175);
  });

  it('log puts each power of ten an equal distance apart and clamps values at or below the domain start', () => {
    const x = logScale([1, 1000], [0, 300]);
    expect(x(10)).toBeCloseTo(100);
    expect(x(100)).toBeCloseTo(200);
    expect(x(0)).toBe(0);
  });

  it('extent works on samples longer than the argument limit', () => {
    const long = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    expect(extent(long)).toEqual([0, 999]);
  });
});

describe('line chart', () => {
  it('draws the known points where the axes put them', () => {
    const x = linearScale([0, 10], [0, 100]);
    const y = linearScale([0, 10], [100, 0]);
    expect(linePath([[0, 0], [5, 10], [10, 5]], x, y)).toBe('M0 100L50 0L100 50');
    expect(linePath([[0, 2], [1, 4], [2, 4]], x, y, true)).toBe('M0 80H10V60H20V60');
  });

  it('has one path per series, a legend entry each, phase bands and tick labels', () => {
    const svg = lineChart({
      title: 'CPU',
      xLabel: 'seconds',
      yLabel: 'CPU %',
      series: [
        { name: 'worker', points: [[0, 10], [1, 50], [2, 90]] },
        { name: 'api', points: [[0, 5], [2, 15]] },
      ],
      bands: [{ from: 0, to: 1, label: 'e2e' }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const paths = attrs(svg, 'd');
    expect(paths).toHaveLength(2);
    // x from 0 to 2 spans the plot (64 → 700), y from 0 to 100 (bottom 274 → top 58): y(10) = 274 − 0.1 × 216.
    expect(paths[0]).toBe('M64 252.4L382 166L700 79.6');
    expect(svg).toContain('>worker</text>');
    expect(svg).toContain('>api</text>');
    expect(svg).toContain('>e2e</text>');
    expect(svg).toContain('>100</text>');
    expect(attrs(svg, 'stroke')).toEqual(expect.arrayContaining([colorFor('worker', 0), colorFor('api', 1)]));
  });

  it('escapes titles, labels and series names', () => {
    const svg = lineChart({ title: 'a < b & "c"', xLabel: "x's", yLabel: 'y', series: [{ name: '<script>', points: [[0, 1], [1, 2]] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('a < b');
    expect(svg).toContain('&#60;script&#62;');
    expect(svg).toContain('a &#60; b &#38; &#34;c&#34;');
  });

  it('says there is no data instead of drawing an empty frame', () => {
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [] }] })).toContain('no data recorded');
  });

  it('wraps a long legend into more rows and lowers the plot under it', () => {
    const names = ['temporal-dev-server', 'worker', 'api', 'sandbox', 'ceiling-worker', 'bench', 'machine'].map((name) => ({ name, color: '#000' }));
    const { rows, at } = legendLayout(names, { width: 720, height: 320 });
    expect(rows).toBe(2);
    expect(at.every((p) => p.x < 700)).toBe(true);
  });
});

describe('latency histogram', () => {
  it('counts every sample in log-spaced bins', () => {
    const bins = logBins([1, 1.1, 9, 10, 95], 1);
    expect(bins.map((b) => [b.from, b.to, b.count])).toEqual([
      [1, 10, 3],
      [10, 100, 2],
    ]);
    // 0 ms (whole-ms clocks) lands in the lowest bin, 0.1–1 ms.
    expect(logBins([0, 5], 1).map((b) => [b.from, b.to, b.count])).toEqual([
      [0.1, 1, 1],
      [1, 10, 1],
    ]);
    expect(logBins([], 10)).toEqual([]);
  });

  it('marks p50, p95 and p99 at the bench’s own percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // p50 50, p95 95, p99 99
    const svg = latencyHistogram({ title: 'start', samples });
    expect(svg).toContain('>p50 50 ms</text>');
    expect(svg).toContain('>p95 95 ms</text>');
    expect(svg).toContain('>p99 99 ms</text>');
    expect(svg).toContain('latency (log scale) · n = 100, max 100 ms');
    // The marks are ordered left to right, on the log axis: x(95) − x(50) ≈ log10(95/50) of a decade.
    const marks = [...svg.matchAll(/class="bc-mark" x1="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(marks).toHaveLength(3);
    expect(marks[0]!).toBeLessThan(marks[1]!);
    expect(marks[1]!).toBeLessThan(marks[2]!);
    const counted = [...svg.matchAll(/<title>[^<]*: (\d+)<\/title><\/rect>/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(counted).toBe(100);
  });

  it('says there are no samples', () => {
    expect(latencyHistogram({ title: 'x', samples: [] })).toContain('no samples');
  });
});

const data: ReportData = ReportDataSchema.parse({
  mode: 'all',
  startedAt: '2026-11-28T03:00:00.000Z',
  durationSeconds: 60,
  command: 'npm run bench -- --count 3 <x>',
  machine: { cpus: 2, cpuModel: 'EPYC', loadAverageBefore: [9.5, 8, 7], loadAverageAfter: [11, 9, 8] },
  e2e: {
    count: 3,
    concurrency: 1,
    completed: 3,
    paymentsPerSecond: 1.5,
    startPaymentMs: { n: 3, p50: 100, p95: 300, p99: 300, max: 300 },
    cpuMsPerPayment: { worker: 50, total: 120 },
    throughput: { startedAtMs: 1_000_000 + 2000, perSecond: [1, 2] },
    samples: { startPaymentMs: [100, 200, 300], paidEndToEndMs: [400, 500, 600], webhookAckMs: [20, 30, 40] },
  },
  ceiling: { workflowsPerSecond: 3, cpuMsPerWorkflow: { total: 60 }, throughput: { startedAtMs: 1_000_000 + 5000, perSecond: [3] } },
  ratio: 0.5,
  webhook: { rate: 50, achievedRate: 49.5, sent: 4, errors: { count: 1 }, ackMs: { n: 4, p99: 5000 }, samples: { ackMs: [10, 20, 30, 5000] } },
  timeline: {
    startedAtMs: 1_000_000,
    intervalMs: 1000,
    processes: { worker: { pid: 7, tSeconds: [1, 2, 3], cpuPercent: [10, 80, 20], rssMiB: [300, 320, 310] } },
    machine: { cores: 2, tSeconds: [1, 2, 3], busyPercent: [150, 200, 190], loadAverage1m: [9, 10, 11] },
    phases: [{ name: 'e2e', fromSeconds: 1, toSeconds: 4 }],
  },
  targets: [{ target: 'ratio ≥ 0.5', value: 0.5, met: true }],
});

describe('bench charts and report', () => {
  it('throughput steps sit on the timeline’s clock, one step per second', () => {
    expect(throughputPoints({ startedAtMs: 3500, perSecond: [4, 0, 2] }, 1000)).toEqual([
      [2.5, 4],
      [3.5, 0],
      [4.5, 2],
      [5.5, 2],
    ]);
    expect(throughputPoints({ startedAtMs: 0, perSecond: [] }, 0)).toEqual([]);
  });

  it('throughput steps of several seconds show their mean, the last one over the seconds it has', () => {
    expect(throughputPoints({ startedAtMs: 0, perSecond: [1, 2, 3, 4, 9] }, 0, 2)).toEqual([
      [0, 1.5],
      [2, 3.5],
      [4, 9],
      [5, 9],
    ]);
    expect(throughputBucketSeconds(19)).toBe(1);
    expect(throughputBucketSeconds(240)).toBe(5);
  });

  it('draws latency, throughput, CPU and RSS charts from a summary', () => {
    const charts = benchCharts(data);
    expect(charts.map((c) => c.id)).toEqual(['start-payment-latency', 'paid-latency', 'webhook-ack-e2e', 'webhook-ack-rate', 'throughput', 'cpu', 'rss']);
    expect(charts.find((c) => c.id === 'webhook-ack-rate')!.caption).toContain('1 of 4 were not acknowledged');
    const cpu = charts.find((c) => c.id === 'cpu')!.svg;
    expect(cpu).toContain('>worker</text>');
    expect(cpu).toContain('>machine</text>');
    expect(attrs(cpu, 'd')).toHaveLength(2);
    expect(charts.find((c) => c.id === 'throughput')!.svg).toContain('payments (run mean 1.5/s)');
  });

  it('the HTML page is self-contained, escaped, and says the machine was loaded', () => {
    const page = htmlReport(data, benchCharts(data), 'table <row>');
    expect(page).not.toMatch(/<script|<link|@import|url\(|src=|href=/);
    expect(page).toContain('npm run bench -- --count 3 &#60;x&#62;');
    expect(page).toContain('table &#60;row&#62;');
    expect(page.match(/<svg /g)).toHaveLength(7);
    expect(page).toContain('The machine was loaded');
    expect(headlineFigures(data)).toEqual(
      expect.arrayContaining([
        { label: 'ratio', value: '0.5' },
        { label: 'CPU ms / payment', value: '120' },
        { label: 'start payment p99', value: '300 ms' },
        { label: 'webhook ack p99 at 50/s', value: '5000 ms' },
      ]),
    );
  });

  it('warns about load only above the core count', () => {
    expect(loadWarning({ cpus: 2, loadAverageBefore: [1.5], loadAverageAfter: [2] })).toBeUndefined();
    expect(loadWarning({ cpus: 2, loadAverageBefore: [1.5], loadAverageAfter: [2.5] })).toMatch(/2\.5 after/);
  });
});
