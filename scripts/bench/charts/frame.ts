import { html, SafeHtml } from '../../../src/web/html';
import { px, Scale } from './scale';

/**
 * What every bench chart shares: a standalone SVG document (white background, system fonts, no
 * external references), a plot area with margins, a title, axes with grid lines and labels, and
 * a legend. Every text goes through `html`, which escapes it.
 */
export interface Size {
  width: number;
  height: number;
}

export const DEFAULT_SIZE: Size = { width: 720, height: 320 };
const MARGIN = { top: 58, right: 20, bottom: 46, left: 64 };

export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The plot's box; each legend row beyond the first takes room from the top. */
export function plotArea({ width, height }: Size, legendRows = 1): PlotArea {
  return { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top + LEGEND_ROW * Math.max(0, legendRows - 1), bottom: height - MARGIN.bottom };
}

export interface Axis {
  scale: Scale;
  ticks: number[];
  format: (v: number) => string;
  label: string;
}

export interface LegendEntry {
  name: string;
  color: string;
  dashed?: boolean;
}

/** Colours that stay apart for the usual series (processes, then anything else by position). */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const NAMED: Record<string, string> = {
  'temporal-dev-server': '#1f77b4',
  worker: '#d62728',
  api: '#2ca02c',
  sandbox: '#9467bd',
  'ceiling-worker': '#ff7f0e',
  bench: '#8c564b',
  machine: '#9a9a9a',
};

export function colorFor(name: string, index: number): string {
  return NAMED[name] ?? PALETTE[index % PALETTE.length]!;
}

/** Known processes first, in the order of NAMED (the server at the bottom of a stack), then the rest by name. */
export function byProcessOrder(a: string, b: string): number {
  const known = Object.keys(NAMED);
  const rank = (n: string) => (known.includes(n) ? known.indexOf(n) : known.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function axes(area: PlotArea, x: Axis, y: Axis): SafeHtml {
  const xTicks = x.ticks.map((t) => {
    const at = px(x.scale(t));
    return html`<line class="bc-grid" x1="${at}" y1="${area.top}" x2="${at}" y2="${area.bottom}"/><text x="${at}" y="${area.bottom + 16}" text-anchor="middle">${x.format(t)}</text>`;
  });
  const yTicks = y.ticks.map((t) => {
    const at = px(y.scale(t));
    return html`<line class="bc-grid" x1="${area.left}" y1="${at}" x2="${area.right}" y2="${at}"/><text x="${area.left - 6}" y="${at + 4}" text-anchor="end">${y.format(t)}</text>`;
  });
  const midX = px((area.left + area.right) / 2);
  const midY = px((area.top + area.bottom) / 2);
  return html`<g class="bc-axes">${xTicks}${yTicks}<line class="bc-axis" x1="${area.left}" y1="${area.bottom}" x2="${area.right}" y2="${area.bottom}"/><line class="bc-axis" x1="${area.left}" y1="${area.top}" x2="${area.left}" y2="${area.bottom}"/><text x="${midX}" y="${area.bottom + 36}" text-anchor="middle">${x.label}</text><text transform="translate(16 ${midY}) rotate(-90)" text-anchor="middle">${y.label}</text></g>`;
}

const LEGEND_ROW = 16;
/** Approximate width of a legend entry: swatch, gap, text at ~6.6 px a character, spacing. */
const entryWidth = (e: LegendEntry) => 23 + e.name.length * 6.6 + 14;

/** Legend entries in rows under the title, from the plot's left edge, wrapping at its right edge. */
export function legendLayout(entries: readonly LegendEntry[], size: Size): { rows: number; at: { x: number; y: number }[] } {
  const left = MARGIN.left;
  const right = size.width - MARGIN.right;
  let x = left;
  let row = 0;
  const at = entries.map((e) => {
    if (x > left && x + entryWidth(e) > right) {
      row += 1;
      x = left;
    }
    const position = { x, y: 40 + row * LEGEND_ROW };
    x += entryWidth(e);
    return position;
  });
  return { rows: entries.length ? row + 1 : 0, at };
}

export function legend(entries: readonly LegendEntry[], size: Size): SafeHtml {
  const { at } = legendLayout(entries, size);
  const items = entries.map((e, i) => {
    const { x, y } = at[i]!;
    return html`<g><line x1="${px(x)}" y1="${y - 4}" x2="${px(x + 18)}" y2="${y - 4}" stroke="${e.color}" stroke-width="3"${e.dashed ? new SafeHtml(' stroke-dasharray="5 3"') : ''}/><text x="${px(x + 23)}" y="${y}">${e.name}</text></g>`;
  });
  return html`<g class="bc-legend">${items}</g>`;
}

export function svgDocument(size: Size, title: string, body: SafeHtml): string {
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="bc-text" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12" role="img" aria-label="${title}"><title>${title}</title><style>.bc-grid{stroke:#e6e6e6;stroke-width:1}.bc-axis{stroke:#555;stroke-width:1}.bc-text text{fill:#333}.bc-title{font-size:14px;font-weight:600}.bc-note{fill:#777;font-size:11px}</style><rect width="100%" height="100%" fill="#fff"/><text class="bc-title" x="12" y="20">${title}</text>${body}</svg>`.text;
}

/** A chart with nothing to draw still says so, rather than showing an empty frame. */
export function emptyChart(title: string, why: string, size: Size = DEFAULT_SIZE): string {
  return svgDocument(size, title, html`<text class="bc-note" x="${size.width / 2}" y="${size.height / 2}" text-anchor="middle">${why}</text>`);
}
