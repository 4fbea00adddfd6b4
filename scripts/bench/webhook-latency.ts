import { bucketDelta, bucketQuantile, histogramBuckets } from './histogram-buckets';

/**
 * The webhook route's acknowledgement latency as the API's own /metrics histogram saw it between
 * two scrapes, in ms (bucket upper bounds, so an upper estimate at the buckets' resolution).
 */
export const WEBHOOK_ROUTE = { metric: 'http_request_duration_seconds', labels: { route: '/webhooks/codepay', method: 'POST' } };

export interface HistogramFigures {
  source: string;
  count: number;
  p50AtMostMs?: number;
  p95AtMostMs?: number;
  p99AtMostMs?: number;
}

export function webhookHistogramFigures(before: string, after: string): HistogramFigures {
  const buckets = bucketDelta(
    histogramBuckets(after, WEBHOOK_ROUTE.metric, WEBHOOK_ROUTE.labels),
    histogramBuckets(before, WEBHOOK_ROUTE.metric, WEBHOOK_ROUTE.labels),
  );
  const at = (q: number) => {
    const bound = bucketQuantile(buckets, q).upperBound;
    return bound === undefined ? undefined : bound * 1000;
  };
  return {
    source: `API /metrics ${WEBHOOK_ROUTE.metric}{route="${WEBHOOK_ROUTE.labels.route}"}: bucket upper bounds`,
    count: bucketQuantile(buckets, 0.5).count,
    p50AtMostMs: at(0.5),
    p95AtMostMs: at(0.95),
    p99AtMostMs: at(0.99),
  };
}
