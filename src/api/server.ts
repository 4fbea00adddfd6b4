/**
 * `npm run api`: the merchant API and webhook bridge as a process (docs/design.md §4, §6). Everything
 * it serves is built by `createApp`; this file only wires configuration, Temporal and signals.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { watchGatewayPublicKeys } from '../codepay/keys';
import { ConfigError, loadConfig } from '../config';
import { apiKeyOf } from '../secrets/api-key-list';
import { LiveFiles } from '../secrets/live-file';
import { traceLogFields } from '../telemetry/log-fields';
import { clientTracingInterceptors } from '../telemetry/temporal-tracing';
import { SERVICE_NAMES, startTracing } from '../telemetry/tracing';
import { temporalConnectionOptions } from '../temporal-connection';
import { merchantWebhookSecrets } from '../webhooks/webhook-signer';
import { apiKeysFromConfig, createExpiryWarnings } from './api-keys';
import { createApp, type AppDependencies } from './app';
import { createApiMetrics } from './metrics';
import { startPaymentGauges } from './payment-gauges';
import { warmUpApp, warmUpTemporalClient } from './warm-up';

// Cheap (a few comparisons), and a key added to a file with a near expiry is warned of within a minute.
const EXPIRY_CHECK_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, name: 'api', mixin: traceLogFields });
  const tracing = startTracing({ serviceName: SERVICE_NAMES.api });
  if (config.apiKeys.length === 0 && !config.apiKeyFiles.merchant) {
    throw new ConfigError('API_KEYS or API_KEYS_FILE is required: the merchant API accepts no request without a key');
  }
  if (config.codepay.gatewayPublicKeyFiles.length === 0) throw new ConfigError('CODEPAY_GATEWAY_PUBLIC_KEY_FILE is required to verify notifications');
  // Key files are re-read while running (docs/operations.md §5); a refused one is logged here.
  const files = new LiveFiles({ logger: logger.child({ component: 'secrets' }) });
  const keys = apiKeysFromConfig(config, files);
  const gatewayPublicKeys = watchGatewayPublicKeys(files, config.codepay.gatewayPublicKeyFiles);
  // The webhook takes only notifications addressed to our merchant: without it every one is refused.
  if (!config.codepay.appId || !config.codepay.merchantNo) throw new ConfigError('CODEPAY_APP_ID and CODEPAY_MERCHANT_NO are required to accept notifications');
  const warnOfExpiry = createExpiryWarnings(keys, logger.child({ component: 'api-keys' }));
  warnOfExpiry(Date.now());
  setInterval(() => warnOfExpiry(Date.now()), EXPIRY_CHECK_MS).unref();
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.temporal.namespace, interceptors: { workflow: clientTracingInterceptors(tracing) } });
  // The demo shop only makes sense against the sandbox, where nobody pays real money.
  const demo = config.codepay.usesSandbox
    ? { cashierUrl: config.sandbox.publicUrl, webhookSecrets: merchantWebhookSecrets(config.merchantWebhooks, files) }
    : undefined;
  const timeouts = { requestMs: config.apiTemporalTimeoutMs };
  const dependencies: AppDependencies = {
    config,
    clients: { temporal: client },
    gatewayPublicKeys,
    files,
    keys,
    logger,
    demo,
    timeouts,
    startAdmission: config.apiStartAdmission,
  };
  // Before listening: the first payments are not the ones to pay for cold code paths (warm-up.ts).
  // The twin knows one throwaway key of its own: the configured ones may be digests only.
  const warmUpKey = randomBytes(24).toString('hex');
  const warmUpKeys = { merchant: { current: () => [apiKeyOf(warmUpKey)] }, operator: keys.operator };
  const twin = createApp({
    ...dependencies,
    keys: warmUpKeys,
    logger: logger.child({}, { level: 'silent' }),
    metrics: createApiMetrics({ processMetrics: false }),
  });
  const temporalRefused = await warmUpTemporalClient(client);
  const warmUp = await warmUpApp(twin, warmUpKey);
  logger.info({ ...warmUp, temporalRefused }, 'api warmed up');
  const metrics = createApiMetrics();
  const app = createApp({ ...dependencies, metrics });
  const gauges = config.paymentGaugeMs > 0 ? startPaymentGauges({ client, namespace: config.temporal.namespace, metrics, intervalMs: config.paymentGaugeMs, logger }) : undefined;

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.apiPort, config.bindHost, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  logger.info(
    {
      host: config.bindHost,
      port: config.apiPort,
      publicBaseUrl: config.publicBaseUrl,
      temporal: config.temporal.address,
      namespace: config.temporal.namespace,
      demo: config.codepay.usesSandbox ? `${config.publicBaseUrl}/demo` : 'off',
    },
    'api listening',
  );

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping api: finishing in-flight requests');
    // Keep-alive sockets would hold close() open; idle ones are dropped, busy ones finish.
    gauges?.stop();
    server.closeIdleConnections();
    server.close((err) => {
      Promise.allSettled([connection.close(), tracing?.shutdown()]).finally(() => {
        if (err) logger.error({ err }, 'api did not stop cleanly');
        process.exit(err ? 1 : 0);
      });
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `api: ${err.message}` : err);
  process.exit(1);
});
