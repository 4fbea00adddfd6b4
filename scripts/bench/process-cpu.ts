import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU ticks of `root` and its descendants (utime + stime of each live one, plus cutime + cstime:
 * children already reaped), from `/proc/<pid>/stat` lines by pid. PostgreSQL spends its CPU in
 * one backend process per connection, so its figure is the whole tree's.
 */
export function treeCpuTicks(root: number, stats: ReadonlyMap<number, string>): number | undefined {
  const fields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const parent = Number(fields(stat)[1]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  if (!stats.has(root)) return undefined;
  let total = 0;
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop()!;
    const f = fields(stats.get(pid)!);
    total += [11, 12, 13, 14].reduce((sum, i) => sum + (Number(f[i]) || 0), 0);
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

function procStats(): Map<number, string> {
  const stats = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), readFileSync(`/proc/${entry}/stat`, 'utf8'));
    } catch {
      // exited meanwhile
    }
  }
  return stats;
}

export function cpuSeconds(pid: number | undefined, stats: ReadonlyMap<number, string> = procStats()): number | undefined {
  if (pid === undefined) return undefined;
  const ticks = treeCpuTicks(pid, stats);
  return ticks === undefined ? undefined : ticks / CLOCK_TICKS_PER_SECOND;
}

export type CpuSnapshot = Map<string, number>;

export function cpuSnapshot(pids: Map<string, number | undefined>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  const stats = procStats();
  for (const [name, pid] of pids) {
    const seconds = cpuSeconds(pid, stats);
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
