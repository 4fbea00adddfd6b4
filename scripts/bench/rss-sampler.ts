import { readFileSync } from 'node:fs';
import os from 'node:os';
import { cpuSnapshot } from './process-cpu';
import { createTimelineRecorder, readMachineTicks, Reading, Timeline } from './process-timeline';

/**
 * Memory of the stack's processes from /proc/<pid>/status: the highest VmRSS seen while sampling
 * (the load's footprint) and the kernel's VmHWM (lifetime peak, which for the worker includes
 * bundling the workflow code at start-up). Every `timelineMs` it also records CPU and RSS per
 * process, and the machine's CPU, as a timeline (process-timeline.ts).
 */
export interface MemoryFigures {
  pid: number;
  /** MiB, highest VmRSS sampled during the run. */
  peakSampledRssMiB: number;
  /** MiB, VmHWM at the last sample (the process may have exited since). */
  hwmMiB?: number;
}

/** kB fields of a /proc/<pid>/status text, in MiB. */
export function statusFieldMiB(status: string, field: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : undefined;
}

function readStatus(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

export interface RssSampler {
  /** Adds (or replaces) a process to watch. */
  watch(name: string, pid: number | undefined): void;
  stop(): Record<string, MemoryFigures>;
  /** Marks a phase of the run (e2e, ceiling…) on the timeline. */
  phase(name: string, fromMs: number, toMs: number): void;
  timeline(): Timeline;
}

export function startRssSampler(intervalMs = 250, timelineMs = 1000): RssSampler {
  const watched = new Map<string, MemoryFigures>();
  const recorder = createTimelineRecorder(Date.now(), timelineMs);
  let nextReadingAt = 0;
  const sample = () => {
    const atMs = Date.now();
    const reading: Reading | undefined = atMs >= nextReadingAt ? { atMs, processes: new Map(), machineTicks: readMachineTicks(), loadAverage1m: os.loadavg()[0]! } : undefined;
    const cpu = reading && cpuSnapshot(new Map([...watched].map(([name, f]) => [name, f.pid])));
    for (const [name, figures] of watched) {
      const status = readStatus(figures.pid);
      if (status === undefined) continue; // exited: keep its last figures
      const rss = statusFieldMiB(status, 'VmRSS');
      if (rss !== undefined) figures.peakSampledRssMiB = Math.max(figures.peakSampledRssMiB, rss);
      figures.hwmMiB = statusFieldMiB(status, 'VmHWM') ?? figures.hwmMiB;
      reading?.processes.set(name, { pid: figures.pid, cpuSeconds: cpu?.get(name), rssMiB: rss });
    }
    if (reading) {
      recorder.add(reading);
      nextReadingAt = atMs + timelineMs - intervalMs / 2;
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    watch(name, pid) {
      if (pid !== undefined) watched.set(name, { pid, peakSampledRssMiB: 0 });
    },
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(watched);
    },
    phase: recorder.phase,
    timeline: recorder.timeline,
  };
}
