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
