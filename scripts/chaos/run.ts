/**
 * `npm run chaos -- --payments N --seed S --concurrency C [--quick]`: drives many payments end to
 * end through the real processes (Temporal dev server, sandbox, worker, API) while the gateway
 * misbehaves and the processes are killed and restarted, then reconciles every payment's workflow
 * state against the sandbox ledger, runs the bad-input campaign, replays every workflow history of
 * the run against the current bundle, closes with a reconciliation over the chaos window after a few
 * overrides at the sandbox (books.ts), and prints a table and one JSON line. Exits 1 on any violation.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readPrivateKeyFile } from '../../src/codepay/keys';
import { paymentWorkflowId } from '../../src/workflows/messages';
import { EXPIRES_MIN_SECONDS } from '../../src/api/payments-schemas';
import { type PaymentResponse } from '../../src/views/payment-response';
import { createProgress, percentile } from '../../src/tools/progress';
import { isolatedStackEnv, startStack, type Stack } from '../../src/tools/stack';
import { clusterAsExternalTemporal, RUN_CLUSTER_PORT_OFFSET, startTemporalCluster, type TemporalCluster } from '../../src/tools/temporal-cluster';
import { apiCases, runBadInput, webhookCases } from './bad-input';
import { createDriver, newDriverRecord, type DriverRecord } from './driver';
import { setWeather, startWeather } from './gateway-faults';
import { createHttpClient, newHttpStats } from './http';
import { fetchLedger } from './ledger';
import { createLiar, newLieTally } from './notification-lies';
import { parseChaosOptions, type ChaosOptions } from './options';
import { PAYMENT_KINDS, planPayments, type PaymentPlan } from './plan';
import { mapPool } from './pool';
import { createPrng } from './prng';
import { startProcessChaos } from './process-faults';
import { startMerchantEndpoint, type MerchantEndpoint } from './merchant-endpoint';
import { isQuiescent, reconcile, type Finding } from './reconcile';
import { formatReport, reportJsonLine, violationCount, type ChaosReport } from './report';
import { replayEverything } from './replay-all';
import { closingReconciliation, formatBooks } from './books';
import { diffSnapshots, ledgerEssence, paymentEssence } from './snapshot';
import { checkWebhooks } from './webhook-check';

/** Histories fetched at once at the end: ~1,400 of a 500-payment run take well under a minute. */
const REPLAY_FETCH_CONCURRENCY = 16;

/** The merchant endpoint's port: base + 200 (between the sandbox's +100 and the worker metrics' +300). */
const merchantPort = (options: ChaosOptions) => options.basePort + 200;

function stackEnv(options: ChaosOptions, dataDir: string): NodeJS.ProcessEnv {
  return isolatedStackEnv(options.basePort, dataDir, {
    // CodePay's 12 h notification retry schedule in ~7 minutes; polls every few seconds.
    SANDBOX_NOTIFY_TIME_SCALE: '0.01',
    PAYMENT_POLL_SCHEDULE_SECONDS: '1,2,3',
    PAYMENT_REFUND_WINDOW_SECONDS: '900',
    // Timeouts after commit should cost seconds, not the default 10.
    CODEPAY_TIMEOUT_MS: '2000',
    MERCHANT_WEBHOOK_URL: `http://127.0.0.1:${merchantPort(options)}/webhooks`,
    // ~2 minutes of retries: longer than any merchant outage below, so every event gets through.
    MERCHANT_WEBHOOK_RETRY_SECONDS: '1,2,4,8,15,30,60',
  });
}

/** A leftover process on one of the run's ports would answer in place of the run's own (and its keys would not match). */
async function requireFreePorts(options: ChaosOptions): Promise<void> {
  const ports = Object.entries(stackEnv(options, '')).filter(([k]) => k.endsWith('_PORT')).map(([, v]) => Number(v));
  const taken = await Promise.all(
    ports.map(
      (port) =>
        new Promise<number | undefined>((resolve) => {
          const socket = net.connect({ port, host: '127.0.0.1' });
          socket.once('connect', () => {
            socket.destroy();
            resolve(port);
          });
          socket.once('error', () => resolve(undefined));
        }),
    ),
  );
  const busy = taken.filter((p) => p !== undefined);
  if (busy.length) throw new Error(`ports ${busy.join(', ')} are in use (another run?); pick others with --base-port`);
}

