// Pure data logic of the live view (no DOM, tested under Node): which curves a chart has, runs'
// rows aligned on one step axis for uPlot (overlaid runs log at different steps), and progress.
import type { TrainLogRow } from '../log.js';

export type Row = TrainLogRow;

export interface ChartSpec { id: string; title: string; fields: string[] }

export const LOSS_CHART: ChartSpec = { id: 'loss', title: 'Losses', fields: ['lossD', 'lossDReal', 'lossDFake', 'lossG'] };
export const D_CHART: ChartSpec = { id: 'd', title: 'D outputs', fields: ['dx', 'dgz1', 'dgz2'] };

export const FIELD_LABELS: Record<string, string> = {
  lossD: 'Loss_D (real + fake)', lossDReal: 'Loss_D real', lossDFake: 'Loss_D fake', lossG: 'Loss_G',
  dx: 'D(x)', dgz1: 'D(G(z)) before D step', dgz2: 'D(G(z)) after D step',
};

/** The metric names present in any row, sorted (cifarFid, kid, ...). */
export function metricNames(runs: Row[][]): string[] {
  const names = new Set<string>();
  for (const rows of runs) for (const r of rows) for (const k of Object.keys(r.metrics ?? {})) names.add(k);
  return [...names].sort();
}

/** A field of a row: the log's numbers, or "metrics.<name>"; NaN/missing = null (a gap). */
export function fieldValue(r: Row, field: string): number | null {
  const v = field.startsWith('metrics.') ? r.metrics?.[field.slice(8)] : (r as unknown as Record<string, unknown>)[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * uPlot's table: [steps, ...one column per (run, field)], steps the sorted union of every run's
 * steps, null where a run has no row at a step (or a metric was not measured there).
 */
export function alignRuns(runs: Row[][], fields: string[]): (number | null)[][] {
  const steps = [...new Set(runs.flatMap((rows) => rows.map((r) => r.step)))].sort((a, b) => a - b);
  const at = new Map(steps.map((s, i) => [s, i]));
  const cols: (number | null)[][] = [steps];
  for (const rows of runs) {
    for (const f of fields) {
      const col = new Array<number | null>(steps.length).fill(null);
      for (const r of rows) col[at.get(r.step)!] = fieldValue(r, f);
      cols.push(col);
    }
  }
  return cols;
}

export interface Progress { step: number; total: number | null; epoch: number | null; etaSeconds: number | null; secondsPerStep: number | null }

/** Total steps of a run from its config; null for a phase schedule (its length comes from the data). */
export function totalSteps(config: Record<string, unknown>): number | null {
  const c = config as { train?: { steps?: unknown }; data?: { mixing?: { kind?: unknown } } };
  if (c.data?.mixing?.kind === 'phases') return null;
  return typeof c.train?.steps === 'number' ? c.train.steps : null;
}

/**
 * Step, epoch and ETA from the log. The rate is measured over the last rows of the current
 * session (the log's time restarts at 0 when a run is resumed); `liveStep` (a step event) may be
 * ahead of the last row.
 */
export function progressOf(rows: Row[], config: Record<string, unknown>, liveStep = 0, window = 10): Progress {
  const total = totalSteps(config);
  const last = rows[rows.length - 1];
  const step = Math.max(liveStep, last?.step ?? 0);
  let first = rows.length - 1;
  while (first > 0 && rows.length - first <= window && rows[first - 1]!.time < rows[first]!.time) first--;
  const a = rows[first], b = last;
  const secondsPerStep = a && b && b.step > a.step ? (b.time - a.time) / (b.step - a.step) : null;
  const etaSeconds = secondsPerStep !== null && total !== null ? Math.max(0, total - step) * secondsPerStep : null;
  return { step, total, epoch: last?.epoch ?? null, etaSeconds, secondsPerStep };
}

export function formatDuration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
