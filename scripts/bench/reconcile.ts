import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { ReportSummary } from '../../src/reconciliation/report';
import { RECONCILIATION_WORKFLOW_TYPE, type ReconciliationInput } from '../../src/workflows/reconciliation-messages';
import { runClosedLoop } from './closed-loop';
import type { CodePayCallCounter } from './codepay-call-counter';
import { round } from './latency';
import { cpuMsPer, cpuSnapshot } from './process-cpu';
import type { MerchantApi, SandboxControl } from './stack-client';

/**
 * `--mode reconcile` (docs/performance.md, "Reconciliation"): `count` payments made and paid
 * through the real API and sandbox, then one reconciliation over the window that holds them,
 * measured alone: its wall time, its CodePay queries (through the counting proxy), its history
 * events over every run of its continue-as-new chain, and the CPU each process spent meanwhile.
 */
export interface ReconcileResult {
  count: number;
  checked: number;
  matched: number;
  pending: number;
  exceptions: number;
  wallSeconds: number;
  paymentsPerSecond: number;
  codepayQueries: number;
  codepayQueriesPerSecond: number;
  /** RECONCILIATION_QUERIES_PER_SECOND the worker ran with. */
  queriesPerSecondLimit: number;
  runs: number;
  historyEvents: number;
  historyEventsPer1000Payments: number;
  /** CPU ms per reconciled payment by process, over the reconciliation only. */
  cpuMsPerPayment: Record<string, number>;
  /** Making and paying the payments first (not part of the figures above). */
  setupSeconds: number;
}

const PAID_TIMEOUT_MS = 15 * 60_000;

export async function runReconcile(args: {
  api: MerchantApi;
  sandbox: SandboxControl;
  client: Client;
  counter: CodePayCallCounter;
  taskQueue: string;
  count: number;
  concurrency: number;
  queriesPerSecondLimit: number;
  runId: string;
  pids: Map<string, number | undefined>;
}): Promise<ReconcileResult> {
  const { api, sandbox, client, counter, count, runId } = args;
  const setupStarted = performance.now();
  const from = new Date(Date.now() - 1000).toISOString();
  await sandbox.setFaults({ autoPayAfterMs: 50 });
  await runClosedLoop(count, args.concurrency, async (i) => {
    await api.createPayment({ merchantOrderNo: `RC${runId}${i}`, amount: '10.00', currency: 'USD', description: 'reconcile bench' });
  });
  const paidQuery = `WorkflowType = 'paymentWorkflow' AND TaskQueue = '${args.taskQueue}' AND PaymentStatus = 'PAID'`;
  const deadline = Date.now() + PAID_TIMEOUT_MS;
  for (;;) {
    const paid = (await client.workflow.count(paidQuery)).count;
    process.stderr.write(`bench: reconcile setup: ${paid}/${count} paid\n`);
    if (paid >= count) break;
    if (Date.now() > deadline) throw new Error(`only ${paid} of ${count} payments paid after ${PAID_TIMEOUT_MS / 60_000} min`);
    await sleep(2000);
  }
  await sleep(1500); // visibility settles
  const to = new Date().toISOString();
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  const workflowId = `bench-reconciliation-${runId}`;
  const cpuBefore = cpuSnapshot(args.pids);
  const callsBefore = counter.calls.length;
  const started = performance.now();
  const summary = (await client.workflow.execute<(input: ReconciliationInput) => Promise<ReportSummary>>(RECONCILIATION_WORKFLOW_TYPE, {
    taskQueue: args.taskQueue,
    workflowId,
    args: [{ from, to, trigger: 'api' }],
  })) as ReportSummary;
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(args.pids);
  const queries = counter.calls.slice(callsBefore).filter((c) => c.method === 'order.query' || c.method === 'order.refund.query').length;

  let runs = 0;
  let historyEvents = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs += 1;
    historyEvents += run.historyLength;
  }
  return {
    count,
    checked: summary.checked,
    matched: summary.matched,
    pending: summary.pending,
    exceptions: summary.exceptions,
    wallSeconds: round(wallSeconds, 1),
    paymentsPerSecond: round(summary.checked / wallSeconds, 1),
    codepayQueries: queries,
    codepayQueriesPerSecond: round(queries / wallSeconds, 1),
    queriesPerSecondLimit: args.queriesPerSecondLimit,
    runs,
    historyEvents,
    historyEventsPer1000Payments: round((historyEvents / Math.max(1, summary.checked)) * 1000, 0),
    cpuMsPerPayment: cpuMsPer(cpuBefore, cpuAfter, summary.checked),
    setupSeconds: round(setupSeconds, 1),
  };
}
