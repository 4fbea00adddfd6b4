import type { KeyObject } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type Express, type Response } from 'express';
import type { Logger } from 'pino';
import path from 'node:path';
import type { Config } from '../config';
import { createBooksSource } from '../console/books-source';
import { createConsoleRouter } from '../console/router';
import { ConsoleSessions } from '../console/session';
import { ReportStore } from '../reconciliation/report-store';
import { LiveFiles } from '../secrets/live-file';
import { apiKeyOf } from '../secrets/api-key-list';
import { apiKeysFromConfig, type ApiKeys } from './api-keys';
import { type Clock, createKeyHolderCheck, createOperatorKeyInForce, requireApiKey, requireOperatorKey } from './auth';
import { createDemoRouter } from './demo-router';
import { createHealthRouter } from './health-router';
import { type ApiMetrics, createApiMetrics, httpMetricsMiddleware } from './metrics';
import { cursorKey } from './list-cursor';
import { createOpenApiDocument } from './openapi';
import { DEFAULT_TIMEOUTS, PaymentCommands, translate, type TemporalTimeouts } from './payment-commands';
import { streamPaymentsCsv } from './payments-csv';
import { listPayments, type ListPaymentsQuery } from './payments-list';
import { createPaymentsRouter } from './payments-router';
import { serverSpanMiddleware } from '../telemetry/spans';
import { createStartAdmission } from './start-admission';
import { DEFAULT_START_ADMISSION, type StartAdmissionLimits } from '../start-admission-limits';
import { securityHeaders } from '../web/security-headers';
import { notFoundMiddleware, problemMiddleware } from './problem';
import { registerReconciliationMetrics } from './reconciliation-metrics';
import { createReconciliationsRouter } from './reconciliations-router';
import { createReviewRouter } from './review-router';
import { registerSecretMetrics } from './secret-metrics';
import { WebhookDeliveries } from './webhook-deliveries';
import { createWebhookRouter } from './webhook-router';

export type ApiConfig = Pick<Config, 'apiKeys' | 'operatorApiKeys' | 'apiKeyFiles' | 'temporal' | 'publicBaseUrl' | 'payments' | 'webhook' | 'trustProxy' | 'merchantWebhooks' | 'metricsToken' | 'console'> & {
  /** The key of list cursors (list-cursor.ts); absent: a random one for this app. */
  cursors?: Config['cursors'];
  /** Our merchant at CodePay: the webhook takes only notifications addressed to it. */
  codepay: Pick<Config['codepay'], 'appId' | 'merchantNo'>;
  /** Where the worker keeps reconciliation reports (read here); default `.data/reconciliations`. */
  reconciliation?: Pick<Config['reconciliation'], 'reportsDir'>;
};

export interface AppDependencies {
  config: ApiConfig;
  clients: { temporal: Client };
  /** CodePay's gateway keys in force now; during a rotation both the old and the new one verify. */
  gatewayPublicKeys: () => KeyObject[];
  /**
   * The process's live files (server.ts: with its logger): the key files of `config` are re-read
   * through them, and /readyz and /metrics report their state.
   */
  files?: LiveFiles;
  /** The API keys in force; by default those of `config` (apiKeysFromConfig). */
  keys?: ApiKeys;
  now?: Clock;
  logger: Logger;
  metrics?: ApiMetrics;
  /**
   * Serve the demo shop under /demo (server.ts: only when CodePay is the local sandbox); its
   * checkout redirects the browser to the cashier at `cashierUrl`.
   */
  demo?: { cashierUrl: string; webhookSecrets?: () => readonly string[] };
  timeouts?: Partial<TemporalTimeouts>;
  /** Admission control of payment starts (start-admission.ts); defaults to DEFAULT_START_ADMISSION. */
  startAdmission?: StartAdmissionLimits;
}

/**
 * The API as an express app, with every dependency passed in, so `server.ts`, `npm start` and the
 * tests build the same thing. Routes are mounted at their full paths so the metrics' route label
 * is the pattern the router matched.
 */
