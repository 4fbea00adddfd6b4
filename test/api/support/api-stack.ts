import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import pino from 'pino';
import { createCodePayActivities } from '../../../src/activities/codepay-activities';
import { createReconciliationActivities } from '../../../src/activities/reconciliation-activities';
import { createWebhookActivities } from '../../../src/activities/webhook-activities';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPacer } from '../../../src/reconciliation/pacer';
import { ReportStore } from '../../../src/reconciliation/report-store';
import { parseAmountLimits } from '../../../src/amount-limit';
import { type ApiConfig, createApp, type AppDependencies } from '../../../src/api/app';
import { createApiMetrics, type ApiMetrics } from '../../../src/api/metrics';
import { createCodePayClient } from '../../../src/codepay/client';
import type { CodePayClient } from '../../../src/codepay/model';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/app';
import { waitFor } from '../../harness/wait-for';
import { connectTestTemporal, createTestWorker, type TestTemporal, uniqueTaskQueue } from '../../harness/temporal';
import { generateTestKeyPair, type TestKeyPair } from '../../support/keys';

export const TEST_API_KEY = 'sk_test_api_suite';
export const TEST_OPERATOR_KEY = 'sk_test_operator_suite';
export const APP_ID = 'api-test-app';
export const MERCHANT_NO = '100000000077';

/** Starts an express app on a free loopback port; its URL is known before the app is built. */
export async function listen(build: (url: string) => RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('request', build(url));
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export function apiConfig(publicBaseUrl: string, taskQueue: string, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    apiKeys: [TEST_API_KEY, 'sk_test_second_key'],
    operatorApiKeys: [TEST_OPERATOR_KEY],
    // uiUrl: only where the console's links point; the test dev server serves no Web UI.
    temporal: { address: 'unused', embedded: false, port: 0, uiPort: 0, uiUrl: 'http://127.0.0.1:8233', namespace: 'default', taskQueue },
    publicBaseUrl,
    // One poll after a minute: inside a test only notifications (or the API) move a payment.
    payments: { defaultExpiresSeconds: 900, refundWindowMs: 60_000, pollScheduleMs: [60_000], maxAmount: parseAmountLimits('') },
    webhook: { allowedIps: [] },
    trustProxy: false,
    apiKeyFiles: {},
    merchantWebhooks: { secrets: [], retryScheduleMs: [] },
    codepay: { appId: APP_ID, merchantNo: MERCHANT_NO },
    console: { sessionTtlSeconds: 3600 },
    ...overrides,
  };
}

