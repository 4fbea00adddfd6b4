import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { merchantWebhooksWorkflowId, paymentWorkflowId } from '../../src/workflows/messages';
import { createProgress } from '../../src/tools/progress';
import { runClosedLoop } from './closed-loop';
import { cpuMsPer, cpuSnapshot } from './process-cpu';
import type { MerchantEndpoint } from '../chaos/merchant-endpoint';
import type { CodePayCallCounter } from './codepay-call-counter';
import { LatencySummary, round, summarize } from './latency';
import { keepSamples, throughput, Throughput } from './samples';
import { HttpError, type MerchantApi, type SandboxControl } from './stack-client';
import { HistogramFigures, webhookHistogramFigures } from './webhook-latency';

/**
 * End to end, as a shop sees it: N payments at concurrency C through the real API; the sandbox
 * pays each order `autoPayAfterMs` after creating it and sends its signed notification to the
 * webhook; the shop polls GET until it shows PAID. A payment is done when GET shows PAID.
 */
export interface E2eResult {
  count: number;
  concurrency: number;
  autoPayAfterMs: number;
  completed: number;
  failures: { count: number; first: string[] };
  wallSeconds: number;
  paymentsPerSecond: number;
  /** POST /v1/payments first try → final answer, Retry-After waits included. */
  startPaymentMs: LatencySummary;
  /** Payments whose start was answered 503/429 + Retry-After at least once and tried again (a shop's retry). */
  retriedStarts: number;
  /** Tries after the first, over all payments. */
  startRetries: number;
  /** What the retried tries were answered: problem type (`overloaded`: refused before anything started; `temporal-unavailable`: the budget ran out). */
  startRetriesOn: Record<string, number>;
  /** The sandbox's first delivery attempt: acknowledged at − paid at (its own clock, per notification). */
  webhookAckMs: LatencySummary & { source: string; notAckedFirstAttempts: number };
  webhookAckHistogram: HistogramFigures;
  /** Sandbox paid at → the shop's GET that first showed PAID returned. */
  paidToVisibleMs: LatencySummary & { getPollIntervalMs: number; getsPerPayment: number; getsAnswered503: number };
  /** Sandbox paid at → the shop's endpoint received the signed payment.paid (first arrival); and from the workflow's PAID commit. */
  paidToMerchantWebhookMs: LatencySummary & { fromWorkflowPaid: LatencySummary; missing: number };
  codepayCallsPerPayment: { mean: number; max: number; byMethod: Record<string, number>; source: string };
  historyEventsPerPayment: HistoryLengths;
  /** The same payments' merchant webhook delivery workflows (`webhooks-<no>`), once payment.paid reached the shop. */
  webhookDeliveryEventsPerPayment: HistoryLengths;
  /** CPU ms per completed payment by process (utime + stime), over the closed loop. */
  cpuMsPerPayment: Record<string, number>;
  /** POST /v1/payments sent → the GET that first showed PAID returned. */
  paidEndToEndMs: LatencySummary;
  /** Payments whose GET first showed PAID, per second of the loop. */
  throughput: Throughput;
  samples: { startPaymentMs: number[]; paidEndToEndMs: number[]; webhookAckMs: number[] };
}

const GET_POLL_INTERVAL_MS = 20;
const PAID_TIMEOUT_MS = 60_000;