export function createApp(deps: AppDependencies): Express {
  const { config, clients, gatewayPublicKeys, logger, metrics = createApiMetrics(), demo, timeouts, startAdmission = DEFAULT_START_ADMISSION } = deps;
  const { files = new LiveFiles(), now = Date.now } = deps;
  const keys = deps.keys ?? apiKeysFromConfig(config, files);
  const limits = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const client = clients.temporal;
  const commands = new PaymentCommands(client, config, limits, createStartAdmission(startAdmission));
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders({ formTargets: demo ? [demo.cashierUrl] : [] }));
  // Decides `req.ip`, which the webhook allow-list checks.
  app.set('trust proxy', config.trustProxy);

  app.use(serverSpanMiddleware());
  app.use(httpMetricsMiddleware(metrics));
  registerSecretMetrics(metrics.registry, { keys, files: () => files.statuses(), now });
  app.use(
    createWebhookRouter({
      client,
      gatewayPublicKeys,
      logger: logger.child({ component: 'webhook' }),
      metrics,
      allowedIps: config.webhook.allowedIps,
      signalTimeoutMs: limits.signalMs,
      requestMs: limits.requestMs,
      recipient: { appId: config.codepay.appId, merchantNo: config.codepay.merchantNo },
    }),
  );
  const deliveries = new WebhookDeliveries(client, config, limits);
  const cursors = cursorKey(config.cursors ?? {}, files);
  const list = (filters: ListPaymentsQuery) => listPayments(client, config.temporal.namespace, filters, limits, cursors);
  const exportCsv = (filters: ListPaymentsQuery, res: Response) =>
    streamPaymentsCsv(client, filters, res, logger.child({ component: 'payments-csv' }), config.temporal.taskQueue).catch((err: unknown) => {
      throw translate(err);
    });
  app.use(createPaymentsRouter({ commands, config, metrics, auth: requireApiKey(keys.merchant, now), deliveries, list, exportCsv, requestMs: limits.requestMs }));
  const keySets = { operatorKeys: keys.operator, merchantKeys: keys.merchant, now };
  const operatorAuth = requireOperatorKey(keySets);
  app.use(createReviewRouter({ commands, auth: operatorAuth, requestMs: limits.requestMs }));
  const reports = new ReportStore(config.reconciliation?.reportsDir ?? path.join('.data', 'reconciliations'));
  registerReconciliationMetrics(metrics.registry, reports);
  app.use(createReconciliationsRouter({ client, taskQueue: config.temporal.taskQueue, store: reports, auth: operatorAuth, requestMs: limits.requestMs }));
  app.use(
    createConsoleRouter({
      commands,
      deliveries,
      list,
      holderOf: createKeyHolderCheck(keySets),
      keyInForce: createOperatorKeyInForce(keySets),
      sessions: new ConsoleSessions(config.console.sessionSecret, config.console.sessionTtlSeconds * 1000, now),
      books: createBooksSource({ client, store: reports, exportCsv }),
      temporalUi: { url: config.temporal.uiUrl, namespace: config.temporal.namespace },
      logger: logger.child({ component: 'console' }),
      requestMs: limits.requestMs,
    }),
  );
  app.use(
    createHealthRouter({
      client,
      namespace: config.temporal.namespace,
      apiKeyCount: () => keys.merchant.current().length,
      gatewayKeyCount: () => gatewayPublicKeys().length,
      secretFiles: () => files.statuses(),
      metrics,
      readinessTimeoutMs: limits.readinessMs,
      // Unset: open, for a scraper on a private network (BIND_HOST keeps it on loopback by default).
      metricsAuth: config.metricsToken ? requireApiKey(fixedKeys(config.metricsToken)) : undefined,
    }),
  );
  if (demo) app.use(createDemoRouter({ commands, config, webhookSecrets: demo.webhookSecrets, logger: logger.child({ component: 'demo' }), requestMs: limits.requestMs }));
  const openapi = createOpenApiDocument({ serverUrl: config.publicBaseUrl });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  app.use(notFoundMiddleware());
  app.use(problemMiddleware(logger));
  return app;
}

const fixedKeys = (token: string) => {
  const keys = [apiKeyOf(token)];
  return { current: () => keys };
};
