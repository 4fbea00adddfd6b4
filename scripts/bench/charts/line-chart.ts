import { html, SafeHtml } from '../../../src/web/html';
import { axes, colorFor, DEFAULT_SIZE, emptyChart, legend, legendLayout, plotArea, Size, svgDocument } from './frame';
import { extent, formatNumber, linearScale, niceTicks, px } from './scale';

/** Values over time (or any x): one polyline per series, optional shaded x ranges (phases). */
export interface LineSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
  dashed?: boolean;
  /** With `stacked`: drawn as a line over the stack rather than in it (e.g. the machine's total). */
  overlay?: boolean;
}

export interface XBand {
  from: number;
  to: number;
  label: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  bands?: readonly XBand[];
  formatX?: (v: number) => string;
  formatY?: (v: number) => string;
  /** Steps (each value held until the next point) rather than straight segments: counts per interval. */
  step?: boolean;
  /** Lowest x on the axis even when the data starts later (0 for time since start). */
  xMin?: number;
  /** Series (but overlays) stacked as filled areas, each on top of the ones before: parts of a total. */
  stacked?: boolean;
  size?: Size;
}

/** The path of a series in pixels: `M x y L x y …`, or horizontal-then-vertical steps. */
export function linePath(points: ReadonlyArray<readonly [number, number]>, x: (v: number) => number, y: (v: number) => number, step = false): string {
  return points
    .map(([vx, vy], i) => {
      const to = `${px(x(vx))} ${px(y(vy))}`;
      if (i === 0) return `M${to}`;
      return step ? `H${px(x(vx))}V${px(y(vy))}` : `L${to}`;
    })
    .join('');
}

export interface StackedArea {
  upper: [number, number][];
  lower: [number, number][];
}

/**
 * Stacks series on the union of their x values: at each x a series adds its value there (0 where it
 * has no point: the process was not running), on top of the series before it.
 */
export function stackSeries(series: readonly LineSeries[]): StackedArea[] {
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const base = new Map(xs.map((x) => [x, 0]));
  return series.map((s) => {
    const at = new Map(s.points.map(([x, y]) => [x, y]));
    const lower = xs.map((x): [number, number] => [x, base.get(x)!]);
    const upper = xs.map((x): [number, number] => [x, base.get(x)! + (at.get(x) ?? 0)]);
    for (const [x, y] of upper) base.set(x, y);
    return { upper, lower };
  });
}

export function lineChart(spec: LineChartSpec): string {
  const size = spec.size ?? DEFAULT_SIZE;
  const drawn = spec.series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return emptyChart(spec.title, 'no data recorded', size);
  const entries = drawn.map((s, i) => ({ name: s.name, color: s.color ?? colorFor(s.name, i), dashed: s.dashed }));
  const area = plotArea(size, legendLayout(entries, size).rows);
  const xs = drawn.flatMap((s) => s.points.map(([vx]) => vx)).concat((spec.bands ?? []).flatMap((b) => [b.from, b.to]));
  const stacked = spec.stacked ? stackSeries(drawn.filter((s) => !s.overlay)) : [];
  const ys = drawn.flatMap((s) => s.points.map(([, vy]) => vy)).concat(stacked.flatMap((a) => a.upper.map(([, vy]) => vy)));
  const [xMin, xMax] = extent(xs);
  const [yMin, yMax] = extent(ys);
  const xTicks = niceTicks(Math.min(spec.xMin ?? xMin, xMin), xMax, 8);
  // 5 % headroom, so a series at its maximum (a saturated machine at 200 %) is not drawn on the frame.
  const yTicks = niceTicks(Math.min(0, yMin), yMax > 0 ? yMax * 1.05 : yMax, 5);
  const x = linearScale([xTicks[0]!, xTicks.at(-1)!], [area.left, area.right]);
  const y = linearScale([yTicks[0]!, yTicks.at(-1)!], [area.bottom, area.top]);
  const bands = (spec.bands ?? []).map((b, i) => {
    const from = px(x(b.from));
    const width = px(Math.max(1, x(b.to) - x(b.from)));
    return html`<rect x="${from}" y="${area.top}" width="${width}" height="${area.bottom - area.top}" fill="${i % 2 ? '#f3f6fb' : '#f9f5ee'}"/><text class="bc-note" x="${px(from + 4)}" y="${area.top + 13}">${b.label}</text>`;
  });
  let nextStack = 0;
  const lines = drawn.map((s, i) => {
    const color = entries[i]!.color;
    if (spec.stacked && !s.overlay) {
      const { upper, lower } = stacked[nextStack++]!;
      const outline = `${linePath(upper, x, y)}${linePath([...lower].reverse(), x, y).replace(/^M/, 'L')}Z`;
      return html`<path d="${outline}" fill="${color}" fill-opacity="0.55" stroke="${color}" stroke-width="1"><title>${s.name}</title></path>`;
    }
    const dash = entries[i]!.dashed ? new SafeHtml(' stroke-dasharray="5 3"') : '';
    return html`<path d="${linePath(s.points, x, y, spec.step)}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"${dash}><title>${s.name}</title></path>`;
  });
  const body = html`<g class="bc-bands">${bands}</g>${axes(
    area,
    { scale: x, ticks: xTicks, format: spec.formatX ?? formatNumber, label: spec.xLabel },
    { scale: y, ticks: yTicks, format: spec.formatY ?? formatNumber, label: spec.yLabel },
  )}${lines}${legend(entries, size)}`;
  return svgDocument(size, spec.title, body);
}
