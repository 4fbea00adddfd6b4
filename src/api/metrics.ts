import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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

/**
 * Where a notification's acknowledgement time goes, in the order the route runs them: `receive`
 * (route entered → body read), `decode` (body → fields), `verify` (RSA signature), `validate`
 * (ours? zod), `signal` (the Temporal signal RPC, answered once the dev server/cluster wrote it to
 * history), `respond` (answer written).
 */
export const WEBHOOK_STAGES = ['receive', 'decode', 'verify', 'validate', 'signal', 'respond'] as const;
export type WebhookStage = (typeof WEBHOOK_STAGES)[number];

/** `overloaded`: refused by admission control (or its client left while queued), nothing started. */
export const PAYMENT_START_OUTCOMES = ['created', 'existing', 'conflict', 'rejected', 'invalid', 'overloaded'] as const;
export type PaymentStartOutcome = (typeof PAYMENT_START_OUTCOMES)[number];

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  webhookOutcomes: Counter<'result'>;
  webhookStages: Histogram<'stage'>;
  paymentsStarted: Counter<'outcome'>;
  /** Set by payment-gauges.ts from visibility counts; no series before the first count. */
  paymentsByStatus: Gauge<'status'>;
  /** The oldest open payment's creation time per waiting status (payment-gauges.ts); exported as its age at scrape time. */
  oldestPaymentCreatedAt: Map<string, number | undefined>;
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
    webhookStages: new Histogram({
      name: 'codepay_webhook_stage_seconds',
      help: 'CodePay notification handling time by stage (receive, decode, verify, validate, signal, respond)',
      labelNames: ['stage'],
      // From 50 µs (a verify) to the request budget: the stages differ by four orders of magnitude.
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    paymentsStarted: new Counter({
      name: 'payments_start_requests_total',
      help: 'POST /v1/payments requests, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    paymentsByStatus: new Gauge({
      name: 'payments_by_status',
      help: 'Payments by PaymentStatus (Temporal visibility count, refreshed every PAYMENT_GAUGE_SECONDS)',
      labelNames: ['status'],
      registers: [registry],
    }),
    oldestPaymentCreatedAt: new Map(),
  };
  new Gauge({
    name: 'payments_oldest_age_seconds',
    help: 'Age of the oldest open payment in each waiting status (CREATING, AWAITING_PAYMENT, NEEDS_REVIEW); 0 when there is none',
    labelNames: ['status'],
    registers: [registry],
    // The age at scrape time, from the creation time of the last refresh.
    collect() {
      const now = Date.now();
      for (const [status, createdAt] of metrics.oldestPaymentCreatedAt) this.set({ status }, createdAt === undefined ? 0 : Math.max(0, (now - createdAt) / 1000));
    },
  });
  // Zero-initialise so dashboards see every series before its first event.
  for (const result of WEBHOOK_RESULTS) metrics.webhookOutcomes.inc({ result }, 0);
  for (const stage of WEBHOOK_STAGES) metrics.webhookStages.zero({ stage });
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
