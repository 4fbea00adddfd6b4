import { readFileSync } from 'node:fs';
import path from 'node:path';
import { plainKeys } from '../secrets/api-key-list';
import { parseWebhookSecrets } from '../secrets/webhook-secret-list';
import { Config, loadConfig } from '../config';
import { DevServer, DevServerOptions, EMBEDDED_SQLITE_PRAGMAS, startDevServer } from './dev-server';
import { embeddedEnv, ensureEmbeddedSecrets } from './embedded-secrets';
import { ServiceProcess, ServiceRuntime, startServiceProcess, waitForHttp } from './service-process';
import { waitForWorkerPolling } from './worker-readiness';

/**
 * The whole system as processes: Temporal dev server (unless TEMPORAL_ADDRESS is given), CodePay
 * sandbox (unless CODEPAY_BASE_URL is given), worker and API. `npm start` runs it; the end-to-end
 * tests, chaos and bench runs start it with their own env and kill/restart its parts.
 */
export type ServiceName = 'sandbox' | 'worker' | 'api' | `worker-${number}`;

/** A Temporal the stack did not start (`npm run cluster`), with the faults its owner can inject. */
export interface ExternalTemporal {
  address: string;
  /** Crash and restart (part of) the server; `restartTemporal()` calls it. */
  restart(): Promise<void>;
  restartDatabase?(): Promise<void>;
  /** Server process ids by name, for CPU figures. */
  pids(): Map<string, number | undefined>;
}

export interface Stack {
  config: Config;
  env: NodeJS.ProcessEnv;
  apiKey: string;
  /** The first operator key, '' when none is configured. */
  operatorKey: string;
  /** What the merchant verifies webhooks with (MERCHANT_WEBHOOK_SECRET). */
  merchantWebhookSecret: string;
  apiUrl: string;
  sandboxUrl?: string;
  temporalAddress: string;
  devServer?: DevServer;
  externalTemporal?: ExternalTemporal;
  services: Map<ServiceName, ServiceProcess>;
  /** Milliseconds from each part's latest spawn to it being ready (worker: polling; API, sandbox: answering HTTP). */
  readyMs: Map<ServiceName, number>;
  /** Stops (SIGTERM, or SIGKILL to simulate a crash) and starts one part again. */
  restart(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  restartTemporal(): Promise<void>;
  stop(): Promise<void>;
  /** Called when a part exits by itself (not through restart/stop). */
  onUnexpectedExit?: (name: ServiceName, code: number | null) => void;
}

export interface StackOptions {
  env?: NodeJS.ProcessEnv;
  onOutput?: (name: string, line: string) => void;
  devServer?: Partial<Pick<DevServerOptions, 'headless' | 'sqlitePragmas' | 'ip' | 'logLevel' | 'metricsPort'>>;
  /** Run against this server instead of the dev server (its address wins over TEMPORAL_ADDRESS). */
  externalTemporal?: ExternalTemporal;
  /** Worker processes (default 1): `worker`, `worker-2`, … on consecutive metrics ports. */
  workers?: number;
  /** How the parts run: default as this module runs (node from dist/ under `npm start`, tsx in tests and scripts). */
  runtime?: ServiceRuntime;
}

/** node when this module itself was compiled to dist/ (`npm start`), else tsx. */
export const OWN_RUNTIME: ServiceRuntime = path.extname(__filename) === '.js' ? 'node' : 'tsx';

const entry = (name: ServiceName) => (name === 'sandbox' ? 'src/sandbox/server.ts' : name === 'api' ? 'src/api/server.ts' : 'src/worker.ts');

/** `worker`, `worker-2`, … */
export function workerNames(count: number): ServiceName[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'worker' : (`worker-${i + 1}` as const)));
}

/** The first key (not digest) of a list or a key file at start, '' when there is none: what callers use. */
function firstKey(list: string | undefined, file: string | undefined): string {
  const text = list ? list.split(',').join('\n') : file ? readFileSync(file, 'utf8') : '';
  return plainKeys(text)[0] ?? '';
}

/** The first merchant webhook secret at start (the shop's, in tests and the demo), '' when there is none. */
function firstWebhookSecret(list: string | undefined, file: string | undefined): string {
  const text = list ?? (file ? readFileSync(file, 'utf8') : undefined);
  return text ? (parseWebhookSecrets(text)[0] ?? '') : '';
}

/**
 * Each extra worker process serves its metrics on the next port (0 stays off). OTEL_SERVICE_NAME
 * is dropped: one name for every part would hide which process a span came from, so each keeps its
 * own (codepay-api, codepay-worker, codepay-sandbox).
 */
