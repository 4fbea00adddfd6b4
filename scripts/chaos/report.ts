import type { BadInputResult } from './bad-input';
import type { DriverRecord } from './driver';
import type { HttpStats } from './http';
import type { LieTally } from './notification-lies';
import type { ProcessFaultLog } from './process-faults';
import type { ReplayReport } from './replay-all';
import type { Finding, Reconciliation } from './reconcile';
import type { WebhookCheck } from './webhook-check';

/** The end of a chaos run: a table for people and one JSON line for machines. */
export interface ChaosReport {
  seed: number;
  payments: number;
  concurrency: number;
  durationSeconds: number;
  settleSeconds: number;
  started: number;
  finalStates: Reconciliation['finalStates'];
  byKind: Record<string, Record<string, number>>;
  /** A kind that ended elsewhere than planned (e.g. a create refused): shown, not a violation by itself — the ledger decides. */
  unexpectedOutcomes: Finding[];
  mismatches: Finding[];
  moneyViolations: Finding[];
  contractViolations: Finding[];
  unsettled: Finding[];
  notifications: Reconciliation['notifications'];
  /** Gateway-signed lies sent to the webhook (scripts/chaos/notification-lies.ts). */
  notificationLies: LieTally;
  processFaults: ProcessFaultLog[];
  /** Timed worker kills (cancelStorm, refundCancelRace, reviewStorm) not done: another fault was in flight, or the last one too recent. */
  timedKillsSkipped: number;
  crashes: string[];
  weatherSeconds: Record<string, number>;
  http: HttpStats;
  refusals: DriverRecord['refusals'];
  gaveUp: string[];
  badInput: BadInputResult[];
  badInputChanges: Finding[];
  servicesAlive: boolean;
  /** ms from creation to the last state change, over payments at rest; `expire` kinds apart (they wait out the deadline). */
  timeToFinal: { maxMs: number; p50Ms: number; p99Ms: number; maxExpireMs: number };
  /** Merchant webhooks against an endpoint that goes down, fails, is slow and answers wrongly. */
  webhooks: WebhookCheck & { redelivered: number; weatherSeconds: Record<string, number> };
  /** Every workflow history of the run replayed against the current bundle (scripts/chaos/replay-all.ts). */
  replay: ReplayReport;
}

