import { WEBHOOK_STAGES } from '../../src/api/metrics';
import { bucketDelta, bucketQuantile, histogramBuckets, labelValues, seriesSum } from './histogram-buckets';

/**
 * Latency figures from Prometheus histograms between two scrapes of the same /metrics (so only the
 * benchmark's own requests count), in ms: quantiles are bucket upper bounds (upper estimates at the
 * buckets' resolution), the mean is exact (`_sum` ÷ `_count`).
 */
export const WEBHOOK_ROUTE = { metric: 'http_request_duration_seconds', labels: { route: '/webhooks/codepay', method: 'POST' } };

export interface HistogramFigures {
  source: string;
  count: number;
  meanMs?: number;
  p50AtMostMs?: number;
  p95AtMostMs?: number;
  p99AtMostMs?: number;
}

const ms = (seconds: number) => Math.round(seconds * 1_000_000) / 1000;

/** One histogram's figures (metric in seconds) for the series matching `labels`, between two scrapes. */
export function histogramFigures(before: string, after: string, metric: string, labels: Record<string, string>, source: string): HistogramFigures {
  const buckets = bucketDelta(histogramBuckets(after, metric, labels), histogramBuckets(before, metric, labels));
  const at = (q: number) => {
    const bound = bucketQuantile(buckets, q).upperBound;
    return bound === undefined ? undefined : ms(bound);
  };
  const count = bucketQuantile(buckets, 0.5).count;
  const sum = seriesSum(after, `${metric}_sum`, labels) - seriesSum(before, `${metric}_sum`, labels);
  return { source, count, meanMs: count > 0 ? ms(sum / count) : undefined, p50AtMostMs: at(0.5), p95AtMostMs: at(0.95), p99AtMostMs: at(0.99) };
}

export function webhookHistogramFigures(before: string, after: string): HistogramFigures {
  const source = `API /metrics ${WEBHOOK_ROUTE.metric}{route="${WEBHOOK_ROUTE.labels.route}"}: bucket upper bounds`;
  return histogramFigures(before, after, WEBHOOK_ROUTE.metric, WEBHOOK_ROUTE.labels, source);
}

/** The API's per-stage histogram (src/api/metrics.ts). */
export const WEBHOOK_STAGE_METRIC = 'codepay_webhook_stage_seconds';

export interface WebhookBreakdown {
  /** API side, per stage of the route (`codepay_webhook_stage_seconds`). */
  stages: Record<string, HistogramFigures>;
  /** The API's event-loop delay over the run (prom-client resets it at every scrape, so the second scrape covers the run). */
  apiEventLoopDelayMs: { p50?: number; p99?: number; max?: number };
  /** Temporal's own view: the frontend's SignalWorkflowExecution latency and the persistence operations it waited on. */
  server?: {
    signal: HistogramFigures;
    /** History service's SignalWorkflowExecution (the write behind the frontend's answer). */
    historySignal: HistogramFigures;
    /** Persistence operations by total time spent over the run, the largest first (top 6). */
    persistence: { operation: string; count: number; meanMs?: number; totalMs: number }[];
  };
}

function gaugeMs(text: string, metric: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric} `) || l.startsWith(`${metric}{`));
  if (!line) return undefined;
  const value = Number(line.slice(line.lastIndexOf(' ') + 1));
  return Number.isFinite(value) ? ms(value) : undefined;
}

export function webhookBreakdown(api: { before: string; after: string }, server?: { before: string; after: string }): WebhookBreakdown {
  const stages = Object.fromEntries(
    WEBHOOK_STAGES.map((stage) => [stage, histogramFigures(api.before, api.after, WEBHOOK_STAGE_METRIC, { stage }, `API /metrics ${WEBHOOK_STAGE_METRIC}{stage="${stage}"}`)]),
  );
  const apiEventLoopDelayMs = {
    p50: gaugeMs(api.after, 'nodejs_eventloop_lag_p50_seconds'),
    p99: gaugeMs(api.after, 'nodejs_eventloop_lag_p99_seconds'),
    max: gaugeMs(api.after, 'nodejs_eventloop_lag_max_seconds'),
  };
  if (!server) return { stages, apiEventLoopDelayMs };
  const signalOf = (service: string) =>
    histogramFigures(server.before, server.after, 'service_latency', { operation: 'SignalWorkflowExecution', service_name: service }, `Temporal /metrics service_latency{operation="SignalWorkflowExecution",service_name="${service}"}`);
  const persistence = labelValues(server.after, 'persistence_latency_count', 'operation')
    .map((operation) => {
      const delta = (metric: string) => seriesSum(server.after, metric, { operation }) - seriesSum(server.before, metric, { operation });
      const count = delta('persistence_latency_count');
      const total = delta('persistence_latency_sum');
      return { operation, count, meanMs: count > 0 ? ms(total / count) : undefined, totalMs: Math.round(ms(total)) };
    })
    .filter((p) => p.count > 0)
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, 6);
  return { stages, apiEventLoopDelayMs, server: { signal: signalOf('frontend'), historySignal: signalOf('history'), persistence } };
}
