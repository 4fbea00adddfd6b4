/**
 * Latency quantiles from a Prometheus histogram in the API's /metrics text: the bucket counts of
 * the series whose labels match, as the difference between two scrapes (so only the benchmark's
 * own requests count). A quantile is the upper bound of the bucket it falls in, so it is an
 * upper estimate at the buckets' resolution.
 */
export type BucketCounts = Map<number, number>;

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

/** Sum of every line of `metric` (e.g. `x_sum`, `x_count`) whose labels include `match`. */
export function seriesSum(metricsText: string, metric: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const close = line.lastIndexOf('}');
    const labels = close < 0 ? {} : labelsOf(line.slice(line.indexOf('{') + 1, close));
    if (Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    total += Number(line.slice(close < 0 ? metric.length : close + 1).trim().split(' ')[0]);
  }
  return total;
}

/** Label values of `label` over the series of `metric` whose labels include `match`. */
export function labelValues(metricsText: string, metric: string, label: string, match: Record<string, string> = {}): string[] {
  const values = new Set<string>();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels = labelsOf(line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')));
    if (labels[label] !== undefined && Object.entries(match).every(([k, v]) => labels[k] === v)) values.add(labels[label]);
  }
  return [...values];
}

/** Cumulative counts per `le` bound, summed over the series of `metric` whose labels include `match`. */
export function histogramBuckets(metricsText: string, metric: string, match: Record<string, string>): BucketCounts {
  const buckets: BucketCounts = new Map();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`)) continue;
    const close = line.lastIndexOf('}');
    const labels = labelsOf(line.slice(line.indexOf('{') + 1, close));
    if (Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(line.slice(close + 1).trim()));
  }
  return buckets;
}

export function bucketDelta(after: BucketCounts, before: BucketCounts): BucketCounts {
  return new Map([...after].map(([le, count]) => [le, count - (before.get(le) ?? 0)]));
}

/** Total observations and the bucket upper bound (in the metric's unit) holding quantile `q` (0..1). */
export function bucketQuantile(buckets: BucketCounts, q: number): { count: number; upperBound?: number } {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const count = sorted.at(-1)?.[1] ?? 0;
  if (count === 0) return { count };
  const rank = Math.ceil(q * count);
  return { count, upperBound: sorted.find(([, cumulative]) => cumulative >= rank)?.[0] };
}
