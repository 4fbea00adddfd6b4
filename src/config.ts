import path from 'node:path';
import { z } from 'zod';
import { type AmountLimits, parseAmountLimits } from './amount-limit';
import { DEFAULT_START_ADMISSION, type StartAdmissionLimits } from './start-admission-limits';
import { parseApiKeyList } from './secrets/api-key-list';
import { CURSOR_SECRET_MIN_LENGTH } from './secrets/cursor-secret';
import { parseWebhookSecrets } from './secrets/webhook-secret-list';

/**
 * The one configuration of every process, read from the environment (docs/design.md §6) and validated
 * once. Key files are paths; their contents are read where they are used and never logged.
 */
const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
const list = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []));
/** The request fields a refund's amount is sent in (docs/operations.md, "Refund amount on the wire"). */
export const REFUND_AMOUNT_FIELDS = ['trans_amount', 'order_amount'] as const;
export type RefundAmountField = (typeof REFUND_AMOUNT_FIELDS)[number];
export const DEFAULT_REFUND_AMOUNT_FIELDS: readonly RefundAmountField[] = REFUND_AMOUNT_FIELDS;
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  API_PORT: port(3000),
  SANDBOX_PORT: port(3100),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  /** Interface every server of this process listens on; containers set 0.0.0.0. */
  BIND_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** How long one API request may wait on Temporal before answering 503 + Retry-After. */
  API_TEMPORAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_500),
  /** Payment starts in flight at Temporal per API process; more wait in the API's queue (api/start-admission.ts). */
  API_START_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_START_ADMISSION.concurrency),
  /** Starts waiting for a slot; one more is answered 503 overloaded + Retry-After at once. */
  API_START_QUEUE: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_START_ADMISSION.queue),
  /** Longest a start waits for a slot; one expected to wait longer is refused at once. */
  API_START_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_START_ADMISSION.maxWaitMs),
  /** When set, the API's /metrics answers only `Authorization: Bearer <token>`. */
  METRICS_TOKEN: optional,
  DATA_DIR: z.string().default('.data'),
  /** Comma-separated merchant keys, each `<key or sha256:<hex>> [<ISO-8601 expiry>]`; or API_KEYS_FILE. */
  API_KEYS: list,
  /** A key file (one key a line, same syntax), re-read while running: how keys are rotated. */
  API_KEYS_FILE: optional,
  /** Comma-separated operator keys: operator actions only (reviewing NEEDS_REVIEW payments, reconciliations). */
  OPERATOR_API_KEYS: list,
  OPERATOR_API_KEYS_FILE: optional,
  /**
   * Signs the operator console's session cookies (HMAC-SHA256). Unset: a random secret per API
   * process, so sign-ins end when it restarts and API replicas must share one set here.
   */
  CONSOLE_SESSION_SECRET: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /**
   * Signs `GET /v1/payments` cursors (HMAC-SHA256), so only cursors this API issued reach Temporal.
   * Unset: a random key per API process; replicas behind one address must share one here.
   */
  API_CURSOR_SECRET: optional.pipe(z.string().min(CURSOR_SECRET_MIN_LENGTH, `must be at least ${CURSOR_SECRET_MIN_LENGTH} characters`).optional()),
  /** The same secret in a file (one line), re-read while running. */
  API_CURSOR_SECRET_FILE: optional,
  /** How long a console sign-in lasts. */
  CONSOLE_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
  /** The Temporal Web UI as operators reach it; the console links each payment's workflow there. */
  TEMPORAL_UI_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('codepay-payments'),

  CODEPAY_BASE_URL: optional.pipe(z.url().optional()),
  CODEPAY_APP_ID: optional,
  CODEPAY_MERCHANT_NO: optional,
  CODEPAY_STORE_NO: optional,
  CODEPAY_PRIVATE_KEY_FILE: optional,
  /** Comma-separated: during a gateway key rotation both the old and the new key verify. */
  CODEPAY_GATEWAY_PUBLIC_KEY_FILE: list,
  CODEPAY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Cancel Order's method, `order.revoker` in CodePay's Java SDK (docs/codepay-protocol.md §4.2); configurable in case an account differs. */
  CODEPAY_METHOD_CANCEL: z.string().default('order.revoker'),
  /** Comma-separated; both by default, so either reading of the two fields refunds exactly the amount or is refused. */
  CODEPAY_REFUND_AMOUNT_FIELDS: z
    .string()
    .default(REFUND_AMOUNT_FIELDS.join(','))
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(REFUND_AMOUNT_FIELDS)).min(1)),
  PUBLIC_BASE_URL: optional.pipe(z.url().optional()),
  /** Optional allow-list of CodePay's callback IPs for the webhook. */
  WEBHOOK_ALLOWED_IPS: list,
  /** Express `trust proxy` of the API: `true`, a hop count, or addresses/subnets (`loopback, 10.0.0.0/8`). */
  TRUST_PROXY: optional.transform((v) => (v === undefined || v === 'false' ? false : v === 'true' ? true : /^\d+$/.test(v) ? Number(v) : v)),

  SANDBOX_GATEWAY_PRIVATE_KEY_FILE: optional,
  SANDBOX_MERCHANT_PUBLIC_KEY_FILE: optional,
  SANDBOX_APP_ID: optional,
  SANDBOX_MERCHANT_NO: optional,
  SANDBOX_PUBLIC_URL: optional.pipe(z.url().optional()),
  /** 1 = CodePay's real notification retry schedule; 0.001 turns 5 s into 5 ms. */
  SANDBOX_NOTIFY_TIME_SCALE: z.coerce.number().positive().default(1),

  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().default(100),
  // Notifications reach payments opened minutes earlier: a cache smaller than the payments in flight
  // replays one on every signal (at 50/s over 200 open payments, cache 100 cost the worker 2.4× the
  // CPU per notification of cache 1000, for ~50–110 MiB less RSS; docs/performance.md).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().default(1000),
  /** Prometheus endpoint of the Temporal SDK's worker metrics; 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),

  /** How often the API recounts payments by status for its gauges (visibility queries); 0 turns them off. */
  PAYMENT_GAUGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  PAYMENT_DEFAULT_EXPIRES_SECONDS: z.coerce.number().int().positive().default(900),
  /** Largest payment amount, major units: `1000000` for any currency, `,JPY:150000000` per currency. */
  PAYMENT_MAX_AMOUNT: z
    .string()
    .default('')
    .transform((v, ctx) => {
      try {
        return parseAmountLimits(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  PAYMENT_REFUND_WINDOW_SECONDS: z.coerce.number().int().nonnegative().default(30 * 24 * 3600),
  /** Comma-separated poll delays in seconds; the last repeats. */
  PAYMENT_POLL_SCHEDULE_SECONDS: z
    .string()
    .default('5,10,20,40,60,120,300')
    .transform((v, ctx) => {
      const values = v.split(',').map((s) => Number(s.trim()));
      if (values.length === 0 || values.some((n) => !Number.isFinite(n) || n <= 0)) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated positive seconds' });
        return z.NEVER;
      }
      return values;
    }),

  /** Ceiling of a reconciliation's CodePay queries (order.query + order.refund.query) per worker. */
  RECONCILIATION_QUERIES_PER_SECOND: z.coerce.number().positive().max(1000).default(20),
  /** Cron (UTC) of the `reconciliation-daily` schedule, which checks the previous UTC day; `off` removes the schedule. */
  RECONCILIATION_CRON: z
    .string()
    .trim()
    .default('30 2 * * *')
    .refine((v) => v === 'off' || v.split(/\s+/).length === 5, 'expected a 5-field cron expression or `off`'),
  /** Where reports are kept beyond Temporal's retention; default DATA_DIR/reconciliations (a volume shared by worker and API). */
  RECONCILIATION_REPORTS_DIR: optional,

  MERCHANT_WEBHOOK_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Standard Webhooks secrets, `whsec_<base64>`, space- or comma-separated: every one signs each event. */
  MERCHANT_WEBHOOK_SECRET: optional.transform((v, ctx) => {
    if (v === undefined) return [];
    try {
      return parseWebhookSecrets(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  /** The same secrets in a file, re-read while running. */
  MERCHANT_WEBHOOK_SECRET_FILE: optional,
  /** Comma-separated delays in seconds between delivery attempts; default ≈ 4.2 days in 14 attempts. */
  MERCHANT_WEBHOOK_RETRY_SECONDS: z
    .string()
    .default('5,30,120,600,1800,3600,7200,14400,28800,43200,86400,86400,86400')
    .transform((v, ctx) => {
      const values = v.split(',').map((s) => Number(s.trim()));
      if (values.some((n) => !Number.isFinite(n) || n <= 0)) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated positive seconds' });
        return z.NEVER;
      }
      return values;
    }),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  apiPort: number;
  bindHost: string;
  metricsToken?: string;
  apiTemporalTimeoutMs: number;
  /** Admission control of payment starts in the API. */
  apiStartAdmission: StartAdmissionLimits;
  dataDir: string;
  /** Entries of API_KEYS (src/secrets/api-key-list.ts), validated. */
  apiKeys: string[];
  /** Keys of operators (never merchants'): `POST /v1/payments/:no/review`. */
  operatorApiKeys: string[];
  /** API_KEYS_FILE and OPERATOR_API_KEYS_FILE, each instead of its environment list. */
  apiKeyFiles: { merchant?: string; operator?: string };
  logLevel: Env['LOG_LEVEL'];
  temporal: {
    /** Undefined: the embedded dev server (npm start) on `localhost:port`. */
    address: string;
    embedded: boolean;
    port: number;
    uiPort: number;
    /** Where operators open the Web UI: TEMPORAL_UI_URL, else the embedded dev server's. */
    uiUrl?: string;
    namespace: string;
    taskQueue: string;
  };
  codepay: {
    baseUrl: string;
    appId: string;
    merchantNo: string;
    storeNo?: string;
    privateKeyFile?: string;
    gatewayPublicKeyFiles: string[];
    timeoutMs: number;
    methods: { cancel: string };
    refundAmountFields: RefundAmountField[];
    /** True when no CODEPAY_BASE_URL was given: the local sandbox stands in for CodePay. */
    usesSandbox: boolean;
  };
  publicBaseUrl: string;
  webhook: { allowedIps: string[] };
  /** Who may set X-Forwarded-For in front of the API; decides the client IP the allow-list checks. */
  trustProxy: boolean | number | string;
  sandbox: {
    port: number;
    publicUrl: string;
    gatewayPrivateKeyFile?: string;
    merchantPublicKeyFile?: string;
    appId: string;
    merchantNo: string;
    notifyTimeScale: number;
  };
  worker: { maxConcurrentActivities: number; maxConcurrentWorkflowTasks: number; maxCachedWorkflows: number; metricsPort: number };
  payments: { defaultExpiresSeconds: number; refundWindowMs: number; pollScheduleMs: number[]; maxAmount: AmountLimits };
  /** API: refresh of the payments-by-status gauges; 0 = off. */
  paymentGaugeMs: number;
  /** Outgoing merchant webhooks; no URL: no events are delivered. */
  merchantWebhooks: { url?: string; secrets: string[]; secretFile?: string; retryScheduleMs: number[] };
  /** docs/design.md §11: `cron` undefined when RECONCILIATION_CRON=off. */
  reconciliation: { queriesPerSecond: number; cron?: string; reportsDir: string };
  /** The operator console's sign-ins (src/console). */
  console: { sessionSecret?: string; sessionTtlSeconds: number };
  /** The key of `GET /v1/payments` cursors (src/api/list-cursor.ts); neither set: random per process. */
  cursors: { secret?: string; secretFile?: string };
}

/** Embedded-default identities of the local sandbox merchant. */
export const SANDBOX_DEFAULT_APP_ID = 'sandbox-app';
export const SANDBOX_DEFAULT_MERCHANT_NO = '100000000001';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const merchantKeys = keyList('API_KEYS', e.API_KEYS);
  const operatorKeys = keyList('OPERATOR_API_KEYS', e.OPERATOR_API_KEYS);
  if (operatorKeys.some((op) => merchantKeys.some((key) => key.digest.equals(op.digest)))) {
    throw new ConfigError('invalid configuration:\n  OPERATOR_API_KEYS: a key must not also be a merchant key (API_KEYS)');
  }
  for (const [list, file] of [
    ['API_KEYS', 'API_KEYS_FILE'],
    ['OPERATOR_API_KEYS', 'OPERATOR_API_KEYS_FILE'],
    ['MERCHANT_WEBHOOK_SECRET', 'MERCHANT_WEBHOOK_SECRET_FILE'],
  ] as const) {
    if (e[list].length > 0 && e[file]) throw new ConfigError(`invalid configuration:\n  ${file}: set either ${list} or ${file}, not both`);
  }
  if (e.API_CURSOR_SECRET && e.API_CURSOR_SECRET_FILE) throw new ConfigError('invalid configuration:\n  API_CURSOR_SECRET_FILE: set either API_CURSOR_SECRET or API_CURSOR_SECRET_FILE, not both');
  const sandboxUrl = e.SANDBOX_PUBLIC_URL ?? `http://localhost:${e.SANDBOX_PORT}`;
  const usesSandbox = e.CODEPAY_BASE_URL === undefined;
  const sandboxAppId = e.SANDBOX_APP_ID ?? e.CODEPAY_APP_ID ?? SANDBOX_DEFAULT_APP_ID;
  const sandboxMerchantNo = e.SANDBOX_MERCHANT_NO ?? e.CODEPAY_MERCHANT_NO ?? SANDBOX_DEFAULT_MERCHANT_NO;
  return {
    apiPort: e.API_PORT,
    bindHost: e.BIND_HOST,
    metricsToken: e.METRICS_TOKEN,
    apiTemporalTimeoutMs: e.API_TEMPORAL_TIMEOUT_MS,
    apiStartAdmission: { concurrency: e.API_START_CONCURRENCY, queue: e.API_START_QUEUE, maxWaitMs: e.API_START_MAX_WAIT_MS },
    dataDir: e.DATA_DIR,
    apiKeys: e.API_KEYS,
    operatorApiKeys: e.OPERATOR_API_KEYS,
    apiKeyFiles: { merchant: e.API_KEYS_FILE, operator: e.OPERATOR_API_KEYS_FILE },
    logLevel: e.LOG_LEVEL,
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `localhost:${e.TEMPORAL_PORT}`,
      embedded: e.TEMPORAL_ADDRESS === undefined,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: e.TEMPORAL_UI_URL ?? (e.TEMPORAL_ADDRESS === undefined ? `http://localhost:${e.TEMPORAL_UI_PORT}` : undefined),
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
    codepay: {
      baseUrl: e.CODEPAY_BASE_URL ?? sandboxUrl,
      appId: e.CODEPAY_APP_ID ?? (usesSandbox ? sandboxAppId : ''),
      merchantNo: e.CODEPAY_MERCHANT_NO ?? (usesSandbox ? sandboxMerchantNo : ''),
      storeNo: e.CODEPAY_STORE_NO,
      privateKeyFile: e.CODEPAY_PRIVATE_KEY_FILE,
      gatewayPublicKeyFiles: e.CODEPAY_GATEWAY_PUBLIC_KEY_FILE,
      timeoutMs: e.CODEPAY_TIMEOUT_MS,
      methods: { cancel: e.CODEPAY_METHOD_CANCEL },
      refundAmountFields: e.CODEPAY_REFUND_AMOUNT_FIELDS,
      usesSandbox,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://localhost:${e.API_PORT}`,
    webhook: { allowedIps: e.WEBHOOK_ALLOWED_IPS },
    trustProxy: e.TRUST_PROXY,
    sandbox: {
      port: e.SANDBOX_PORT,
      publicUrl: sandboxUrl,
      gatewayPrivateKeyFile: e.SANDBOX_GATEWAY_PRIVATE_KEY_FILE,
      merchantPublicKeyFile: e.SANDBOX_MERCHANT_PUBLIC_KEY_FILE,
      appId: sandboxAppId,
      merchantNo: sandboxMerchantNo,
      notifyTimeScale: e.SANDBOX_NOTIFY_TIME_SCALE,
    },
    worker: {
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      metricsPort: e.WORKER_METRICS_PORT,
    },
    payments: {
      defaultExpiresSeconds: e.PAYMENT_DEFAULT_EXPIRES_SECONDS,
      refundWindowMs: e.PAYMENT_REFUND_WINDOW_SECONDS * 1000,
      pollScheduleMs: e.PAYMENT_POLL_SCHEDULE_SECONDS.map((s) => Math.round(s * 1000)),
      maxAmount: e.PAYMENT_MAX_AMOUNT,
    },
    paymentGaugeMs: e.PAYMENT_GAUGE_SECONDS * 1000,
    reconciliation: {
      queriesPerSecond: e.RECONCILIATION_QUERIES_PER_SECOND,
      cron: e.RECONCILIATION_CRON === 'off' ? undefined : e.RECONCILIATION_CRON,
      reportsDir: e.RECONCILIATION_REPORTS_DIR ?? path.join(e.DATA_DIR, 'reconciliations'),
    },
    merchantWebhooks: {
      url: e.MERCHANT_WEBHOOK_URL,
      secrets: e.MERCHANT_WEBHOOK_SECRET,
      secretFile: e.MERCHANT_WEBHOOK_SECRET_FILE,
      retryScheduleMs: e.MERCHANT_WEBHOOK_RETRY_SECONDS.map((s) => Math.round(s * 1000)),
    },
    console: { sessionSecret: e.CONSOLE_SESSION_SECRET, sessionTtlSeconds: e.CONSOLE_SESSION_TTL_SECONDS },
    cursors: { secret: e.API_CURSOR_SECRET, secretFile: e.API_CURSOR_SECRET_FILE },
  };
}

/** Fails loudly when a process that talks to CodePay lacks its identity or keys. */
export function requireCodePayCredentials(config: Config): Required<Pick<Config['codepay'], 'privateKeyFile'>> {
  const missing: string[] = [];
  if (!config.codepay.appId) missing.push('CODEPAY_APP_ID');
  if (!config.codepay.merchantNo) missing.push('CODEPAY_MERCHANT_NO');
  if (!config.codepay.privateKeyFile) missing.push('CODEPAY_PRIVATE_KEY_FILE');
  if (config.codepay.gatewayPublicKeyFiles.length === 0) missing.push('CODEPAY_GATEWAY_PUBLIC_KEY_FILE');
  if (missing.length) throw new ConfigError(`missing configuration: ${missing.join(', ')}`);
  return { privateKeyFile: config.codepay.privateKeyFile! };
}

/** A webhook URL without a secret would send unsigned events: refuse to start. */
export function assertMerchantWebhookConfig(config: Pick<Config, 'merchantWebhooks'>): void {
  const { url, secrets, secretFile } = config.merchantWebhooks;
  if (url && secrets.length === 0 && !secretFile) throw new ConfigError('MERCHANT_WEBHOOK_URL is set but MERCHANT_WEBHOOK_SECRET (or MERCHANT_WEBHOOK_SECRET_FILE) is not');
}

function keyList(variable: string, items: string[]) {
  try {
    return parseApiKeyList(items);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ${variable}: ${(err as Error).message}`);
  }
}
