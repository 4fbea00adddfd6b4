import { createTimelineRecorder, machineTicks, Reading } from '../../scripts/bench/process-timeline';
import { keepSamples, summaryJson, throughput } from '../../scripts/bench/samples';

const reading = (atMs: number, worker: { pid?: number; cpu: number; rss: number }, machine?: { busy: number; total: number }, load = 3): Reading => ({
  atMs,
  processes: new Map([['worker', { pid: worker.pid ?? 10, cpuSeconds: worker.cpu, rssMiB: worker.rss }]]),
  machineTicks: machine,
  loadAverage1m: load,
});

describe('process timeline', () => {
  it('turns CPU seconds between readings into % of one core, from the second reading on', () => {
    const recorder = createTimelineRecorder(1_000, 1000, 2);
    recorder.add(reading(1_000, { cpu: 5, rss: 100 }, { busy: 0, total: 0 }));
    recorder.add(reading(2_000, { cpu: 5.25, rss: 120 }, { busy: 150, total: 200 }));
    recorder.add(reading(2_500, { cpu: 5.75, rss: 130.04 }, { busy: 250, total: 300 }, 4.567));
    const t = recorder.timeline();
    expect(t.processes.worker).toEqual({ pid: 10, tSeconds: [1, 1.5], cpuPercent: [25, 100], rssMiB: [120, 130] });
    // 150 of 200 jiffies busy on 2 cores = 150 % of one core; then 100 of 100 = 200 %.
    expect(t.machine).toEqual({ cores: 2, tSeconds: [1, 1.5], busyPercent: [150, 200], loadAverage1m: [3, 4.57] });
  });

  it('starts a process over when its pid changes, and skips readings without figures', () => {
    const recorder = createTimelineRecorder(0, 1000, 2);
    recorder.add(reading(0, { cpu: 1, rss: 100 }));
    recorder.add(reading(1000, { cpu: 1.5, rss: 100 }));
    recorder.add(reading(2000, { pid: 11, cpu: 0.1, rss: 80 }));
    recorder.add(reading(3000, { pid: 11, cpu: 0.3, rss: 90 }));
    recorder.add({ atMs: 4000, processes: new Map([['worker', { pid: 11 }]]), loadAverage1m: 1 });
    expect(recorder.timeline().processes.worker).toEqual({ pid: 11, tSeconds: [3], cpuPercent: [20], rssMiB: [90] });
  });

  it('marks phases on its clock; phases over before the first reading are left out', () => {
    const recorder = createTimelineRecorder(10_000, 1000, 2);
    recorder.phase('stackStart', 2_000, 9_000);
    recorder.phase('e2e', 9_500, 15_000);
    recorder.phase('ceiling', 15_000, 20_500);
    expect(recorder.timeline().phases).toEqual([
      { name: 'e2e', fromSeconds: 0, toSeconds: 5 },
      { name: 'ceiling', fromSeconds: 5, toSeconds: 10.5 },
    ]);
  });

  it('reads busy and total jiffies from /proc/stat (idle and iowait are not busy)', () => {
    const stat = 'cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n';
    expect(machineTicks(stat)).toEqual({ busy: 160, total: 1180 });
    expect(machineTicks('intr 1 2 3')).toBeUndefined();
  });
});

describe('run samples', () => {
  it('counts completions per whole second from the loop start, empty seconds included', () => {
    expect(throughput([1_100, 1_900, 3_050, 1_000], 1_000)).toEqual({ startedAtMs: 1_000, perSecond: [3, 0, 1] });
    expect(throughput([], 5)).toEqual({ startedAtMs: 5, perSecond: [] });
  });

  it('writes number arrays on one line and everything else as JSON.stringify does', () => {
    const summary = { mode: 'e2e', samples: { ms: [1.5, -2, 3e-7, 40] }, empty: [], names: ['a', 'b'], nested: [{ n: 1 }], p: { p50: 2 } };
    const text = summaryJson(summary);
    expect(JSON.parse(text)).toEqual(summary);
    expect(text).toContain('"ms": [1.5, -2, 3e-7, 40]');
    expect(text).toContain('"names": [\n');
    expect(text.replace('[1.5, -2, 3e-7, 40]', JSON.stringify([1.5, -2, 3e-7, 40], null, 2).replace(/\n/g, '\n    '))).toBe(JSON.stringify(summary, null, 2));
  });

  it('keeps latencies at 0.1 ms', () => {
    expect(keepSamples([1.04, 2.26, 300])).toEqual([1, 2.3, 300]);
  });
});
