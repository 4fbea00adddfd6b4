import { readFileSync } from 'node:fs';

/**
 * CPU time the stack's processes spend, from /proc/<pid>/stat (utime + stime). On a shared
 * 2-core machine, CPU per payment is a steadier figure than wall-clock throughput: it does not
 * depend on what else runs, and it says which process the cost is in.
 */
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux (getconf CLK_TCK)

/** utime + stime in ticks from a /proc/<pid>/stat line (fields 14 and 15; the name may hold spaces). */
export function statCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const ticks = statCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ticks === undefined ? undefined : ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export type CpuSnapshot = Map<string, number>;

export function cpuSnapshot(pids: Map<string, number | undefined>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const [name, pid] of pids) {
    const seconds = cpuSeconds(pid);
    if (seconds !== undefined) snapshot.set(name, seconds);
  }
  return snapshot;
}

/** CPU ms per unit of work (payment, workflow) by process between two snapshots, and their total. */
export function cpuMsPer(before: CpuSnapshot, after: CpuSnapshot, units: number): Record<string, number> {
  const per: Record<string, number> = {};
  let total = 0;
  for (const [name, end] of after) {
    const ms = ((end - (before.get(name) ?? end)) * 1000) / Math.max(1, units);
    per[name] = Math.round(ms * 10) / 10;
    total += ms;
  }
  per.total = Math.round(total * 10) / 10;
  return per;
}