export async function runE2e(args: {
  api: MerchantApi;
  sandbox: SandboxControl;
  counter: CodePayCallCounter;
  client: Client;
  /** The shop's webhook endpoint (MERCHANT_WEBHOOK_URL). */
  merchant: MerchantEndpoint;
  count: number;
  concurrency: number;
  autoPayAfterMs: number;
  runId: string;
  /** The stack's processes, for CPU accounting. */
  pids: Map<string, number | undefined>;
}): Promise<E2eResult> {
  const { api, sandbox } = args;
  await sandbox.setFaults({ autoPayAfterMs: args.autoPayAfterMs, dropNotifications: 0, duplicateNotifications: 0 });
  const orderNo = (i: number) => `e${args.runId}-${i}`;
  const startLatencies: number[] = [];
  const endToEnd: number[] = [];
  const visibleAt = new Map<string, number>();
  const failures: string[] = [];
  let gets = 0;
  let getsRetried = 0;
  let retriedStarts = 0;
  let startRetries = 0;
  const startRetriesOn: Record<string, number> = {};
  const metricsBefore = await api.metricsText();
  const progress = createProgress('e2e', args.count);
  const cpuBefore = cpuSnapshot(args.pids);
  const loopStartedAt = Date.now();

  const wallMs = await runClosedLoop(args.count, args.concurrency, async (i) => {
    const no = orderNo(i);
    const begun = performance.now();
    try {
      const created = await api.createPayment({ merchantOrderNo: no, amount: '12.50', currency: 'USD', description: 'bench e2e' });
      startLatencies.push(created.ms);
      startRetries += created.retries;
      for (const on of created.retriedOn) startRetriesOn[on] = (startRetriesOn[on] ?? 0) + 1;
      if (created.retries > 0) retriedStarts += 1;
      // A retry after a 503 may find the payment an earlier try started: 200, the same payment.
      if (created.status !== 201 && !(created.status === 200 && created.retries > 0)) throw new Error(`create answered ${created.status}`);
      await sleep(args.autoPayAfterMs);
      const deadline = Date.now() + PAID_TIMEOUT_MS;
      for (;;) {
        const view = await api.getPayment(no).catch((err: unknown) => {
          // A shop reads again after a 503's Retry-After (a query that outlasted the API's budget).
          if (err instanceof HttpError && err.retryAfterMs !== undefined) return { retryAfterMs: err.retryAfterMs };
          throw err;
        });
        gets += 1;
        if ('body' in view && view.body.status === 'PAID') break;
        if ('body' in view && view.body.status !== 'CREATING' && view.body.status !== 'AWAITING_PAYMENT') throw new Error(`status ${view.body.status}`);
        if (Date.now() > deadline) throw new Error(`not PAID after ${PAID_TIMEOUT_MS} ms`);
        if ('retryAfterMs' in view) getsRetried += 1;
        await sleep('retryAfterMs' in view ? view.retryAfterMs : GET_POLL_INTERVAL_MS);
      }
      visibleAt.set(no, Date.now());
      endToEnd.push(performance.now() - begun);
    } catch (err) {
      failures.push(`${no}: ${(err as Error).message}`);
    }
    progress.tick();
  });
  const cpuAfter = cpuSnapshot(args.pids);
  progress.done();
  await sandbox.setFaults({ autoPayAfterMs: 0 });

  const ours = new Set(Array.from({ length: args.count }, (_, i) => orderNo(i)));
  const paidWebhooks = await waitForPaidWebhooks(args.merchant, [...visibleAt.keys()]);
  const records = (await sandbox.ledger()).filter((o) => ours.has(o.merchantOrderNo));
  const ack: number[] = [];
  const paidToVisible: number[] = [];
  const paidToMerchant: number[] = [];
  const workflowPaidToMerchant: number[] = [];
  let notAcked = 0;
  for (const record of records) {
    if (!record.endTime) continue;
    const paidAt = Date.parse(record.endTime);
    const first = record.notifications.find((n) => n.attempt === 1 && !n.duplicate);
    if (first?.outcome === 'acked') ack.push(Date.parse(first.at) - paidAt);
    else if (first) notAcked += 1;
    const visible = visibleAt.get(record.merchantOrderNo);
    if (visible !== undefined) paidToVisible.push(visible - paidAt);
    const received = paidWebhooks.get(record.merchantOrderNo);
    if (received?.receivedAt !== undefined) {
      paidToMerchant.push(received.receivedAt - paidAt);
      if (received.eventTimestamp) workflowPaidToMerchant.push(received.receivedAt - Date.parse(received.eventTimestamp));
    }
  }

  const calls = [...args.counter.byOrder()].filter(([no]) => ours.has(no)).map(([, byMethod]) => byMethod);
  const totals = calls.map((byMethod) => Object.values(byMethod).reduce((a, b) => a + b, 0));
  const byMethod: Record<string, number> = {};
  for (const counts of calls) for (const [method, n] of Object.entries(counts)) byMethod[method] = (byMethod[method] ?? 0) + n;
  const completed = visibleAt.size;

  return {
    count: args.count,
    concurrency: args.concurrency,
    autoPayAfterMs: args.autoPayAfterMs,
    completed,
    failures: { count: failures.length, first: failures.slice(0, 5) },
    wallSeconds: round(wallMs / 1000, 2),
    paymentsPerSecond: round(completed / (wallMs / 1000), 1),
    startPaymentMs: summarize(startLatencies),
    retriedStarts,
    startRetries,
    startRetriesOn,
    webhookAckMs: { ...summarize(ack), source: 'sandbox notification records: first attempt acknowledged at − order paid at', notAckedFirstAttempts: notAcked },
    webhookAckHistogram: webhookHistogramFigures(metricsBefore, await api.metricsText()),
    paidToVisibleMs: { ...summarize(paidToVisible), getPollIntervalMs: GET_POLL_INTERVAL_MS, getsPerPayment: round(gets / Math.max(1, args.count), 2), getsAnswered503: getsRetried },
    paidToMerchantWebhookMs: { ...summarize(paidToMerchant), fromWorkflowPaid: summarize(workflowPaidToMerchant), missing: [...visibleAt.keys()].filter((no) => !paidWebhooks.has(no)).length },
    codepayCallsPerPayment: {
      mean: round(totals.reduce((a, b) => a + b, 0) / Math.max(1, ours.size), 2),
      max: totals.reduce((a, b) => Math.max(a, b), 0),
      byMethod: Object.fromEntries(Object.entries(byMethod).map(([m, n]) => [m, round(n / Math.max(1, ours.size), 2)])),
      source: 'counting proxy in front of the sandbox (/api/entry requests)',
    },
    historyEventsPerPayment: await historySample(args.client, [...visibleAt.keys()], paymentWorkflowId),
    webhookDeliveryEventsPerPayment: await historySample(args.client, [...paidWebhooks.keys()], merchantWebhooksWorkflowId),
    cpuMsPerPayment: cpuMsPer(cpuBefore, cpuAfter, completed),
    paidEndToEndMs: summarize(endToEnd),
    throughput: throughput(visibleAt.values(), loopStartedAt),
    samples: { startPaymentMs: keepSamples(startLatencies), paidEndToEndMs: keepSamples(endToEnd), webhookAckMs: keepSamples(ack) },
  };
}