/** Until no payment has a webhook event still pending or failing (they are all delivered or failed). */
async function waitForWebhooks(nos: string[], getPayment: (no: string) => Promise<PaymentResponse | undefined>, budgetMs: number, views: Map<string, PaymentResponse | undefined>): Promise<void> {
  const deadline = Date.now() + budgetMs;
  const progress = createProgress('chaos: webhooks', nos.length);
  let done = new Set<string>();
  for (;;) {
    const pending = nos.filter((no) => !done.has(no));
    await mapPool(pending, 8, async (no) => views.set(no, await getPayment(no)));
    const settled = (view: PaymentResponse | undefined) => view?.webhooks !== undefined && view.webhooks.every((w) => w.status === 'delivered' || w.status === 'failed');
    const now = new Set(nos.filter((no) => views.get(no) === undefined || settled(views.get(no))));
    progress.tick(now.size - done.size);
    done = now;
    if (done.size === nos.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  progress.done();
}

/** Asks for a redelivery of every `failed` webhook event; returns their ids. */
async function redeliverFailed(nos: string[], views: Map<string, PaymentResponse | undefined>, redeliver: (no: string, eventId: string) => Promise<unknown>): Promise<Set<string>> {
  const failed = nos.flatMap((no) => (views.get(no)?.webhooks ?? []).filter((w) => w.status === 'failed').map((w) => [no, w.eventId] as const));
  await mapPool(failed, 8, ([no, eventId]) => redeliver(no, eventId));
  return new Set(failed.map(([, eventId]) => eventId));
}

async function waitForQuiescence(
  nos: string[],
  getPayment: (no: string) => Promise<PaymentResponse | undefined>,
  budgetMs: number,
): Promise<Map<string, PaymentResponse | undefined>> {
  const views = new Map<string, PaymentResponse | undefined>();
  const progress = createProgress('chaos: settling', nos.length);
  const deadline = Date.now() + budgetMs;
  let settled = new Set<string>();
  for (;;) {
    const pending = nos.filter((no) => !settled.has(no));
    await mapPool(pending, 8, async (no) => views.set(no, await getPayment(no)));
    const now = new Set(nos.filter((no) => {
      const view = views.get(no);
      return view === undefined || isQuiescent(view);
    }));
    progress.tick(now.size - settled.size);
    settled = now;
    if (settled.size === nos.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  progress.done();
  // One last full read, so the reconciliation sees every payment as it is now.
  await mapPool(nos, 8, async (no) => views.set(no, await getPayment(no)));
  return views;
}

function servicesAlive(stack: Stack): boolean {
  const running = (p: { exitCode: number | null; signalCode: NodeJS.Signals | null }) => p.exitCode === null && p.signalCode === null;
  return [...stack.services.values()].every((s) => running(s.child)) && (!stack.devServer || running(stack.devServer.process));
}

function outcomes(plans: PaymentPlan[], views: Map<string, PaymentResponse | undefined>) {
  const byKind: Record<string, Record<string, number>> = {};
  const unexpected: Finding[] = [];
  for (const plan of plans) {
    const view = views.get(plan.merchantOrderNo);
    const status = view?.status ?? 'MISSING';
    const kind = (byKind[plan.kind] ??= {});
    kind[status] = (kind[status] ?? 0) + 1;
    const expected: readonly string[] = PAYMENT_KINDS[plan.kind].expected;
    if (view && !expected.includes(status)) {
      unexpected.push({ merchantOrderNo: plan.merchantOrderNo, rule: `kind ${plan.kind}`, expected: expected.join(' | '), actual: `${status}${view.error ? ` (${view.error.code}: ${view.error.message})` : ''}` });
    }
  }
  return { byKind, unexpected };
}

function timeToFinal(plans: PaymentPlan[], views: Map<string, PaymentResponse | undefined>): ChaosReport['timeToFinal'] {
  const regular: number[] = [];
  const expiring: number[] = [];
  for (const plan of plans) {
    const view = views.get(plan.merchantOrderNo);
    if (!view || !isQuiescent(view)) continue;
    const last = Math.max(Date.parse(view.updatedAt), ...view.refunds.map((r) => Date.parse(r.completedAt ?? view.updatedAt)));
    (plan.kind === 'expire' ? expiring : regular).push(last - Date.parse(view.createdAt));
  }
  return { maxMs: Math.max(0, ...regular), p50Ms: percentile(regular, 50) ?? 0, p99Ms: percentile(regular, 99) ?? 0, maxExpireMs: Math.max(0, ...expiring) };
}

/** Admitted refunds must all be in the final view; a 2xx that left no refund lost the request. */
function admittedRefundsKept(record: DriverRecord, views: Map<string, PaymentResponse | undefined>): Finding[] {
  const findings: Finding[] = [];
  for (const [no, refundNos] of record.admittedRefunds) {
    const known = new Set(views.get(no)?.refunds.map((r) => r.refundNo) ?? []);
    for (const refundNo of refundNos) {
      if (!known.has(refundNo)) findings.push({ merchantOrderNo: no, rule: 'admitted refund kept', expected: `refund ${refundNo} in the view`, actual: 'absent' });
    }
  }
  return findings;
}

async function main(): Promise<number> {
  const options = parseChaosOptions(process.argv.slice(2));
  const began = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'codepay-chaos-'));
  const logFile = path.join(dataDir, 'stack.log');
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`chaos: seed ${options.seed}, ${options.payments} payments, concurrency ${options.concurrency}, Temporal ${options.temporal}, ${options.workers} worker process(es); data and logs in ${dataDir}`);

  await requireFreePorts(options);
  const endpointPrng = createPrng(options.seed ^ 0x5eed);
  const merchant: MerchantEndpoint = await startMerchantEndpoint(merchantPort(options), endpointPrng.fork());
  const crashes: string[] = [];
  const onOutput = (name: string, line: string) => appendFileSync(logFile, `${new Date().toISOString()} [${name}] ${line}\n`);
  let cluster: TemporalCluster | undefined;
  if (options.temporal === 'cluster') {
    cluster = await startTemporalCluster({ nodes: 2, portBase: options.basePort + RUN_CLUSTER_PORT_OFFSET, dataDir: path.join(dataDir, 'cluster'), say: (l) => say(`chaos: ${l}`), onOutput });
  }
  const stack = await startStack({
    env: stackEnv(options, dataDir),
    onOutput,
    devServer: { headless: true },
    externalTemporal: cluster && clusterAsExternalTemporal(cluster),
    workers: options.workers,
  }).catch(async (err: unknown) => {
    await merchant.close();
    await cluster?.stop();
    throw err;
  });
  merchant.setSecret(stack.merchantWebhookSecret);
  stack.onUnexpectedExit = (name, code) => {
    crashes.push(`${name} (exit ${code})`);
    // A new sandbox would start with an empty ledger: nothing left to reconcile against.
    if (name !== 'sandbox') void stack.restart(name).catch((err: Error) => crashes.push(`${name} restart failed: ${err.message}`));
  };
  const interrupt = (signal: NodeJS.Signals) => {
    say(`chaos: ${signal}, stopping the stack (data kept in ${dataDir})`);
    void stack.stop().then(() => cluster?.stop()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let failed = true;
  try {
    const stats = newHttpStats();
    const api = createHttpClient({ baseUrl: stack.apiUrl, headers: { authorization: `Bearer ${stack.apiKey}` }, budgetMs: 180_000, attemptTimeoutMs: 45_000, stats });
    const sandbox = createHttpClient({ baseUrl: stack.sandboxUrl!, budgetMs: 60_000, attemptTimeoutMs: 10_000, stats: newHttpStats() });
    const record = newDriverRecord();
    // The gateway's own key, from the stack's DATA_DIR: what signs every merchant's notifications.
    const gatewayPaths = stack.env.SANDBOX_GATEWAY_PRIVATE_KEY_FILE ?? path.join(dataDir, 'keys', 'gateway-private.pem');
    const identity = { appId: stack.config.sandbox.appId, merchantNo: stack.config.sandbox.merchantNo, privateKey: readPrivateKeyFile(gatewayPaths) };
    const lies = newLieTally();
    const webhook = createHttpClient({ baseUrl: stack.apiUrl, budgetMs: 60_000, attemptTimeoutMs: 10_000, stats: newHttpStats() });
    const prng = createPrng(options.seed);
    const plans = planPayments(options.payments, options.seed, prng.fork(), EXPIRES_MIN_SECONDS);

    // 1. Drive every payment while the gateway's weather changes and processes crash.
    const weather = startWeather(sandbox, prng.fork(), [3_000, 10_000]);
    const chaos = startProcessChaos(stack, prng.fork(), {
      quick: options.quick,
      minGapMs: options.quick ? 3_000 : 5_000,
      maxGapMs: options.quick ? 6_000 : 15_000,
      timedKillGapMs: options.quick ? 3_000 : 5_000,
      onFault: (f) => appendFileSync(logFile, `${new Date().toISOString()} [chaos] ${f.fault} took ${f.tookMs} ms${f.error ? `: ${f.error}` : ''}\n`),
    });
    const operator = createHttpClient({ baseUrl: stack.apiUrl, headers: { authorization: `Bearer ${stack.operatorKey}` }, budgetMs: 180_000, attemptTimeoutMs: 45_000, stats });
    const driver = createDriver(api, sandbox, record, { liar: createLiar(webhook, identity, lies), operator, killWorkerIn: (ms) => chaos.killWorkerIn(ms) });
    merchant.startWeather(endpointPrng.fork(), [2_000, 8_000]);
    const progress = createProgress('chaos: driving', plans.length);
    await mapPool(plans, options.concurrency, async (plan) => {
      await driver.drive(plan);
      progress.tick(1, record.contract.length ? `${record.contract.length} contract violations` : '');
    });
    progress.done();
    say('chaos: waiting for the remaining process faults');
    await chaos.stop();
    await weather.stop();
    await merchant.stopWeather();
    // Faults go on while the payments settle, gentler: the system must converge under them too.
    await setWeather(sandbox, 'lossy');
    const driveEnded = Date.now();

    // 2. Wait for rest, then reconcile every payment against the ledger.
    const nos = [...record.attempted];
    const views = await waitForQuiescence(nos, driver.getPayment, options.settleSeconds * 1000);
    await waitForWebhooks(nos, driver.getPayment, options.settleSeconds * 1000, views);
    // Events that used up their retries while the endpoint was bad end `failed`, by design; the
    // merchant's remedy is a redelivery once its endpoint is back (calm now), after which every
    // event must have arrived: what the check below demands.
    const redelivered = await redeliverFailed(nos, views, (no, eventId) => api.request('POST', `/v1/payments/${no}/events/${eventId}/redeliver`));
    if (redelivered.size > 0) {
      say(`chaos: redelivering ${redelivered.size} failed webhook events in calm weather`);
      await waitForWebhooks(nos, driver.getPayment, options.settleSeconds * 1000, views);
    }
    const settleSeconds = (Date.now() - driveEnded) / 1000;
    await setWeather(sandbox, 'calm');
    const webhooks = checkWebhooks(views, merchant.receipts, redelivered);
    const ledger = await fetchLedger(sandbox);
    const reconciliation = reconcile(views, ledger);
    const { byKind, unexpected } = outcomes(plans, views);

    // 3. Bad input: nothing may change, nothing may crash.
    const context = { apiKey: stack.apiKey, identity, ledger, views };
    const cases = [...webhookCases(context), ...apiCases(context)];
    const badProgress = createProgress('chaos: bad input', cases.length);
    // No default Authorization header: each case brings its own (or none).
    const bare = createHttpClient({ baseUrl: stack.apiUrl, budgetMs: 0, attemptTimeoutMs: 30_000, stats: newHttpStats() });
    const badInput = await runBadInput(cases, bare, () => badProgress.tick());
    badProgress.done();
    const viewsAfter = new Map<string, PaymentResponse | undefined>();
    await mapPool(nos, 8, async (no) => viewsAfter.set(no, await driver.getPayment(no)));
    const ledgerAfter = await fetchLedger(sandbox);
    const essence = (m: Map<string, PaymentResponse | undefined>) => new Map([...m].map(([k, v]) => [k, paymentEssence(v)]));
    const badInputChanges = [...diffSnapshots(essence(views), essence(viewsAfter), 'payment'), ...diffSnapshots(ledgerEssence(ledger), ledgerEssence(ledgerAfter), 'gateway order')];
    const health = await api.request('GET', '/healthz', undefined, { retry: false }).catch(() => undefined);

    // 4. Replay everything: every history of the run against the bundle the worker runs.
    const replay = await replayEverything({
      address: stack.temporalAddress, namespace: stack.config.temporal.namespace, concurrency: REPLAY_FETCH_CONCURRENCY,
      expected: nos.filter((no) => views.get(no) !== undefined).map(paymentWorkflowId),
    });

    // 5. The books: a few payments overridden at CodePay, then one reconciliation over the chaos window.
    const books = await closingReconciliation({ operator, sandbox, views, from: new Date(began), prng: prng.fork(), say });

    const report: ChaosReport = {
      seed: options.seed,
      payments: options.payments,
      concurrency: options.concurrency,
      durationSeconds: (Date.now() - began) / 1000,
      settleSeconds,
      started: record.startedAt.size,
      finalStates: reconciliation.finalStates,
      byKind,
      unexpectedOutcomes: unexpected,
      mismatches: reconciliation.mismatches,
      moneyViolations: [...reconciliation.moneyViolations, ...admittedRefundsKept(record, views)],
      contractViolations: record.contract,
      unsettled: reconciliation.unsettled,
      notifications: reconciliation.notifications,
      notificationLies: lies,
      processFaults: chaos.log,
      timedKillsSkipped: chaos.timedKillsSkipped,
      crashes,
      weatherSeconds: weather.seconds,
      http: stats,
      refusals: record.refusals,
      gaveUp: record.gaveUp,
      badInput,
      badInputChanges,
      servicesAlive: servicesAlive(stack) && health?.status === 200,
      timeToFinal: timeToFinal(plans, views),
      webhooks: { ...webhooks, redelivered: redelivered.size, weatherSeconds: merchant.weatherSeconds },
      replay,
    };
    process.stdout.write(formatBooks(books));
    process.stdout.write(formatReport(report));
    process.stdout.write(`${reportJsonLine(report)}\n`);
    failed = violationCount(report) > 0 || books.violations.length > 0;
    return failed ? 1 : 0;
  } finally {
    await stack.stop();
    await merchant.close();
    await cluster?.stop();
    if (!failed && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
    else say(`chaos: data and logs kept in ${dataDir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`chaos run failed: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
