/**
 * `npm run bench -- [--count N] [--concurrency C] [--mode e2e|lost|webhook|reconcile|all] [--rate R] …`:
 * starts the whole stack (dev server on SQLite, sandbox, worker, API) on its own ports and data
 * folder, drives it over HTTP, and prints a table, then the JSON summary as the last stdout line;
 * the summary is also written to .bench/<timestamp>-<mode>.json. See docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readPrivateKeyFile } from '../../src/codepay/keys';
import { isolatedStackEnv, startStack, Stack } from '../../src/tools/stack';
import { clusterAsExternalTemporal, RUN_CLUSTER_PORT_OFFSET, startTemporalCluster, type TemporalCluster } from '../../src/tools/temporal-cluster';
import { PROJECT_ROOT } from '../../src/tools/temporal-binaries';
import { runCeiling } from './ceiling';
import { writeBenchReport } from './charts/write-report';
import { startCodePayCallCounter } from './codepay-call-counter';
import { runE2e } from './e2e';
import { startOtlpSink } from './otlp-sink';
import { round } from './latency';
import { runLost } from './lost';
import { runReconcile } from './reconcile';
import { BenchOptions, parseBenchArgs } from './options';
import { BenchResults, cpuRatio, humanTable, targetChecks } from './report';
import { startRssSampler } from './rss-sampler';
import { summaryJson } from './samples';
import { merchantApi, sandboxControl } from './stack-client';
import { runWebhook } from './webhook';
import { startMerchantEndpoint } from '../chaos/merchant-endpoint';
import { createPrng } from '../chaos/prng';

/** The dev server's Prometheus /metrics: base port + this. */
const DEV_SERVER_METRICS_OFFSET = 4300;

function machineFacts() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAverage: os.loadavg().map((l) => round(l, 2)),
  };
}

function stackEnv(options: BenchOptions, dataDir: string, counterUrl: string, merchantWebhookUrl: string, otlpEndpoint?: string): NodeJS.ProcessEnv {
  // Off means off: isolatedStackEnv keeps the shell's OTEL_* out of the stack.
  const tracing = otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'always_on' } : {};
  return isolatedStackEnv(options.basePort, dataDir, {
    ...tracing,
    // The embedded default's CodePay base URL: the worker reaches the sandbox through the counter.
    SANDBOX_PUBLIC_URL: counterUrl,
    // The shop's own webhook endpoint, in this process, to time paid → merchant webhook received.
    MERCHANT_WEBHOOK_URL: merchantWebhookUrl,
    // Tuning knobs the bench is meant to try stay settable from the shell.
    // PAYMENT_POLL_SCHEDULE_SECONDS: e.g. to move the open payments' polls out of the webhook loop and see what they cost it.
    ...pick(process.env, ['LOG_LEVEL', 'WORKER_MAX_CONCURRENT_ACTIVITIES', 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 'WORKER_MAX_CACHED_WORKFLOWS', 'PAYMENT_POLL_SCHEDULE_SECONDS', 'API_START_CONCURRENCY', 'API_START_QUEUE', 'API_START_MAX_WAIT_MS', 'API_TEMPORAL_TIMEOUT_MS', 'RECONCILIATION_QUERIES_PER_SECOND']),
  });
}

function pick(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
}