/** The first acknowledged, verified payment.paid of each paid payment, waiting up to 30 s for stragglers. */
async function waitForPaidWebhooks(merchant: MerchantEndpoint, paid: string[]) {
  const firsts = () => {
    const found = new Map<string, (typeof merchant.receipts)[number]>();
    for (const r of merchant.receipts) if (r.acked && r.verified && r.type === 'payment.paid' && !found.has(r.merchantOrderNo)) found.set(r.merchantOrderNo, r);
    return found;
  };
  const deadline = Date.now() + 30_000;
  while (paid.some((no) => !firsts().has(no)) && Date.now() < deadline) await sleep(200);
  return firsts();
}

interface HistoryLengths {
  sampled: number;
  mean: number;
  max: number;
}

/** History length of one workflow of each of up to 20 payments spread over the run (describe() is one call each). */
async function historySample(client: Client, orderNos: string[], workflowId: (no: string) => string): Promise<HistoryLengths> {
  const step = Math.max(1, Math.floor(orderNos.length / 20));
  const sample = orderNos.filter((_, i) => i % step === 0).slice(0, 20);
  const lengths = await Promise.all(sample.map(async (no) => (await client.workflow.getHandle(workflowId(no)).describe()).historyLength));
  return {
    sampled: lengths.length,
    mean: round(lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length), 1),
    max: lengths.reduce((a, b) => Math.max(a, b), 0),
  };
}
