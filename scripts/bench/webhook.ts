import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyObject } from 'node:crypto';
import { withSignature } from '../../src/codepay/signing';
import { TransStatus } from '../../src/codepay/trans-status';
import { createProgress } from '../../src/tools/progress';
import { runClosedLoop } from './closed-loop';
import { cpuMsPer, cpuSnapshot } from './process-cpu';
import { LatencySummary, round, summarize } from './latency';
import type { CodePayCallCounter } from './codepay-call-counter';
import type { MerchantApi, OrderRecord, SandboxControl } from './stack-client';
import { keepSamples } from './samples';
import { webhookSeconds, type WebhookSeconds } from './webhook-seconds';
import { HistogramFigures, WebhookBreakdown, webhookBreakdown, webhookHistogramFigures } from './webhook-latency';

/**
 * The webhook under a steady notification rate: M open payments, then signed payment notifications
 * with trans_status 0 (paying: recorded, no state change; `--claim paid`: 2, refuted by a confirming
 * query each time) sent at `rate` per second for `duration`
 * seconds on an open loop (each at its scheduled time, whatever the earlier ones are doing, so a
 * slow answer cannot hide the next one's wait). Each payment's first notification is followed by
 * byte-identical redeliveries, as CodePay's duplicates are. Payments stay AWAITING_PAYMENT.
 */
export interface WebhookResult {
  rate: number;
  claim: 'paying' | 'paid';
  durationSeconds: number;
  openPayments: number;
  openFailures: { count: number; first: string[] };
  sent: number;
  firstDeliveries: number;
  duplicates: number;
  acked: number;
  errors: { count: number; byStatus: Record<string, number> };
  /** Request sent → `success` read, measured by the sender. */
  ackMs: LatencySummary;
  ackHistogram: HistogramFigures;
  /**
   * CodePay calls the worker made while the notifications were sent, by method: the polls of the
   * open payments (and confirming queries, if a notification claimed a change) compete for the CPU.
   */
  codepayCallsDuringLoop: Record<string, number>;
  /**
   * CPU ms per notification sent, by process, over the loop (the polls and leftovers of the
   * payments' creation included): steadier than latency on a shared machine.
   */
  cpuMsPerNotification: Record<string, number>;
  /** Per second of the loop: notifications sent, their ack p99, CodePay calls. */
  seconds: WebhookSeconds;
  /** Where the acknowledgement time went: the route's stages, the API's event loop, Temporal's own latencies. */
  breakdown: WebhookBreakdown;
  /** How late the sender started requests against their schedule (its own lag). */
  senderLagMs: LatencySummary;
  achievedRate: number;
  stillAwaiting: { sampled: number; awaiting: number; unanswered: number };
  samples: { ackMs: number[] };
}

/**
 * A signed notification for an order, as the sandbox's wire fields would carry it: trans_status 0
 * (paying), or 2 (paid: a claim, which the workflow confirms with a query before believing it).
 */
export function claimNotification(order: OrderRecord, gatewayKey: KeyObject, claim: 'paying' | 'paid' = 'paying'): string {
  const fields = {
    merchant_order_no: order.merchantOrderNo,
    trans_no: order.transNo,
    trans_type: 1,
    trans_status: claim === 'paid' ? TransStatus.SUCCESS : TransStatus.PAYING,
    price_currency: order.currency,
    order_amount: order.amount,
    trans_amount: order.amount,
    app_id: order.appId,
    merchant_no: order.merchantNo,
    sign_type: 'RSA2',
  };
  return JSON.stringify(withSignature(fields, gatewayKey));
}

/** Waits until `count()` stayed the same for `quietMs` (at most `maxMs`). */
export async function settled(count: () => number, quietMs: number, maxMs: number, pollMs = 250): Promise<void> {
  const deadline = performance.now() + maxMs;
  let last = count();
  let since = performance.now();
  while (performance.now() < deadline && performance.now() - since < quietMs) {
    await sleep(pollMs);
    const now = count();
    if (now !== last) [last, since] = [now, performance.now()];
  }
}

