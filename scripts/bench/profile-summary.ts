/**
 * `npx tsx scripts/bench/profile-summary.ts <file.cpuprofile> [--top N]`: where a V8 CPU profile's
 * time went, by owner (an npm package, Node's own modules, our code, GC, idle) and by function.
 * Written by `node --cpu-prof` (e.g. `SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run
 * bench -- …`: every process of the stack writes one when it exits; docs/performance.md).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
export type CpuProfile = z.infer<typeof ProfileSchema>;

/** Who a frame belongs to: `pkg:@temporalio/worker`, `node:http`, `ours:src/workflows/x`, `(garbage collector)`… */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  // The workflow bundle is one file of webpacked sources (ours and the SDK's workflow runtime).
  if (url.includes('codepay-workflows')) return 'workflow bundle';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const ours = /\/(dist|src)\/(.+?)(\.[jt]s)?$/.exec(url);
  if (ours) return `ours:${ours[2]}`;
  return url;
}

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time not idle. */
  busyMs: number;
  byOwner: { owner: string; ms: number; percentOfBusy: number }[];
  byFunction: { fn: string; owner: string; ms: number }[];
}

export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const owners = new Map<string, number>();
  const fns = new Map<string, { owner: string; ms: number }>();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    const entry = fns.get(key) ?? { owner, ms: 0 };
    entry.ms += ms;
    fns.set(key, entry);
  }
  const busyMs = totalMs - idleMs;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    totalMs: round(totalMs),
    busyMs: round(busyMs),
    byOwner: [...owners]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([owner, ms]) => ({ owner, ms: round(ms), percentOfBusy: round((ms / busyMs) * 100) })),
    byFunction: [...fns]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([fn, { owner, ms }]) => ({ fn, owner, ms: round(ms) })),
  };
}

if (require.main === module) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [--top N]\n');
    process.exit(2);
  }
  const top = rest[0] === '--top' ? Number(rest[1]) : 25;
  const summary = summarizeProfile(ProfileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))), top);
  process.stdout.write(`sampled ${summary.totalMs} ms, busy ${summary.busyMs} ms\n\nby owner (self time):\n`);
  for (const o of summary.byOwner) process.stdout.write(`  ${o.ms.toFixed(1).padStart(9)} ms ${o.percentOfBusy.toFixed(1).padStart(5)} %  ${o.owner}\n`);
  process.stdout.write('\nby function (self time):\n');
  for (const f of summary.byFunction) process.stdout.write(`  ${f.ms.toFixed(1).padStart(9)} ms  ${f.fn}  [${f.owner}]\n`);
}
