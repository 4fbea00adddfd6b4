/**
 * The worker process (`npm run worker`): runs the payment, refund and merchant webhook workflows,
 * the CodePay and webhook activities on the configured task queue. `createPaymentWorker` is also what tests, the
 * end-to-end stack and benchmarks use, with their own connection, activities or bundle.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry, type WorkflowBundleOption } from '@temporalio/worker';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { createCodePayActivities, type CodePayActivities } from './activities/codepay-activities';
import { createReconciliationActivities } from './activities/reconciliation-activities';
import { createWebhookActivities, type WebhookActivities } from './activities/webhook-activities';
import { codePayClientOptionsFromConfig, createCodePayClient } from './codepay/client';
import { warmUpCodePay } from './codepay/warm-up';
import { assertMerchantWebhookConfig, loadConfig, type Config } from './config';
import { createPacer } from './reconciliation/pacer';
import { ReportStore } from './reconciliation/report-store';
import { ensureReconciliationSchedule } from './reconciliation/schedule';
import { LiveFiles, type LiveFileStatus } from './secrets/live-file';
import { traceLogFields } from './telemetry/log-fields';
import { clientTracingInterceptors, workerTracingOptions } from './telemetry/temporal-tracing';
import { SERVICE_NAMES, startTracing, type Tracing } from './telemetry/tracing';
import { temporalConnectionOptions } from './temporal-connection';
import { prepareWorkflowBundle, serviceWorkflowBundleSource } from './tools/workflow-bundle';
// Type only, started by name: the worker's own process never loads workflow code.
import type { workerWarmUpWorkflow } from './workflows';

export interface PaymentWorkerOptions {
  config: Config;
  connection: NativeConnection;
  /** Defaults to the activities over the real CodePay client of `config`, warmed up offline first (codepay/warm-up.ts). */
  activities?: CodePayActivities;
  /** Defaults to the merchant webhook activities of `config` over this connection. */
  webhookActivities?: WebhookActivities;
  /** A pre-built bundle (tests, benchmarks); defaults to the cached bundle of src/workflows (tools/workflow-bundle.ts). */
  workflowBundle?: WorkflowBundleOption;
  taskQueue?: string;
  /** The process's live files: key and secret files are re-read through them (main: with its logger and metric). */
  files?: LiveFiles;
  /** Tracing of this process (telemetry/tracing.ts): adds the Temporal interceptors and the workflow span sink, and the traced bundle. */
  tracing?: Tracing;
}

/** The activities over the real CodePay client, its cold paths run once before the first payment needs them. */
function warmCodePayActivities(config: Config, files: LiveFiles): CodePayActivities {
  const codePay = codePayClientOptionsFromConfig(config, files);
  warmUpCodePay(codePay);
  return createCodePayActivities(createCodePayClient(codePay));
}

export async function createPaymentWorker(options: PaymentWorkerOptions): Promise<Worker> {
  const { config, tracing, files = new LiveFiles() } = options;
  const activities = options.activities ?? warmCodePayActivities(config, files);
  assertMerchantWebhookConfig(config);
  const client = new Client({ connection: options.connection, namespace: config.temporal.namespace, interceptors: { workflow: clientTracingInterceptors(tracing) } });
  const webhookActivities = options.webhookActivities ?? createWebhookActivities({ config, client, files });
  const reconciliationActivities = createReconciliationActivities({
    client,
    codepay: activities,
    store: new ReportStore(config.reconciliation.reportsDir),
    pace: createPacer(config.reconciliation.queriesPerSecond),
  });
  const bundleSource = serviceWorkflowBundleSource({ traced: tracing !== undefined });
  return Worker.create({
    ...(tracing ? workerTracingOptions(tracing) : {}),
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    activities: { ...activities, ...webhookActivities, ...reconciliationActivities },
    workflowBundle: options.workflowBundle ?? { codePath: (await prepareWorkflowBundle(bundleSource)).codePath },
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
  });
}