export function violationCount(r: ChaosReport): number {
  return (
    r.mismatches.length +
    r.moneyViolations.length +
    r.contractViolations.length +
    r.unsettled.length +
    r.crashes.length +
    r.gaveUp.length +
    r.badInput.filter((b) => !b.passed).length +
    r.badInputChanges.length +
    r.webhooks.violations.length +
    r.replay.failures.length +
    r.notificationLies.foreignAccepted.length +
    (r.servicesAlive ? 0 : 1) +
    r.processFaults.filter((f) => f.error).length
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

export function formatReport(r: ChaosReport): string {
  const faults = r.processFaults.reduce<Record<string, number>>((acc, f) => ({ ...acc, [f.fault]: (acc[f.fault] ?? 0) + 1 }), {});
  const badFailed = r.badInput.filter((b) => !b.passed);
  const n = r.notifications;
  const rows: [string, string][] = [
    ['payments started', `${r.started} of ${r.payments} (seed ${r.seed}, concurrency ${r.concurrency})`],
    ['final states', counts(r.finalStates as Record<string, number>)],
    ...Object.entries(r.byKind).map(([kind, states]): [string, string] => [`  ${kind}`, counts(states)]),
    ['process faults', `${counts(faults)} (timed kills skipped: ${r.timedKillsSkipped})${r.crashes.length ? `; unexpected exits: ${r.crashes.join(', ')}` : ''}`],
    ['gateway weather', Object.entries(r.weatherSeconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')],
    ['driver HTTP', `${r.http.calls} calls, ${r.http.retries} retries (${counts(r.http.retryCauses)})`],
    ['refused as expected', counts(r.refusals)],
    ['notifications', `${n.attempts} attempts: acked ${n.acked}, rejected ${n.rejected} (${counts(n.rejectedByStatus)}), failed ${n.failed}, dropped ${n.dropped}; duplicates ${n.duplicates}`],
    ['notification lies', `${r.notificationLies.sent} sent (${counts(r.notificationLies.answers)}); another merchant's accepted: ${r.notificationLies.foreignAccepted.length}`],
    ['time to final state', `max ${seconds(r.timeToFinal.maxMs)}, p50 ${seconds(r.timeToFinal.p50Ms)}, p99 ${seconds(r.timeToFinal.p99Ms)} (expiring payments: max ${seconds(r.timeToFinal.maxExpireMs)})`],
    ['settled after drive', seconds(r.settleSeconds * 1000)],
    ['merchant endpoint weather', Object.entries(r.webhooks.weatherSeconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')],
    ['merchant webhooks', `${r.webhooks.delivered} of ${r.webhooks.expected} events acknowledged; ${r.webhooks.receipts} attempts seen, ${r.webhooks.duplicates} repeated after an ack; ${r.webhooks.redelivered} redelivered on request after failing`],
    ['WEBHOOK VIOLATIONS', String(r.webhooks.violations.length)],
    ['histories replayed', `${r.replay.replayed} of ${r.replay.listed} workflows (fetched in ${r.replay.fetchSeconds.toFixed(1)} s, replayed in ${r.replay.replaySeconds.toFixed(1)} s)`],
    ['REPLAY FAILURES', String(r.replay.failures.length)],
    ['MISMATCHES workflow ⇔ ledger', String(r.mismatches.length)],
    ['MONEY-INVARIANT VIOLATIONS', String(r.moneyViolations.length)],
    ['contract violations', String(r.contractViolations.length)],
    ['unexpected outcomes (info)', String(r.unexpectedOutcomes.length)],
    ['unsettled at timeout', String(r.unsettled.length)],
    ['gave up (no answer)', String(r.gaveUp.length)],
    ['bad input', `${r.badInput.length} cases, ${badFailed.length} not answered 4xx; ${r.badInputChanges.length} changes; services alive: ${r.servicesAlive ? 'yes' : 'NO'}`],
    ['duration', seconds(r.durationSeconds * 1000)],
    ['RESULT', violationCount(r) === 0 ? 'PASS' : `FAIL (${violationCount(r)} violations)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const details = [
    ...r.mismatches.map((f) => `mismatch ${describe(f)}`),
    ...r.moneyViolations.map((f) => `money ${describe(f)}`),
    ...r.contractViolations.map((f) => `contract ${describe(f)}`),
    ...r.unexpectedOutcomes.map((f) => `outcome ${describe(f)}`),
    ...r.unsettled.map((f) => `unsettled ${describe(f)}`),
    ...r.gaveUp.map((g) => `gave up ${g}`),
    ...badFailed.map((b) => `bad input ${b.name}: answered ${b.status}`),
    ...r.badInputChanges.map((f) => `changed ${describe(f)}`),
    ...r.webhooks.violations.map((f) => `webhook ${describe(f)}`),
    ...r.replay.failures.map((f) => `replay ${describe(f)}`),
    ...r.notificationLies.foreignAccepted.map((f) => `lie for another merchant accepted: ${f}`),
    ...r.processFaults.filter((f) => f.error).map((f) => `fault ${f.fault} failed: ${f.error}`),
  ];
  const shown = details.slice(0, 60);
  if (details.length > shown.length) shown.push(`… and ${details.length - shown.length} more (see the JSON line)`);
  return ['', 'CodePay chaos run', '-'.repeat(17), ...lines, ...(shown.length ? ['', 'Details:', ...shown.map((d) => `  ${d}`)] : []), ''].join('\n');
}

function describe(f: Finding): string {
  return `${f.merchantOrderNo} [${f.rule}] expected ${f.expected}, got ${f.actual}${f.ledger ? ` — ledger: ${f.ledger}` : ''}`;
}

/** One line, so CI can `tail -1 | jq`. Bad-input results are summarised, not listed. */
export function reportJsonLine(r: ChaosReport): string {
  const { badInput, ...rest } = r;
  return JSON.stringify({
    chaos: {
      ...rest,
      violations: violationCount(r),
      replayed: r.replay.replayed,
      replayFailures: r.replay.failures.length,
      badInput: { cases: badInput.length, failed: badInput.filter((b) => !b.passed) },
    },
  });
}
