/**
 * Axes for the bench charts: "nice" tick values (1, 2 or 5 × 10^k apart), linear and log10 scales
 * from data to pixels, and the labels the ticks carry.
 */
export type Scale = (value: number) => number;

/** Ticks covering [min, max], at most about `count` of them, on a 1-2-5 step; the domain is widened to the outer ticks. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    if (min === 0) return [0, 1];
    const pad = Math.abs(min) / 2;
    return niceTicks(min - pad, max + pad, count);
  }
  const rough = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step - 1e-9 * step; v += step) ticks.push(cleanFloat(v));
  if (ticks.at(-1)! < max) ticks.push(cleanFloat(ticks.at(-1)! + step));
  return ticks;
}

/** 1, 2, 5 × 10^k ticks from the last one at or below `min` to the first one at or above `max` (min > 0); at least two. */
export function logTicks(min: number, max: number): number[] {
  const low = Math.floor(Math.log10(Math.max(min, Number.MIN_VALUE)));
  const high = Math.ceil(Math.log10(Math.max(max, min)));
  const all: number[] = [];
  for (let e = low; e <= high; e += 1) for (const m of [1, 2, 5]) all.push(cleanFloat(m * 10 ** e));
  const first = all.filter((t) => t <= min * (1 + 1e-9)).length - 1;
  const last = all.findIndex((t) => t >= max * (1 - 1e-9));
  return all.slice(Math.max(0, first), Math.max(first + 2, last + 1));
}

const cleanFloat = (v: number) => Number(v.toPrecision(12));

export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** log10 scale; values at or below 0 are drawn at the domain's lower end. */
export function logScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return (v) => r0 + ((Math.log10(Math.max(v, d0)) - l0) / span) * (r1 - r0);
}

/** A tick label: at most 3 significant digits, thousands as k (1500 → 1.5k). */
export function formatNumber(v: number): string {
  if (Math.abs(v) >= 10_000) return `${cleanFloat(Number((v / 1000).toPrecision(3)))}k`;
  return String(cleanFloat(Number(v.toPrecision(3))));
}

/** A duration label from ms: 250 → "250 ms", 1500 → "1.5 s". */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${formatNumber(ms / 1000)} s` : `${formatNumber(ms)} ms`;
}

/** A pixel coordinate with at most one decimal, so paths stay short and diffs stable. */
export const px = (v: number) => Math.round(v * 10) / 10;

/** [min, max] of a sample without spreading it into arguments (samples can be long). */
export function extent(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