export async function runWebhook(args: {
  api: MerchantApi;
  sandbox: SandboxControl;
  webhookUrl: string;
  gatewayKey: KeyObject;
  rate: number;
  durationSeconds: number;
  openPayments: number;
  concurrency: number;
  runId: string;
  counter: CodePayCallCounter;
  claim?: 'paying' | 'paid';
  /** The stack's processes, for CPU per notification. */
  pids: Map<string, number | undefined>;
  /** The Temporal server's own /metrics, when the bench can read it (the dev server). */
  serverMetricsText?: () => Promise<string>;
}): Promise<WebhookResult> {
  const { api, sandbox } = args;
  await sandbox.setFaults({ autoPayAfterMs: 0, dropNotifications: 0, duplicateNotifications: 0 });
  const wanted = Array.from({ length: args.openPayments }, (_, i) => `w${args.runId}-${i}`);
  const openFailures: string[] = [];
  const opening = createProgress('webhook: opening payments', wanted.length);
  await runClosedLoop(wanted.length, args.concurrency, async (i) => {
    try {
      await api.createPayment({ merchantOrderNo: wanted[i]!, amount: '3.10', currency: 'USD', description: 'bench webhook' });
    } catch (err) {
      openFailures.push(`${wanted[i]}: ${(err as Error).message}`);
    }
    opening.tick();
  });
  opening.done();
  // Payments whose start answered 503 still create their order meanwhile: let that finish first, so the
  // loop measures notifications, not leftover starts (the open payments' own polls still run in it).
  await settled(() => args.counter.calls.filter((c) => c.method !== 'order.query').length, 2_000, 20_000);
  const records = new Map((await sandbox.ledger()).map((o) => [o.merchantOrderNo, o]));
  const nos = wanted.filter((no) => records.get(no)?.status === TransStatus.CREATED);
  if (nos.length === 0) throw new Error(`no payment could be opened: ${openFailures.slice(0, 3).join('; ')}`);
  const bodies = nos.map((no) => claimNotification(records.get(no)!, args.gatewayKey, args.claim));

  const total = Math.max(1, Math.round(args.rate * args.durationSeconds));
  const ack: number[] = [];
  const acks: { sentAtMs: number; ackMs: number }[] = [];
  const lag: number[] = [];
  const byStatus: Record<string, number> = {};
  let acked = 0;
  const metricsBefore = await api.metricsText();
  const serverBefore = await args.serverMetricsText?.();
  const progress = createProgress('webhook', total);
  const sentAtMs = (at: number) => Math.round(performance.timeOrigin + at);
  const send = async (k: number, scheduledAt: number) => {
    const started = performance.now();
    lag.push(started - scheduledAt);
    let outcome: string;
    try {
      const response = await fetch(args.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: bodies[k % bodies.length],
        signal: AbortSignal.timeout(5_000),
      });
      const text = await response.text();
      outcome = response.status === 200 && text.trim() === 'success' ? 'acked' : String(response.status);
    } catch (err) {
      outcome = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
    }
    const ackMs = performance.now() - started;
    ack.push(ackMs);
    acks.push({ sentAtMs: sentAtMs(started), ackMs });
    if (outcome === 'acked') acked += 1;
    else byStatus[outcome] = (byStatus[outcome] ?? 0) + 1;
    progress.tick();
  };
  const cpuBefore = cpuSnapshot(args.pids);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let k = 0; k < total; k += 1) {
    const scheduledAt = started + (k * 1000) / args.rate;
    const wait = scheduledAt - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(send(k, scheduledAt));
  }
  await Promise.all(inFlight);
  const cpuAfter = cpuSnapshot(args.pids);
  const elapsedSeconds = (performance.now() - started) / 1000;
  progress.done();
  const metricsAfter = await api.metricsText();
  const serverAfter = await args.serverMetricsText?.();
  const loopFromEpochMs = sentAtMs(started);
  const codepayCallsDuringLoop: Record<string, number> = {};
  for (const call of args.counter.calls.filter((c) => c.at >= loopFromEpochMs)) codepayCallsDuringLoop[call.method] = (codepayCallsDuringLoop[call.method] ?? 0) + 1;

  const sample = nos.slice(0, 20);
  // A probe that fails (503 while the dev server works off the burst) is counted, not fatal to the run.
  const statuses = await Promise.all(sample.map(async (no) => (await api.getPayment(no).catch(() => undefined))?.body.status));
  return {
    rate: args.rate,
    claim: args.claim ?? 'paying',
    durationSeconds: args.durationSeconds,
    openPayments: nos.length,
    openFailures: { count: openFailures.length, first: openFailures.slice(0, 5) },
    sent: total,
    firstDeliveries: Math.min(total, nos.length),
    duplicates: Math.max(0, total - nos.length),
    acked,
    errors: { count: total - acked, byStatus },
    ackMs: summarize(ack),
    ackHistogram: webhookHistogramFigures(metricsBefore, metricsAfter),
    breakdown: webhookBreakdown(
      { before: metricsBefore, after: metricsAfter },
      serverBefore !== undefined && serverAfter !== undefined ? { before: serverBefore, after: serverAfter } : undefined,
    ),
    senderLagMs: summarize(lag),
    codepayCallsDuringLoop,
    cpuMsPerNotification: cpuMsPer(cpuBefore, cpuAfter, total),
    seconds: webhookSeconds(acks, args.counter.calls.map((c) => c.at), loopFromEpochMs),
    achievedRate: round(total / elapsedSeconds, 1),
    stillAwaiting: { sampled: sample.length, awaiting: statuses.filter((s) => s === 'AWAITING_PAYMENT').length, unanswered: statuses.filter((s) => s === undefined).length },
    samples: { ackMs: keepSamples(ack) },
  };
}
