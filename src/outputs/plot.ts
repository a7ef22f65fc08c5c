// Line plots as SVG text (axes, nice ticks, legend, optional EMA smoothing, stacked panels sharing
// the x axis), rendered to PNG by sharp (librsvg). Non-finite points are skipped.
import sharp from 'sharp';
import { writeFileAtomic } from './atomic.js';
import type { TrainLogRow } from './log.js';

export interface PlotSeries {
  name: string;
  /** Any SVG colour; default from a tab10-like palette. */
  color?: string;
  /** [x, y] pairs; points with a non-finite coordinate are skipped. */
  points: readonly (readonly [number, number])[];
}

export interface PlotPanel {
  series: readonly PlotSeries[];
  /** Small heading above the panel (left of the legend). */
  title?: string;
  yLabel?: string;
  /** Fixed y bounds (e.g. 0 and 1 for probabilities); default from the data. */
  yMin?: number;
  yMax?: number;
  /** EMA weight for this panel's series, overriding the plot's `smooth` (e.g. 0 for sparse metrics). */
  smooth?: number;
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  /** y label of the first panel. */
  yLabel?: string;
  /** Total image size in pixels; default 900 wide and 250 per panel (+ title). */
  width?: number;
  height?: number;
  /**
   * EMA weight in [0, 1) (TensorBoard-style, debiased): when > 0 each series is drawn faint as
   * measured with its smoothed line on top. Default 0.
   */
  smooth?: number;
  /** Further panels stacked below the first, sharing its x axis. */
  panels?: readonly PlotPanel[];
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = "DejaVu Sans, Verdana, sans-serif";
const CHAR_W = 7; // rough advance of a 12 px DejaVu Sans character, for layout only

/** A "nice" tick step (1, 2 or 5 x 10^k) giving about `count` intervals over `range`. */
export function niceStep(range: number, count = 5): number {
  const rough = range / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(rough));
  const r = rough / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/**
 * Tick values covering [min, max] with a nice step: the first tick is <= min, the last >= max, so
 * they also serve as the axis bounds. An empty range is widened (by 10% of |v|, or 1 around 0).
 * `minStep` floors the step (1 for integer data such as training steps).
 */
export function niceTicks(min: number, max: number, count = 5, minStep = 0): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`niceTicks: bounds must be finite, got ${min}, ${max}`);
  if (min > max) [min, max] = [max, min];
  if (max - min <= Math.abs(max) * 1e-12) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= d; max += d;
  }
  const step = Math.max(minStep, niceStep(max - min, count));
  const dec = decimalsOf(step);
  const lo = Math.floor(min / step + 1e-9), hi = Math.ceil(max / step - 1e-9);
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(Number((k * step).toFixed(dec)) || 0); // || 0: no -0
  return out;
}