/**
 * Runs `workerWarmUpWorkflow` once, started eagerly: the server hands its first task straight to
 * this process's worker (the client shares the worker's connection), so this worker's workflow
 * thread, not another replica's, compiles the payment's code before the first payment needs it.
 * Then deletes the completed run: the Web UI's workflow list is the operator's, and a warm-up per
 * worker start would pile up there until retention. (Replaying a recorded history instead warms
 * nothing: `Worker.runReplayHistories` builds a replay worker with workflow threads of its own.)
 */
export async function warmUpWorkflows(client: Client, taskQueue: string): Promise<{ workflowId: string; runId: string; ms: number; deleted: boolean }> {
  const started = performance.now();
  const workflowId = `worker-warm-up-${hostname()}-${process.pid}-${Date.now()}`;
  const handle = await client.workflow.start<typeof workerWarmUpWorkflow>('workerWarmUpWorkflow', {
    taskQueue,
    workflowId,
    requestEagerStart: true,
    staticSummary: 'Worker warm-up: no payment, no CodePay call',
    workflowExecutionTimeout: '1m',
  });
  await handle.result();
  const ms = Math.round(performance.now() - started);
  // The warm-up did its work either way; a refused delete only leaves it in the list.
  const deleted = await client.workflowService
    .deleteWorkflowExecution({ namespace: client.options.namespace, workflowExecution: { workflowId, runId: handle.firstExecutionRunId } })
    .then(() => true, () => false);
  return { workflowId, runId: handle.firstExecutionRunId, ms, deleted };
}

/** `127.0.0.1:9464`, `[::1]:9464`: the socket address the SDK's Prometheus exporter binds. */
export const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Routes the SDK's own logs (core and workflow/activity loggers) into pino. */
function sdkLogger(logger: Logger): DefaultLogger {
  const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  return new DefaultLogger('INFO', (entry: LogEntry) => logger[levels[entry.level]](entry.meta ?? {}, entry.message));
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, name: 'worker', mixin: traceLogFields });
  const tracing = startTracing({ serviceName: SERVICE_NAMES.worker });
  const metricsPort = config.worker.metricsPort;
  Runtime.install({
    logger: sdkLogger(logger),
    telemetryOptions: metricsPort > 0 ? { metrics: { prometheus: { bindAddress: hostPort(config.bindHost, metricsPort) } } } : {},
  });
  // Same gauge as the API's (secret_file_last_reload_successful), through the SDK's Prometheus endpoint.
  const secretFileGauge = Runtime.instance().metricMeter.createGauge(
    'secret_file_last_reload_successful',
    'int',
    '',
    "1 when the secret file's latest content is in use, 0 when it was refused and the last good content still is",
  );
  const files = new LiveFiles({
    logger: logger.child({ component: 'secrets' }),
    onStatus: (status: LiveFileStatus) => secretFileGauge.set(status.ok ? 1 : 0, { variable: status.variable, file: status.file }),
  });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await createPaymentWorker({ config, connection, files, tracing });
  const stop = (signal: string) => {
    // A terminal's Ctrl-C reaches us directly and again as SIGTERM from `npm start`: stop once.
    if (worker.getState() !== 'RUNNING') return;
    logger.info({ signal }, 'shutting down: finishing in-flight tasks');
    worker.shutdown();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  logger.info(
    { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, metrics: metricsPort > 0 ? `:${metricsPort}/metrics` : 'off' },
    'worker running',
  );
  const client = new Client({ connection, namespace: config.temporal.namespace });
  try {
    const schedule = await ensureReconciliationSchedule(client, { cron: config.reconciliation.cron, taskQueue: config.temporal.taskQueue });
    logger.info({ schedule, cron: config.reconciliation.cron ?? 'off' }, 'reconciliation schedule');
  } catch (error) {
    logger.error({ error: String(error) }, 'reconciliation schedule could not be created or updated; the next worker start tries again');
  }
  try {
    const running = worker.run();
    warmUpWorkflows(client, config.temporal.taskQueue).then(
      (warmUp) => logger.info(warmUp, 'workflow code warmed up'),
      (error: unknown) => logger.warn({ error: String(error) }, 'workflow warm-up failed; the first payments pay for it'),
    );
    await running;
  } finally {
    await connection.close();
    await tracing?.shutdown();
  }
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`worker failed: ${error.message}\n`);
    process.exit(1);
  });
}
