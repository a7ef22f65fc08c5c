// The live view's charts (uPlot): one per ChartSpec, one series per (run, field). Colours tell
// the fields apart, dashes the runs. A chart is rebuilt when its series change, else only fed data.
import uPlot from 'uplot';
import { alignRuns, FIELD_LABELS, type ChartSpec, type Row } from './chart-data.js';

const COLOURS = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const HEIGHT = 220;
const DASHES: number[][] = [[], [8, 4], [2, 3], [12, 3, 2, 3]];

export interface ChartRun { id: string; rows: Row[] }

export class Chart {
  private plot: uPlot | null = null;
  private key = '';

  constructor(readonly spec: ChartSpec, readonly el: HTMLElement) {}

  update(runs: ChartRun[]): void {
    const key = JSON.stringify([this.spec.fields, runs.map((r) => r.id)]);
    const data = alignRuns(runs.map((r) => r.rows), this.spec.fields) as uPlot.AlignedData;
    this.el.dataset.points = String(data[0]!.length);
    if (key !== this.key || !this.plot) {
      this.plot?.destroy();
      this.el.replaceChildren();
      this.key = key;
      this.plot = new uPlot(this.options(runs), data, this.el);
    } else {
      this.plot.setData(data);
      if (Math.abs(this.plot.width - this.width()) > 4) this.plot.setSize({ width: this.width(), height: HEIGHT });
    }
  }

  private width(): number {
    return Math.max(320, this.el.clientWidth - 8);
  }

  private options(runs: ChartRun[]): uPlot.Options {
    const series: uPlot.Series[] = [{ label: 'step' }];
    runs.forEach((run, r) => this.spec.fields.forEach((f, i) => series.push({
      label: runs.length > 1 ? `${label(f)} · ${run.id}` : label(f),
      stroke: COLOURS[i % COLOURS.length], dash: DASHES[r % DASHES.length], width: 1.5, spanGaps: true,
      points: { show: false },
    })));
    return {
      title: this.spec.title, width: this.width(), height: HEIGHT, series,
      scales: { x: { time: false } }, axes: [{ label: 'step' }, {}], legend: { live: true },
    };
  }
}

const label = (f: string) => FIELD_LABELS[f] ?? f.replace(/^metrics\./, '');
