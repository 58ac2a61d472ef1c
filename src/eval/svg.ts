// Inline SVG line charts (ROC, precision-recall) with axes, ticks and a legend; no scripts, no external assets.
import { escapeHtml as esc } from './escape.js';

export interface Series {
  name: string;
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  dashed?: boolean;
  /** Thinner, unlabelled-looking reference lines (chance) use this. */
  width?: number;
}

export interface Axis {
  label: string;
  scale: 'linear' | 'log';
  min: number;
  max: number;
  /** Tick label text; defaults to a short number. */
  format?: (v: number) => string;
}

export interface ChartSpec {
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Vertical marker lines, e.g. the 0.1% FPR operating limit. */
  markers?: { x: number; label: string }[];
  width?: number;
  height?: number;
  /** Upper bound on drawn points per series; metrics never see this. */
  maxPoints?: number;
}

const MARGIN = { left: 62, right: 18, top: 34, bottom: 48 };
const LEGEND_ROW = 18;
/** Points closer than this (pixels) to the last drawn one add nothing visible. */
const MIN_PIXEL_STEP = 0.75;

function ticks(axis: Axis): number[] {
  if (axis.scale === 'log') {
    const out: number[] = [];
    for (let e = Math.ceil(Math.log10(axis.min) - 1e-9); 10 ** e <= axis.max * (1 + 1e-9); e++) out.push(10 ** e);
    return out;
  }
  const span = axis.max - axis.min;
  const step = span <= 0 ? 1 : [0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10].map((s) => s * 10 ** Math.floor(Math.log10(span))).find((s) => span / s <= 6) ?? span;
  const out: number[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function defaultFormat(v: number): string {
  return Math.abs(v) >= 0.01 || v === 0 ? String(Number(v.toPrecision(3))) : v.toExponential(0);
}

/** Maps a data value into [0, 1] of the axis; log axes clamp values below `min` (e.g. FPR 0) to the edge. */
function unit(axis: Axis, v: number): number {
  if (axis.scale === 'log') {
    const lo = Math.log10(axis.min);
    const hi = Math.log10(axis.max);
    return (Math.log10(Math.max(v, axis.min)) - lo) / (hi - lo);
  }
  return (v - axis.min) / (axis.max - axis.min || 1);
}

/** Screen-space downsampling: drop sub-pixel moves, then stride if still above maxPoints. Keeps both ends. */
export function downsample(px: number[], py: number[], maxPoints: number): [number[], number[]] {
  const n = px.length;
  if (n <= 2) return [px, py];
  let kx = [px[0] as number];
  let ky = [py[0] as number];
  for (let i = 1; i < n - 1; i++) {
    const x = px[i] as number;
    const y = py[i] as number;
    if (Math.abs(x - (kx[kx.length - 1] as number)) >= MIN_PIXEL_STEP || Math.abs(y - (ky[ky.length - 1] as number)) >= MIN_PIXEL_STEP) {
      kx.push(x);
      ky.push(y);
    }
  }
  kx.push(px[n - 1] as number);
  ky.push(py[n - 1] as number);
  if (kx.length > maxPoints) {
    const stride = (kx.length - 1) / (maxPoints - 1);
    const sx: number[] = [];
    const sy: number[] = [];
    for (let j = 0; j < maxPoints; j++) {
      const i = Math.round(j * stride);
      sx.push(kx[i] as number);
      sy.push(ky[i] as number);
    }
    kx = sx;
    ky = sy;
  }
  return [kx, ky];
}

function legend(series: Series[], x0: number, y0: number, width: number): { svg: string; height: number } {
  const parts: string[] = [];
  let x = x0;
  let y = y0;
  for (const s of series) {
    const itemWidth = 34 + s.name.length * 6.6;
    if (x + itemWidth > x0 + width && x > x0) {
      x = x0;
      y += LEGEND_ROW;
    }
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${esc(s.color)}" stroke-width="2.5"${dash}/>`);
    parts.push(`<text x="${x + 27}" y="${y + 4}" class="lg">${esc(s.name)}</text>`);
    x += itemWidth;
  }
  return { svg: parts.join(''), height: y - y0 + LEGEND_ROW };
}

/** Renders one chart as an `<svg>` element string. */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 560;
  const plotHeight = (spec.height ?? 400) - MARGIN.top - MARGIN.bottom;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const maxPoints = spec.maxPoints ?? 1000;
  const sx = (v: number): number => MARGIN.left + unit(spec.x, v) * plotWidth;
  const sy = (v: number): number => MARGIN.top + (1 - unit(spec.y, v)) * plotHeight;
  const r = (v: number): string => v.toFixed(1);
  const out: string[] = [];
  const bottom = MARGIN.top + plotHeight;

  for (const t of ticks(spec.x)) {
    const x = r(sx(t));
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${bottom}" class="grid"/>`);
    out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" class="tk">${esc((spec.x.format ?? defaultFormat)(t))}</text>`);
  }
  for (const t of ticks(spec.y)) {
    const y = r(sy(t));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" class="grid"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${Number(y) + 4}" text-anchor="end" class="tk">${esc((spec.y.format ?? defaultFormat)(t))}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" class="frame"/>`);
  for (const m of spec.markers ?? []) {
    const x = r(sx(m.x));
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${bottom}" class="marker"/>`);
    out.push(`<text x="${Number(x) + 4}" y="${MARGIN.top + 12}" class="mk">${esc(m.label)}</text>`);
  }
  for (const s of spec.series) {
    const px: number[] = [];
    const py: number[] = [];
    for (let i = 0; i < s.x.length; i++) {
      px.push(sx(s.x[i] as number));
      py.push(sy(s.y[i] as number));
    }
    const [dx, dy] = downsample(px, py, maxPoints);
    if (dx.length === 0) continue;
    const d = dx.map((x, i) => `${i === 0 ? 'M' : 'L'}${r(x)} ${r(dy[i] as number)}`).join('');
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    out.push(`<path d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${dash} data-points="${dx.length}"><title>${esc(s.name)}</title></path>`);
  }
  out.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 36}" text-anchor="middle" class="al">${esc(spec.x.label)}${spec.x.scale === 'log' ? ' (log scale)' : ''}</text>`);
  out.push(`<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" class="al">${esc(spec.y.label)}</text>`);
  out.push(`<text x="${MARGIN.left}" y="20" class="ttl">${esc(spec.title)}</text>`);
  const lg = legend(spec.series, MARGIN.left, bottom + MARGIN.bottom + 8, plotWidth);
  const height = bottom + MARGIN.bottom + lg.height + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(spec.title)}">${out.join('')}${lg.svg}</svg>`;
}
