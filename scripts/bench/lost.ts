import { setTimeout as sleep } from 'node:timers/promises';
import { createProgress } from '../../src/tools/progress';
import type { CodePayCallCounter } from './codepay-call-counter';
import { LatencySummary, round, summarize } from './latency';
import { findingPollAtMs, lostNotificationQueries, unpaidOrderBudget } from './poll-budget';
import type { MerchantApi, SandboxControl } from './stack-client';

/**
 * Notifications lost (the sandbox drops every delivery): how many Query order calls the real poll
 * schedule spends, measured on payments paid `payAfterSeconds` after creation and on payments
 * nobody pays until they expire, next to what the schedule predicts (poll-budget.ts) — and the
 * prediction for a 15-minute expiry, which must stay ≤ 12 queries.
 */
export interface LostResult {
  pollScheduleSeconds: number[];
  paidLate: {
    count: number;
    payAfterSeconds: number;
    completed: number;
    queriesPerPayment: { mean: number; max: number; predicted: number };
    otherCallsPerPayment: Record<string, number>;
    /** Sandbox paid at → GET shows PAID (polled every 250 ms). */
    timeToPaidMs: LatencySummary & { predictedMs: number };
  };
  unpaid?: {
    count: number;
    expiresSeconds: number;
    completed: number;
    finalStatuses: Record<string, number>;
    queriesPerPayment: { mean: number; max: number; predicted: number };
    cancelsPerPayment: { mean: number; predicted: number };
  };
  fifteenMinuteExpiry: { queries: number; polls: number; cancels: number; limit: number };
  failures: { count: number; first: string[] };
}

const GET_POLL_INTERVAL_MS = 250;
const FIFTEEN_MINUTES_MS = 15 * 60_000;
export const QUERY_LIMIT_15_MIN = 12;