export interface ApiStack {
  apiUrl: string;
  sandboxUrl: string;
  temporal: TestTemporal;
  gateway: TestKeyPair;
  metrics: ApiMetrics;
  /** A second CodePay client, to set up gateway-side state behind the API's back. */
  codepay: CodePayClient;
  /** Where the worker writes reconciliation reports and the API reads them. */
  reportsDir: string;
  taskQueue: string;
  /** Merchant API call with the test key unless `headers` say otherwise. */
  api<T = Record<string, unknown>>(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer<T>>;
  sandbox(method: string, route: string, body?: unknown): Promise<Response>;
  /** Shuts the worker down (the API, Temporal and the sandbox stay): what the API answers with no worker. */
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiAnswer<T> {
  status: number;
  contentType: string;
  body: T;
}

/**
 * The API in-process against the run's dev server, a worker with the real CodePay activities, and
 * an in-process sandbox as CodePay, whose notifications reach the API's webhook.
 */
export async function startApiStack(
  options: {
    app?: Partial<AppDependencies>;
    notifyTimeScale?: number;
    demo?: boolean;
    /** Where the worker sends merchant webhooks; a function gets the API's URL (the demo shop's receiver). */
    merchantWebhooks?: ApiConfig['merchantWebhooks'] | ((apiUrl: string) => ApiConfig['merchantWebhooks']);
  } = {},
): Promise<ApiStack> {
  const temporal = await connectTestTemporal();
  const gateway = generateTestKeyPair();
  const merchant = generateTestKeyPair();
  const sandbox: RunningSandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    gatewayPrivateKey: gateway.privateKey,
    merchants: [{ appId: APP_ID, merchantNo: MERCHANT_NO, publicKey: merchant.publicKey, name: 'API test shop' }],
    notifyTimeScale: options.notifyTimeScale ?? 0.001,
  });
  const codepay = createCodePayClient({
    baseUrl: sandbox.url,
    appId: APP_ID,
    merchantNo: MERCHANT_NO,
    privateKey: merchant.privateKey,
    gatewayPublicKeys: [gateway.publicKey],
    timeoutMs: 5_000,
  });
  const taskQueue = uniqueTaskQueue('api');
  const metrics = createApiMetrics({ processMetrics: false });
  let merchantWebhooks: ApiConfig['merchantWebhooks'] = { secrets: [], retryScheduleMs: [] };
  const reportsDir = path.join(mkdtempSync(path.join(tmpdir(), 'reconciliations-')), 'reports');
  const server = await listen((url) => {
    const configured = options.merchantWebhooks;
    merchantWebhooks = typeof configured === 'function' ? configured(url) : (configured ?? merchantWebhooks);
    return createApp({
      config: apiConfig(url, taskQueue, { merchantWebhooks, reconciliation: { reportsDir } }),
      clients: { temporal: temporal.client },
      gatewayPublicKeys: () => [gateway.publicKey],
      logger: pino({ enabled: false }),
      metrics,
      demo: options.demo ? { cashierUrl: sandbox.url, webhookSecrets: () => merchantWebhooks.secrets } : undefined,
      ...options.app,
    });
  });
  const webhooks = createWebhookActivities({ config: { merchantWebhooks }, client: temporal.client });
  const codepayActivities = createCodePayActivities(codepay);
  const reconciliation = createReconciliationActivities({ client: temporal.client, codepay: codepayActivities, store: new ReportStore(reportsDir), pace: createPacer(200) });
  const worker: Worker = await createTestWorker(temporal, { activities: { ...codepayActivities, ...webhooks, ...reconciliation }, taskQueue });
  const running = worker.run();

  return {
    apiUrl: server.url,
    sandboxUrl: sandbox.url,
    temporal,
    gateway,
    metrics,
    codepay,
    reportsDir,
    taskQueue,
    async api<T>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${server.url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_API_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      return { status: response.status, contentType, body: (contentType.includes('json') && text ? JSON.parse(text) : text) as T };
    },
    sandbox: (method, route, body) =>
      fetch(`${sandbox.url}${route}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async stopWorker() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async close() {
      await server.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await sandbox.close();
      await temporal.close();
    },
  };
}

let counter = 0;
/** A merchant order number unique to this run (≤ 32 characters). */
export function orderNo(tag: string): string {
  counter += 1;
  return `${tag}${Date.now().toString(36)}${counter}`.slice(0, 32);
}

/**
 * POST /v1/payments as a well-behaved merchant does: a 503 (Temporal too slow on a loaded machine,
 * or admission control) is safe to retry with the same request, so it is, a few times.
 */
export async function startPaymentRetrying(stack: ApiStack, body: Record<string, unknown>): Promise<ApiAnswer<Record<string, unknown>>> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await stack.api('POST', '/v1/payments', body);
    if (answer.status !== 503 || attempt === 5) return answer;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** A payment of 12.50 USD, started through the API and paid at the sandbox, once the API shows it PAID. */
export async function paidPayment(stack: ApiStack, tag: string): Promise<string> {
  const no = orderNo(tag);
  const started = await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '12.50', currency: 'USD', description: 'Green tea x2' });
  if (started.status !== 201) throw new Error(`start of ${no} answered ${started.status}`);
  const paid = await stack.sandbox('POST', `/sandbox/orders/${no}/pay`);
  if (paid.status !== 200) throw new Error(`sandbox pay of ${no} answered ${paid.status}`);
  await waitFor(async () => (await stack.api<{ status: string }>('GET', `/v1/payments/${no}`)).body, (p) => p.status === 'PAID');
  return no;
}

