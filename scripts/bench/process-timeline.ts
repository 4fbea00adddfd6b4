import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The stack's processes over time: CPU (% of one core, from /proc/<pid>/stat utime + stime between
 * two readings) and RSS per process, and the whole machine's busy CPU and load average, so a chart
 * shows what the stack used next to what everything else on the shared machine did. Readings come
 * from the RSS sampler's clock (rss-sampler.ts); the arithmetic here is pure.
 */
export interface ProcessSeries {
  pid: number;
  tSeconds: number[];
  cpuPercent: number[];
  rssMiB: number[];
}

export interface MachineSeries {
  cores: number;
  tSeconds: number[];
  /** All processes on the machine, in % of one core (cores × 100 = all busy). */
  busyPercent: number[];
  loadAverage1m: number[];
}

export interface TimelinePhase {
  name: string;
  fromSeconds: number;
  toSeconds: number;
}

export interface Timeline {
  /** t = 0 of every series (epoch ms). */
  startedAtMs: number;
  intervalMs: number;
  processes: Record<string, ProcessSeries>;
  machine: MachineSeries;
  phases: TimelinePhase[];
}

/** One reading of every watched process and of the machine. */
export interface Reading {
  atMs: number;
  processes: Map<string, { pid: number; cpuSeconds?: number; rssMiB?: number }>;
  /** From /proc/stat's cpu line. */
  machineTicks?: MachineTicks;
  loadAverage1m: number;
}

export interface MachineTicks {
  busy: number;
  total: number;
}

/** Busy and total jiffies of all CPUs from /proc/stat (idle and iowait are not busy). */
export function machineTicks(procStat: string): MachineTicks | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (values.length < 5 || values.some((v) => !Number.isFinite(v))) return undefined;
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - values[3]! - values[4]!, total };
}

export function readMachineTicks(): MachineTicks | undefined {
  try {
    return machineTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

const one = (v: number) => Math.round(v * 10) / 10;

export interface TimelineRecorder {
  add(reading: Reading): void;
  phase(name: string, fromMs: number, toMs: number): void;
  timeline(): Timeline;
}

/**
 * Turns readings into series: a process gets a point from its second reading on (CPU is a rate
 * between two readings); a process whose pid changed (restarted) starts over.
 */
export function createTimelineRecorder(startedAtMs: number, intervalMs: number, cores = os.cpus().length): TimelineRecorder {
  const processes: Record<string, ProcessSeries> = {};
  const machine: MachineSeries = { cores, tSeconds: [], busyPercent: [], loadAverage1m: [] };
  const phases: TimelinePhase[] = [];
  const last = new Map<string, { pid: number; atMs: number; cpuSeconds: number }>();
  let lastMachine: { atMs: number; ticks: MachineTicks } | undefined;
  const t = (atMs: number) => Math.round(atMs - startedAtMs) / 1000;
  return {
    add(reading) {
      for (const [name, p] of reading.processes) {
        if (p.cpuSeconds === undefined || p.rssMiB === undefined) continue;
        const before = last.get(name);
        last.set(name, { pid: p.pid, atMs: reading.atMs, cpuSeconds: p.cpuSeconds });
        if (!before || before.pid !== p.pid || reading.atMs <= before.atMs) continue;
        const series = processes[name]?.pid === p.pid ? processes[name] : (processes[name] = { pid: p.pid, tSeconds: [], cpuPercent: [], rssMiB: [] });
        series.tSeconds.push(t(reading.atMs));
        series.cpuPercent.push(one(((p.cpuSeconds - before.cpuSeconds) * 100_000) / (reading.atMs - before.atMs)));
        series.rssMiB.push(one(p.rssMiB));
      }
      if (reading.machineTicks) {
        const before = lastMachine;
        lastMachine = { atMs: reading.atMs, ticks: reading.machineTicks };
        const ticks = reading.machineTicks.total - (before?.ticks.total ?? 0);
        if (before && ticks > 0) {
          machine.tSeconds.push(t(reading.atMs));
          machine.busyPercent.push(one(((reading.machineTicks.busy - before.ticks.busy) / ticks) * cores * 100));
          machine.loadAverage1m.push(Math.round(reading.loadAverage1m * 100) / 100);
        }
      }
    },
    phase(name, fromMs, toMs) {
      // A phase that ended before the first reading (the stack's start) has no series to mark.
      if (toMs > startedAtMs) phases.push({ name, fromSeconds: t(Math.max(fromMs, startedAtMs)), toSeconds: t(toMs) });
    },
    timeline: () => ({ startedAtMs, intervalMs, processes, machine, phases }),
  };
}