export async function runLost(args: {
  api: MerchantApi;
  sandbox: SandboxControl;
  counter: CodePayCallCounter;
  pollScheduleMs: number[];
  defaultExpiresSeconds: number;
  cancelMethod: string;
  count: number;
  payAfterSeconds: number;
  expiresSeconds: number;
  runId: string;
}): Promise<LostResult> {
  const { api, sandbox } = args;
  await sandbox.setFaults({ dropNotifications: 1, autoPayAfterMs: 0, duplicateNotifications: 0 });
  const failures: string[] = [];
  const paidNos = Array.from({ length: args.count }, (_, i) => `l${args.runId}-p${i}`);
  const unpaidNos = args.expiresSeconds > 0 ? Array.from({ length: args.count }, (_, i) => `l${args.runId}-u${i}`) : [];
  const progress = createProgress('lost', paidNos.length + unpaidNos.length);
  const visibleAt = new Map<string, number>();
  const finalStatus = new Map<string, string>();

  const waitFor = async (no: string, accept: (status: string) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await api.getPayment(no)).body.status;
      if (accept(status)) return status;
      if (Date.now() > deadline) throw new Error(`still ${status} after ${Math.round(timeoutMs / 1000)} s`);
      await sleep(GET_POLL_INTERVAL_MS);
    }
  };

  const paidLate = async (no: string) => {
    try {
      await api.createPayment({ merchantOrderNo: no, amount: '7.25', currency: 'USD', description: 'bench lost notification' });
      await sleep(args.payAfterSeconds * 1000);
      await sandbox.pay(no);
      const status = await waitFor(no, (s) => s !== 'CREATING' && s !== 'AWAITING_PAYMENT', args.defaultExpiresSeconds * 1000 + 60_000);
      if (status !== 'PAID') throw new Error(`ended ${status}`);
      visibleAt.set(no, Date.now());
    } catch (err) {
      failures.push(`${no}: ${(err as Error).message}`);
    }
    progress.tick();
  };
  const unpaid = async (no: string) => {
    try {
      await api.createPayment({ merchantOrderNo: no, amount: '7.25', currency: 'USD', description: 'bench lost, unpaid', expiresInSeconds: args.expiresSeconds });
      await sleep(args.expiresSeconds * 1000);
      finalStatus.set(no, await waitFor(no, (s) => s !== 'CREATING' && s !== 'AWAITING_PAYMENT', 120_000));
    } catch (err) {
      failures.push(`${no}: ${(err as Error).message}`);
    }
    progress.tick();
  };
  await Promise.all([...paidNos.map(paidLate), ...unpaidNos.map(unpaid)]);
  progress.done();
  await sandbox.setFaults({ dropNotifications: 0 });

  const records = new Map((await sandbox.ledger()).map((o) => [o.merchantOrderNo, o]));
  const calls = args.counter.byOrder();
  const queries = (no: string) => calls.get(no)?.['order.query'] ?? 0;
  const paidCompleted = paidNos.filter((no) => visibleAt.has(no));
  const paidOffsets = paidCompleted.map((no) => {
    const record = records.get(no)!;
    return Date.parse(record.endTime!) - Date.parse(record.createdAt);
  });
  const typicalOffset = paidOffsets.length ? paidOffsets.reduce((a, b) => a + b, 0) / paidOffsets.length : args.payAfterSeconds * 1000;
  const otherCalls: Record<string, number> = {};
  for (const no of paidCompleted) {
    for (const [method, n] of Object.entries(calls.get(no) ?? {})) if (method !== 'order.query') otherCalls[method] = (otherCalls[method] ?? 0) + n;
  }
  const unpaidCompleted = unpaidNos.filter((no) => finalStatus.has(no));
  const unpaidBudget = unpaidOrderBudget(args.pollScheduleMs, args.expiresSeconds * 1000);
  const fifteen = unpaidOrderBudget(args.pollScheduleMs, FIFTEEN_MINUTES_MS);
  const expiresMs = args.defaultExpiresSeconds * 1000;
  const stats = (values: number[]) => ({
    mean: round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 2),
    max: values.reduce((a, b) => Math.max(a, b), 0),
  });
  const statuses: Record<string, number> = {};
  for (const status of finalStatus.values()) statuses[status] = (statuses[status] ?? 0) + 1;

  return {
    pollScheduleSeconds: args.pollScheduleMs.map((ms) => ms / 1000),
    paidLate: {
      count: paidNos.length,
      payAfterSeconds: args.payAfterSeconds,
      completed: paidCompleted.length,
      queriesPerPayment: { ...stats(paidCompleted.map(queries)), predicted: lostNotificationQueries(args.pollScheduleMs, typicalOffset, expiresMs) },
      otherCallsPerPayment: Object.fromEntries(Object.entries(otherCalls).map(([m, n]) => [m, round(n / Math.max(1, paidCompleted.length), 2)])),
      timeToPaidMs: {
        ...summarize(paidCompleted.map((no) => visibleAt.get(no)! - Date.parse(records.get(no)!.endTime!))),
        predictedMs: Math.round(findingPollAtMs(args.pollScheduleMs, typicalOffset, expiresMs) - typicalOffset),
      },
    },
    unpaid: unpaidNos.length
      ? {
          count: unpaidNos.length,
          expiresSeconds: args.expiresSeconds,
          completed: unpaidCompleted.length,
          finalStatuses: statuses,
          queriesPerPayment: { ...stats(unpaidCompleted.map(queries)), predicted: unpaidBudget.queries },
          cancelsPerPayment: {
            mean: stats(unpaidCompleted.map((no) => calls.get(no)?.[args.cancelMethod] ?? 0)).mean,
            predicted: unpaidBudget.cancels,
          },
        }
      : undefined,
    fifteenMinuteExpiry: { ...fifteen, limit: QUERY_LIMIT_15_MIN },
    failures: { count: failures.length, first: failures.slice(0, 5) },
  };
}
