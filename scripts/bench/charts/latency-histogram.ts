import { html } from '../../../src/web/html';
import { percentile } from '../../../src/tools/progress';
import { axes, DEFAULT_SIZE, emptyChart, legend, legendLayout, plotArea, Size, svgDocument } from './frame';
import { extent, formatMs, formatNumber, linearScale, logScale, logTicks, niceTicks, px } from './scale';

/**
 * A latency distribution: a histogram over log-spaced bins (latencies span decades: a 30 ms median
 * next to a 3 s cold-start tail), with p50, p95 and p99 marked as labelled vertical lines. The
 * percentiles are the bench's own (nearest rank), so the marks match the JSON figures.
 */
export interface LatencyHistogramSpec {
  title: string;
  /** Latencies in ms. */
  samples: readonly number[];
  /** Bins per power of ten. */
  binsPerDecade?: number;
  color?: string;
  size?: Size;
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

export const MARKED_PERCENTILES = [50, 95, 99] as const;
const MARK_COLORS: Record<(typeof MARKED_PERCENTILES)[number], string> = { 50: '#2ca02c', 95: '#ff7f0e', 99: '#d62728' };

/** Counts of the sample in log-spaced bins from the power of ten at or below its minimum; values ≤ 0 count in the first bin. */
export function logBins(samples: readonly number[], binsPerDecade = 10): Bin[] {
  if (samples.length === 0) return [];
  const [min, max] = extent(samples);
  const low = Math.floor(Math.log10(Math.max(min, 0.1)));
  const index = (v: number) => Math.max(0, Math.floor((Math.log10(Math.max(v, 10 ** low)) - low) * binsPerDecade + 1e-9));
  const bins: Bin[] = Array.from({ length: index(max) + 1 }, (_, i) => ({
    from: 10 ** (low + i / binsPerDecade),
    to: 10 ** (low + (i + 1) / binsPerDecade),
    count: 0,
  }));
  for (const v of samples) bins[index(v)]!.count += 1;
  return bins;
}

export function latencyHistogram(spec: LatencyHistogramSpec): string {
  const size = spec.size ?? DEFAULT_SIZE;
  if (spec.samples.length === 0) return emptyChart(spec.title, 'no samples', size);
  const bins = logBins(spec.samples, spec.binsPerDecade);
  const marks = MARKED_PERCENTILES.map((p) => ({ p, value: percentile([...spec.samples], p)!, color: MARK_COLORS[p] }));
  const entries = marks.map((m) => ({ name: `p${m.p} ${formatMs(m.value)}`, color: m.color, dashed: true }));
  const area = plotArea(size, legendLayout(entries, size).rows);
  const xTicks = logTicks(bins[0]!.from, bins.at(-1)!.to);
  const x = logScale([xTicks[0]!, xTicks.at(-1)!], [area.left, area.right]);
  const yTicks = niceTicks(0, extent(bins.map((b) => b.count))[1], 5).filter((t) => Number.isInteger(t));
  const y = linearScale([0, yTicks.at(-1)!], [area.bottom, area.top]);
  const bars = bins
    .filter((b) => b.count > 0)
    .map((b) => {
      const left = px(x(b.from) + 0.5);
      const top = px(y(b.count));
      return html`<rect x="${left}" y="${top}" width="${px(Math.max(1, x(b.to) - x(b.from) - 1))}" height="${px(area.bottom - top)}" fill="${spec.color ?? '#4c78a8'}"><title>${formatMs(b.from)}–${formatMs(b.to)}: ${b.count}</title></rect>`;
    });
  const lines = marks.map((m) => {
    const at = px(x(m.value));
    return html`<line class="bc-mark" x1="${at}" y1="${area.top}" x2="${at}" y2="${area.bottom}" stroke="${m.color}" stroke-width="2" stroke-dasharray="5 3"><title>p${m.p} = ${formatMs(m.value)}</title></line>`;
  });
  const xLabel = `latency (log scale) · n = ${spec.samples.length}, max ${formatMs(extent(spec.samples)[1])}`;
  const body = html`${axes(area, { scale: x, ticks: xTicks, format: formatMs, label: xLabel }, { scale: y, ticks: yTicks, format: formatNumber, label: 'count' })}${bars}${lines}${legend(entries, size)}`;
  return svgDocument(size, spec.title, body);
}
