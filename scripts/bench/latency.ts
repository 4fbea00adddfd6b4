import { percentile } from '../../src/tools/progress';

/** A latency sample's figures in ms, rounded to 0.1 ms. */
export interface LatencySummary {
  n: number;
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

export const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const ms = (value: number | undefined) => (value === undefined ? undefined : round(value, 1));

export function summarize(sample: number[]): LatencySummary {
  return {
    n: sample.length,
    p50: ms(percentile(sample, 50)),
    p95: ms(percentile(sample, 95)),
    p99: ms(percentile(sample, 99)),
    max: ms(sample.length ? sample.reduce((a, b) => Math.max(a, b)) : undefined),
  };
}