/** The stack's processes run dist/: compile it from the current sources (incremental: quick when unchanged). */
function buildDist(): void {
  process.stderr.write('bench: npm run build…\n');
  const build = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  const startedAt = new Date();
  const machineBefore = machineFacts();
  const runId = Date.now().toString(36).slice(-6);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'codepay-bench-'));
  const log: string[] = [];
  const onOutput = (name: string, line: string) => {
    log.push(`[${name}] ${line}`);
    if (log.length > 200) log.shift();
  };
  const counter = await startCodePayCallCounter(options.basePort + 200, new URL(`http://127.0.0.1:${options.basePort + 100}`));
  const merchant = await startMerchantEndpoint(options.basePort + 400, createPrng(1));
  const otlp = options.tracing === 'on' ? await startOtlpSink() : undefined;
  let stack: Stack | undefined;
  let cluster: TemporalCluster | undefined;
  let connection: Connection | undefined;
  const results: BenchResults = {};
  const phaseSeconds: Record<string, number> = {};
  const phaseWindows: { phase: string; fromMs: number; toMs: number }[] = [];
  const timed = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const fromMs = Date.now();
    try {
      return await run();
    } finally {
      phaseSeconds[phase] = round((performance.now() - started) / 1000, 1);
      phaseWindows.push({ phase, fromMs, toMs: Date.now() });
    }
  };
  let failed = 0;
  try {
    if (options.services === 'node') await timed('build', async () => buildDist());
    process.stderr.write(`bench: starting the stack (data ${dataDir})…\n`);
    if (options.temporal === 'cluster') {
      const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
      cluster = await timed('clusterStart', () =>
        startTemporalCluster({ nodes: options.clusterNodes, portBase: options.basePort + RUN_CLUSTER_PORT_OFFSET, dataDir: path.join(dataDir, 'cluster'), say, onOutput }),
      );
    }
    const live = await timed('stackStart', () =>
      startStack({
        env: stackEnv(options, dataDir, counter.url, merchant.url, otlp?.endpoint),
        onOutput,
        devServer: { headless: true, sqlitePragmas: options.sqlitePragma, metricsPort: options.basePort + DEV_SERVER_METRICS_OFFSET },
        externalTemporal: cluster && clusterAsExternalTemporal(cluster),
        workers: options.workers,
        runtime: options.services,
      }),
    );
    stack = live;
    results.workerReadyMs = live.readyMs.get('worker');
    merchant.setSecret(live.merchantWebhookSecret);
    let crashed: string | undefined;
    live.onUnexpectedExit = (name, code) => (crashed = `${name} exited with code ${code}`);
    const pids = new Map<string, number | undefined>([...live.services].map(([name, service]) => [name, service.child.pid]));
    const serverPids = cluster ? cluster.pids() : new Map([['temporal-dev-server', live.devServer?.process.pid]]);
    for (const [name, pid] of serverPids) pids.set(name, pid);
    const rss = startRssSampler();
    for (const [name, pid] of pids) rss.watch(name, pid);
    rss.watch('bench', process.pid); // the load generator shares the machine: shown, not counted per payment
    connection = await Connection.connect({ address: live.temporalAddress });
    const client = new Client({ connection, namespace: live.config.temporal.namespace });
    const api = merchantApi(live.apiUrl, live.apiKey);
    const sandbox = sandboxControl(live.sandboxUrl!);
    const wants = (mode: BenchOptions['mode']) => options.mode === mode || options.mode === 'all';

    if (wants('e2e')) {
      results.e2e = await timed('e2e', () =>
        runE2e({ api, sandbox, counter, client, merchant, count: options.count, concurrency: options.concurrency, autoPayAfterMs: options.autoPayAfterMs, runId, pids }),
      );
      failed += results.e2e.failures.count;
    }
    if (wants('e2e') && options.ceiling === 'on') {
      results.ceiling = await timed('ceiling', () =>
        runCeiling({
          env: live.env,
          temporalAddress: live.temporalAddress,
          namespace: live.config.temporal.namespace,
          count: options.count,
          concurrency: options.concurrency,
          runId,
          rss,
          serverPids,
          onOutput,
        }),
      );
      results.ratio = round(results.e2e!.paymentsPerSecond / results.ceiling.workflowsPerSecond, 2);
    }
    if (wants('webhook')) {
      results.webhook = await timed('webhook', () =>
        runWebhook({
          api,
          sandbox,
          webhookUrl: `${live.apiUrl}/webhooks/codepay`,
          gatewayKey: readPrivateKeyFile(live.env.SANDBOX_GATEWAY_PRIVATE_KEY_FILE!),
          rate: options.rate,
          durationSeconds: options.duration,
          openPayments: options.openPayments ?? Math.min(200, options.count),
          concurrency: options.concurrency,
          runId,
          counter,
          claim: options.claim,
          pids,
          serverMetricsText: cluster ? undefined : async () => (await fetch(`http://127.0.0.1:${options.basePort + DEV_SERVER_METRICS_OFFSET}/metrics`)).text(),
        }),
      );
      failed += results.webhook.errors.count + results.webhook.openFailures.count;
    }
    if (wants('lost')) {
      results.lost = await timed('lost', () =>
        runLost({
          api,
          sandbox,
          counter,
          pollScheduleMs: live.config.payments.pollScheduleMs,
          defaultExpiresSeconds: live.config.payments.defaultExpiresSeconds,
          cancelMethod: live.config.codepay.methods.cancel,
          count: options.lostCount,
          payAfterSeconds: options.lostPayAfter,
          expiresSeconds: options.lostExpires,
          runId,
        }),
      );
      failed += results.lost.failures.count;
    }
    if (options.mode === 'reconcile') {
      results.reconcile = await timed('reconcile', () =>
        runReconcile({
          api,
          sandbox,
          client,
          counter,
          taskQueue: live.config.temporal.taskQueue,
          count: options.count,
          concurrency: options.concurrency,
          queriesPerSecondLimit: live.config.reconciliation.queriesPerSecond,
          runId,
          pids,
        }),
      );
      failed += results.reconcile.checked === options.count && results.reconcile.exceptions === 0 ? 0 : 1;
    }
    if (otlp) {
      const { requests, bytes } = otlp.stats();
      results.tracing = { exportRequests: requests, exportBytes: bytes };
    }
    results.memory = rss.stop();
    for (const w of phaseWindows) rss.phase(w.phase, w.fromMs, w.toMs);
    results.timeline = rss.timeline();
    if (crashed) throw new Error(crashed);
  } catch (err) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n--- last stack output ---\n${log.slice(-40).join('\n')}\n`);
    return 1;
  } finally {
    await connection?.close();
    await stack?.stop();
    await cluster?.stop();
    await counter.close();
    await merchant.close();
    await otlp?.close();
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }

  const checks = targetChecks(results);
  const summary = {
    bench: 'codepay-temporal',
    mode: options.mode,
    startedAt: startedAt.toISOString(),
    durationSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...machineBefore, loadAverageBefore: machineBefore.loadAverage, loadAverageAfter: machineFacts().loadAverage },
    options,
    settings: {
      worker: stack!.config.worker,
      pollScheduleSeconds: stack!.config.payments.pollScheduleMs.map((ms) => ms / 1000),
      sqlitePragmas: options.sqlitePragma,
      temporal: cluster ? { cluster: cluster.nodes.length, version: cluster.version } : 'dev server',
      workerProcesses: options.workers,
    },
    phaseSeconds,
    ...results,
    cpuRatio: cpuRatio(results),
    targets: checks,
    failures: failed,
  };
  const file = path.join(PROJECT_ROOT, '.bench', `${startedAt.toISOString().replace(/[:.]/g, '-')}-${options.mode}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${summaryJson(summary)}\n`);
  const table = humanTable(results, checks);
  const report = writeBenchReport(summary, { htmlFile: file.replace(/\.json$/, '.html'), svgDir: options.svgDir, table });
  process.stdout.write(`${table}\nwritten to ${[file, ...report].map((f) => path.relative(PROJECT_ROOT, f)).join(', ')}\n${JSON.stringify(summary)}\n`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.message}\n`);
    process.exit(1);
  },
);
