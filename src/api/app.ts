import type { KeyObject } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { requireApiKey } from './auth';
import { createDemoRouter } from './demo-router';
import { createHealthRouter } from './health-router';
import { type ApiMetrics, createApiMetrics, httpMetricsMiddleware } from './metrics';
import { createOpenApiDocument } from './openapi';
import { DEFAULT_TIMEOUTS, PaymentCommands, type TemporalTimeouts } from './payment-commands';
import { createPaymentsRouter } from './payments-router';
import { notFoundMiddleware, problemMiddleware } from './problem';
import { createWebhookRouter } from './webhook-router';

export type ApiConfig = Pick<Config, 'apiKeys' | 'temporal' | 'publicBaseUrl' | 'payments' | 'webhook' | 'trustProxy'> & {
  /** Our merchant at CodePay: the webhook takes only notifications addressed to it. */
  codepay: Pick<Config['codepay'], 'appId' | 'merchantNo'>;
};

export interface AppDependencies {
  config: ApiConfig;
  clients: { temporal: Client };
  /** CodePay's gateway keys; during a rotation both the old and the new one verify. */
  gatewayPublicKeys: KeyObject[];
  logger: Logger;
  metrics?: ApiMetrics;
  /** Serve the demo shop under /demo (server.ts: when CodePay is the local sandbox). */
  demo?: boolean;
  timeouts?: Partial<TemporalTimeouts>;
}

/**
 * The API as an express app, with every dependency passed in, so `server.ts`, `npm start` and the
 * tests build the same thing. Routes are mounted at their full paths so the metrics' route label
 * is the pattern the router matched.
 */
export function createApp({ config, clients, gatewayPublicKeys, logger, metrics = createApiMetrics(), demo = false, timeouts }: AppDependencies): Express {
  const limits = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const client = clients.temporal;
  const commands = new PaymentCommands(client, config, limits);
  const app = express();
  app.disable('x-powered-by');
  // Decides `req.ip`, which the webhook allow-list checks.
  app.set('trust proxy', config.trustProxy);

  app.use(httpMetricsMiddleware(metrics));
  app.use(
    createWebhookRouter({
      client,
      gatewayPublicKeys,
      logger: logger.child({ component: 'webhook' }),
      metrics,
      allowedIps: config.webhook.allowedIps,
      signalTimeoutMs: limits.signalMs,
      recipient: { appId: config.codepay.appId, merchantNo: config.codepay.merchantNo },
    }),
  );
  app.use(
    createPaymentsRouter({
      commands,
      config,
      metrics,
      auth: requireApiKey(config.apiKeys),
    }),
  );
  app.use(
    createHealthRouter({
      client,
      namespace: config.temporal.namespace,
      apiKeyCount: config.apiKeys.length,
      gatewayKeyCount: gatewayPublicKeys.length,
      metrics,
      readinessTimeoutMs: limits.readinessMs,
    }),
  );
  if (demo) app.use(createDemoRouter({ commands, config, logger: logger.child({ component: 'demo' }) }));
  const openapi = createOpenApiDocument({ serverUrl: config.publicBaseUrl });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  app.use(notFoundMiddleware());
  app.use(problemMiddleware(logger));
  return app;
}