function decimalsOf(step: number): number {
  return Math.max(0, Math.min(20, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Label of a tick value on an axis with the given step: 12000 -> "12k", 0.25 -> "0.25". */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e4 && step >= 1000) {
    if (v % 1e6 === 0 && step >= 1e6) return `${v / 1e6}M`;
    return `${Number((v / 1000).toFixed(decimalsOf(step / 1000)))}k`;
  }
  return v.toFixed(decimalsOf(step));
}

/** TensorBoard's debiased EMA over the y values (points must be finite). */
export function emaSmooth(points: readonly (readonly [number, number])[], weight: number): [number, number][] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smooth must be in [0, 1), got ${weight}`);
  let last = 0, n = 0;
  return points.map(([x, y]) => {
    last = last * weight + (1 - weight) * y;
    n++;
    return [x, weight === 0 ? y : last / (1 - weight ** n)];
  });
}

function finitePoints(points: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [x, y] of points) if (Number.isFinite(x) && Number.isFinite(y)) out.push([x, y]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** Keeps the first, min, max and last point of each of `buckets` index buckets (spikes survive). */
function decimate(points: [number, number][], buckets: number): [number, number][] {
  if (points.length <= buckets * 4) return points;
  const out: [number, number][] = [];
  const size = points.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const s = Math.floor(b * size), e = Math.min(points.length, Math.floor((b + 1) * size));
    if (e <= s) continue;
    let lo = s, hi = s;
    for (let i = s; i < e; i++) {
      if (points[i]![1] < points[lo]![1]) lo = i;
      if (points[i]![1] > points[hi]![1]) hi = i;
    }
    for (const i of [...new Set([s, lo, hi, e - 1])].sort((a, c) => a - c)) out.push(points[i]!);
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (v: number) => Math.round(v * 10) / 10;

/** SVG of a line plot: the first panel holds `series`, `opts.panels` stack below it. */
export function lossPlotSvg(series: readonly PlotSeries[], opts: PlotOptions = {}): string {
  return plotSvg([{ series, yLabel: opts.yLabel }, ...(opts.panels ?? [])], opts);
}

/** SVG of stacked panels sharing one x axis. */
export function plotSvg(panels: readonly PlotPanel[], opts: PlotOptions = {}): string {
  if (panels.length === 0) throw new Error('plot: no panels');
  for (const w of [opts.smooth, ...panels.map((p) => p.smooth)]) {
    if (w !== undefined && !(w >= 0 && w < 1)) throw new Error(`smooth must be in [0, 1), got ${w}`);
  }
  const titleH = opts.title ? 32 : 6;
  const W = Math.round(opts.width ?? 900);
  const H = Math.round(opts.height ?? titleH + 250 * panels.length);
  if (!(W >= 200 && H >= 100 * panels.length)) throw new Error(`plot: ${W}x${H} is too small for ${panels.length} panel(s)`);
  const left = 70, right = 18, headH = 24, footH = 22, xLabelH = opts.xLabel ? 18 : 0;
  const plotW = W - left - right;
  const slotH = (H - titleH - xLabelH) / panels.length;

  // Clean points once; the x axis is shared by all panels.
  const clean = panels.map((p) => p.series.map((s) => finitePoints(s.points)));
  let xMin = Infinity, xMax = -Infinity, xInt = true;
  for (const ps of clean) {
    for (const pts of ps) {
      for (const [x] of pts) {
        if (x < xMin) xMin = x;
        if (x > xMax) xMax = x;
        if (!Number.isInteger(x)) xInt = false;
      }
    }
  }
  if (xMin > xMax) { xMin = 0; xMax = 1; }
  const xTicks = niceTicks(xMin, xMax, Math.max(2, Math.floor(plotW / 110)), xInt ? 1 : 0);
  const x0 = xTicks[0]!, x1 = xTicks[xTicks.length - 1]!;
  const xStep = xTicks.length > 1 ? xTicks[1]! - x0 : 1;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  if (opts.title) out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${esc(opts.title)}</text>`);

  panels.forEach((panel, pi) => {
    const top = titleH + pi * slotH + headH;
    const ph = slotH - headH - footH;
    const pts = clean[pi]!;
    const smooth = panel.smooth ?? opts.smooth ?? 0;
    let yMin = Infinity, yMax = -Infinity;
    for (const s of pts) for (const [, y] of s) { if (y < yMin) yMin = y; if (y > yMax) yMax = y; }
    const empty = yMin > yMax;
    if (empty) { yMin = 0; yMax = 1; }
    if (panel.yMin !== undefined) yMin = panel.yMin;
    if (panel.yMax !== undefined) yMax = panel.yMax;
    const yTicks = niceTicks(yMin, yMax, Math.max(2, Math.floor(ph / 45)));
    // Fixed bounds are exact; data bounds snap outwards to the ticks.
    const y0 = panel.yMin ?? yTicks[0]!, y1 = panel.yMax ?? yTicks[yTicks.length - 1]!;
    const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
    const sx = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * plotW;
    const sy = (y: number) => top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;

    out.push(`<g class="panel" id="panel${pi}">`);
    out.push(`<defs><clipPath id="clip${pi}"><rect x="${left}" y="${r1(top)}" width="${plotW}" height="${r1(ph)}"/></clipPath></defs>`);
    // Grid and tick labels.
    for (const t of yTicks) {
      if (t < y0 - 1e-12 || t > y1 + 1e-12) continue;
      const y = r1(sy(t));
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#444">${formatTick(t, yStep)}</text>`);
    }
    for (const t of xTicks) {
      const x = r1(sx(t));
      out.push(`<line x1="${x}" x2="${x}" y1="${r1(top)}" y2="${r1(top + ph)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x}" y="${r1(top + ph + 15)}" text-anchor="middle" fill="#444">${formatTick(t, xStep)}</text>`);
    }
    out.push(`<rect x="${left}" y="${r1(top)}" width="${plotW}" height="${r1(ph)}" fill="none" stroke="#333"/>`);
    const yLabel = panel.yLabel;
    if (yLabel) out.push(`<text transform="translate(16 ${r1(top + ph / 2)}) rotate(-90)" text-anchor="middle" fill="#222">${esc(yLabel)}</text>`);
    if (empty) out.push(`<text x="${left + plotW / 2}" y="${r1(top + ph / 2)}" text-anchor="middle" fill="#999">no data</text>`);

    // Series.
    out.push(`<g clip-path="url(#clip${pi})" fill="none" stroke-width="1.5" stroke-linejoin="round">`);
    panel.series.forEach((s, si) => {
      const raw = pts[si]!;
      if (raw.length === 0) return;
      const color = esc(s.color ?? PALETTE[si % PALETTE.length]!);
      const path = (p: [number, number][]) => 'M' + decimate(p, plotW).map(([x, y]) => `${r1(sx(x))} ${r1(sy(y))}`).join('L');
      const name = esc(s.name);
      if (raw.length === 1 || raw.length <= 40) {
        for (const [x, y] of raw) out.push(`<circle cx="${r1(sx(x))}" cy="${r1(sy(y))}" r="2.5" fill="${color}" stroke="none"/>`);
      }
      if (raw.length > 1) {
        if (smooth > 0) {
          out.push(`<path d="${path(raw)}" stroke="${color}" stroke-opacity="0.25" data-series="${name}" data-kind="raw"/>`);
          out.push(`<path d="${path(emaSmooth(raw, smooth))}" stroke="${color}" data-series="${name}" data-kind="smoothed"/>`);
        } else {
          out.push(`<path d="${path(raw)}" stroke="${color}" data-series="${name}"/>`);
        }
      }
    });
    out.push('</g>');

    // Heading: panel title, then the legend.
    let lx = left;
    const ly = r1(top - 8);
    if (panel.title) {
      out.push(`<text x="${lx}" y="${ly}" font-weight="bold" fill="#222">${esc(panel.title)}</text>`);
      lx += panel.title.length * CHAR_W + 20;
    }
    panel.series.forEach((s, si) => {
      const color = esc(s.color ?? PALETTE[si % PALETTE.length]!);
      out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2.5"/>`);
      out.push(`<text x="${lx + 23}" y="${ly}" fill="#222">${esc(s.name)}</text>`);
      lx += 23 + s.name.length * CHAR_W + 16;
    });
    out.push('</g>');
  });
  if (opts.xLabel) out.push(`<text x="${left + plotW / 2}" y="${H - 6}" text-anchor="middle" fill="#222">${esc(opts.xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** Renders SVG text to a PNG file (atomically); returns the rendered size. */
export async function writePlotPng(file: string, svg: string): Promise<{ width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 }).flatten({ background: '#ffffff' }).png().toBuffer({ resolveWithObject: true });
  await writeFileAtomic(file, data);
  return { width: info.width, height: info.height };
}

export interface TrainingPlotOptions {
  title?: string;
  width?: number;
  height?: number;
  /** EMA weight; default 0.6 when there are more than 50 rows, else 0. */
  smooth?: number;
}

/** The panels of a training log: losses; D outputs; one per metric (only when some row has it). */
export function trainingPlotPanels(log: readonly TrainLogRow[]): PlotPanel[] {
  const pts = (f: (r: TrainLogRow) => number) => log.map((r) => [r.step, f(r)] as const);
  const panels: PlotPanel[] = [
    { title: 'Loss', series: [
      { name: 'Loss_D (real+fake)', color: PALETTE[1], points: pts((r) => r.lossD) },
      { name: 'Loss_G', color: PALETTE[0], points: pts((r) => r.lossG) },
    ] },
    { title: 'D output', yMin: 0, yMax: 1, series: [
      { name: 'D(x)', color: PALETTE[2], points: pts((r) => r.dx) },
      { name: 'D(G(z)) in D step', color: PALETTE[3], points: pts((r) => r.dgz1) },
      { name: 'D(G(z)) in G step', color: PALETTE[4], points: pts((r) => r.dgz2) },
    ] },
  ];
  // one panel per metric: CIFAR-FID (tens) and KID (thousandths) do not share an axis
  const keys = [...new Set(log.flatMap((r) => Object.keys(r.metrics ?? {})))];
  keys.forEach((k, i) => panels.push({ title: k, smooth: 0, series: [{
    name: k, color: PALETTE[(5 + i) % PALETTE.length],
    points: log.filter((r) => r.metrics && k in r.metrics).map((r) => [r.step, r.metrics![k]!] as const),
  }] }));
  return panels;
}

/** Plots a training log (the seed's loss plot, plus D outputs and metrics) to a PNG. */
export async function writeTrainingPlot(file: string, log: readonly TrainLogRow[], opts: TrainingPlotOptions = {}): Promise<{ width: number; height: number }> {
  const panels = trainingPlotPanels(log);
  const svg = plotSvg(panels, {
    title: opts.title ?? 'Generator and Discriminator Loss During Training',
    xLabel: 'step',
    width: opts.width,
    height: opts.height,
    smooth: opts.smooth ?? (log.length > 50 ? 0.6 : 0),
  });
  return writePlotPng(file, svg);
}
