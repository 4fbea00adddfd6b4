/**
 * `npm run api`: the merchant API and webhook bridge as a process (docs/design.md §4, §6). Everything
 * it serves is built by `createApp`; this file only wires configuration, Temporal and signals.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { readPublicKeyFile } from '../codepay/keys';
import { ConfigError, loadConfig } from '../config';
import { temporalConnectionOptions } from '../temporal-connection';
import { createApp, type AppDependencies } from './app';
import { createApiMetrics } from './metrics';
import { warmUpApp, warmUpTemporalClient } from './warm-up';

function readGatewayKeys(files: string[]) {
  if (files.length === 0) throw new ConfigError('CODEPAY_GATEWAY_PUBLIC_KEY_FILE is required to verify notifications');
  return files.map((file) => {
    try {
      return readPublicKeyFile(file);
    } catch (err) {
      // The path is not secret; keys.ts keeps key text out of its messages.
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(`CODEPAY_GATEWAY_PUBLIC_KEY_FILE (${file}) cannot be used: ${reason}`);
    }
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, name: 'api' });
  if (config.apiKeys.length === 0) throw new ConfigError('API_KEYS is required: the merchant API accepts no request without one');
  const gatewayPublicKeys = readGatewayKeys(config.codepay.gatewayPublicKeyFiles);
  // The webhook takes only notifications addressed to our merchant: without it every one is refused.
  if (!config.codepay.appId || !config.codepay.merchantNo) throw new ConfigError('CODEPAY_APP_ID and CODEPAY_MERCHANT_NO are required to accept notifications');
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.temporal.namespace });
  // The demo shop only makes sense against the sandbox, where nobody pays real money.
  const demo = config.codepay.usesSandbox ? { cashierUrl: config.sandbox.publicUrl } : undefined;
  const timeouts = { requestMs: config.apiTemporalTimeoutMs };
  const dependencies: AppDependencies = { config, clients: { temporal: client }, gatewayPublicKeys, logger, demo, timeouts, startAdmission: config.apiStartAdmission };
  // Before listening: the first payments are not the ones to pay for cold code paths (warm-up.ts).
  const twin = createApp({ ...dependencies, logger: logger.child({}, { level: 'silent' }), metrics: createApiMetrics({ processMetrics: false }) });
  const temporalRefused = await warmUpTemporalClient(client);
  const warmUp = await warmUpApp(twin, config.apiKeys[0]!);
  logger.info({ ...warmUp, temporalRefused }, 'api warmed up');
  const app = createApp(dependencies);

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
    server.closeIdleConnections();
    server.close((err) => {
      connection.close().finally(() => {
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
