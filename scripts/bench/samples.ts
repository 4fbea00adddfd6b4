/**
 * What the bench keeps of a run besides its summary figures, for the report's charts: raw latency
 * samples (ms, 0.1 ms resolution) and completions per second.
 */
export const keepSamples = (ms: readonly number[]): number[] => ms.map((v) => Math.round(v * 10) / 10);

export interface Throughput {
  /** Epoch ms of the first second's start (the closed loop's start). */
  startedAtMs: number;
  /** Completions in each whole second from `startedAtMs`. */
  perSecond: number[];
}

export function throughput(completedAtMs: Iterable<number>, startedAtMs: number): Throughput {
  const perSecond: number[] = [];
  for (const at of completedAtMs) {
    const second = Math.max(0, Math.floor((at - startedAtMs) / 1000));
    while (perSecond.length <= second) perSecond.push(0);
    perSecond[second]! += 1;
  }
  return { startedAtMs, perSecond };
}

/** JSON indented by 2 like JSON.stringify's, but arrays of numbers (samples, series) kept on one line. */
export function summaryJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s+(-?[\d.eE+-]+(?:,\n\s+-?[\d.eE+-]+)*)\n\s*\]/g, (_, items: string) => `[${items.split(/,\n\s+/).join(', ')}]`);
}
