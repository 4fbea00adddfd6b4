import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The API process's Prometheus metrics, on a registry of its own (one per app, so tests can build
 * several apps in one process). The Temporal SDK's worker metrics are not here: the worker process
 * exposes them on WORKER_METRICS_PORT.
 */
export const WEBHOOK_RESULTS = [
  'acked',
  'closed',
  'bad_signature',
  'malformed',
  'foreign_merchant',
  'unknown_order',
  'temporal_unavailable',
  'forbidden',
  'too_large',
] as const;
export type WebhookResult = (typeof WEBHOOK_RESULTS)[number];

export const PAYMENT_START_OUTCOMES = ['created', 'existing', 'conflict', 'rejected', 'invalid'] as const;
export type PaymentStartOutcome = (typeof PAYMENT_START_OUTCOMES)[number];

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  webhookOutcomes: Counter<'result'>;
  paymentsStarted: Counter<'outcome'>;
}

export function createApiMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const metrics: ApiMetrics = {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    webhookOutcomes: new Counter({
      name: 'codepay_webhook_notifications_total',
      help: 'CodePay notifications received, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    paymentsStarted: new Counter({
      name: 'payments_start_requests_total',
      help: 'POST /v1/payments requests, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
  // Zero-initialise so dashboards see every series before its first event.
  for (const result of WEBHOOK_RESULTS) metrics.webhookOutcomes.inc({ result }, 0);
  for (const outcome of PAYMENT_START_OUTCOMES) metrics.paymentsStarted.inc({ outcome }, 0);
  return metrics;
}

/** Times every request; the route label is the matched pattern, never the raw path (cardinality). */
export function httpMetricsMiddleware(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      stop({ route, method: req.method, status: String(res.statusCode) });
    });
    next();
  };
}