function serviceEnv(name: ServiceName, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { OTEL_SERVICE_NAME: _shared, ...own } = env;
  const extra = /^worker-(\d+)$/.exec(name);
  const metricsPort = Number(own.WORKER_METRICS_PORT ?? 9464);
  if (!extra || metricsPort === 0) return own;
  return { ...own, WORKER_METRICS_PORT: String(metricsPort + Number(extra[1]) - 1) };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const external = options.externalTemporal;
  const baseEnv = external ? { ...(options.env ?? process.env), TEMPORAL_ADDRESS: external.address } : (options.env ?? process.env);
  const workers = workerNames(options.workers ?? 1);
  const config = loadConfig(baseEnv);
  const secrets = ensureEmbeddedSecrets(config.dataDir);
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...embeddedEnv(secrets, baseEnv, config.apiPort) };
  const output = options.onOutput ?? (() => undefined);
  const devServerOptions: DevServerOptions = {
    dbFile: path.resolve(config.dataDir, 'temporal.sqlite'),
    port: config.temporal.port,
    uiPort: config.temporal.uiPort,
    logLevel: 'error',
    sqlitePragmas: [...EMBEDDED_SQLITE_PRAGMAS],
    ...options.devServer,
    onOutput: (line) => output('temporal', line),
  };

  const services = new Map<ServiceName, ServiceProcess>();
  const restarting = new Set<ServiceName>();
  let stopping = false;
  const stack: Stack = {
    config,
    env,
    apiKey: firstKey(env.API_KEYS, env.API_KEYS_FILE),
    operatorKey: firstKey(env.OPERATOR_API_KEYS, env.OPERATOR_API_KEYS_FILE),
    merchantWebhookSecret: firstWebhookSecret(env.MERCHANT_WEBHOOK_SECRET, env.MERCHANT_WEBHOOK_SECRET_FILE),
    apiUrl: `http://127.0.0.1:${config.apiPort}`,
    sandboxUrl: config.codepay.usesSandbox ? `http://127.0.0.1:${config.sandbox.port}` : undefined,
    temporalAddress: config.temporal.address,
    externalTemporal: external,
    services,
    readyMs: new Map(),
    async restart(name, signal = 'SIGTERM') {
      restarting.add(name);
      await services.get(name)?.stop(signal);
      restarting.delete(name);
      await launch(name);
    },
    async restartTemporal() {
      if (!config.temporal.embedded) {
        if (!external) throw new Error(`Temporal at ${config.temporal.address} is not this stack's to restart`);
        return external.restart();
      }
      await stack.devServer?.stop();
      stack.devServer = await startDevServer(devServerOptions);
    },
    async stop() {
      stopping = true;
      for (const name of ['api', ...workers, 'sandbox'] as const) await services.get(name)?.stop();
      await stack.devServer?.stop();
    },
  };

  async function launch(name: ServiceName): Promise<void> {
    const spawnedAt = performance.now();
    const service = startServiceProcess({ name, entry: entry(name), env: serviceEnv(name, env), onOutput: output, runtime: options.runtime ?? OWN_RUNTIME });
    services.set(name, service);
    void service.exited.then((code) => {
      if (!stopping && !restarting.has(name) && services.get(name) === service) stack.onUnexpectedExit?.(name, code);
    });
    const ready = () => stack.readyMs.set(name, Math.round(performance.now() - spawnedAt));
    if (name === 'sandbox') await waitForHttp(`${stack.sandboxUrl}/sandbox/keys`, service).then(ready);
    if (name === 'worker') await waitForWorkerPolling(stack).then(ready);
    if (name === 'api') await waitForHttp(`${stack.apiUrl}/readyz`, service).then(ready);
  }

  try {
    if (config.temporal.embedded) {
      stack.devServer = await startDevServer(devServerOptions);
      env.TEMPORAL_ADDRESS = stack.devServer.address;
      stack.temporalAddress = stack.devServer.address;
    }
    if (config.codepay.usesSandbox) await launch('sandbox');
    for (const name of workers) await launch(name);
    await launch('api');
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/** Variables of the caller's shell that would point a run at something else than its own stack (OTEL_*: tracing is the run's own choice). */
const STACK_ENV = /^(TEMPORAL_|CODEPAY_|SANDBOX_|API_|PUBLIC_BASE_URL|PAYMENT_|WORKER_|MERCHANT_WEBHOOK_|DATA_DIR|LOG_LEVEL|OTEL_)/;

/**
 * The env of a self-contained stack for chaos and bench runs: the caller's shell minus anything
 * that would redirect it, a fresh DATA_DIR and ports laid out from `basePort` (API +0, sandbox
 * +100, worker metrics +300, Temporal +4233, Web UI +5233), plus the run's own `overrides`.
 */
export function isolatedStackEnv(basePort: number, dataDir: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !STACK_ENV.test(name)));
  return {
    ...inherited,
    DATA_DIR: dataDir,
    API_PORT: String(basePort),
    SANDBOX_PORT: String(basePort + 100),
    WORKER_METRICS_PORT: String(basePort + 300),
    TEMPORAL_PORT: String(basePort + 4233),
    TEMPORAL_UI_PORT: String(basePort + 5233),
    PUBLIC_BASE_URL: `http://127.0.0.1:${basePort}`,
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}
