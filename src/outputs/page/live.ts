// The live training view: a list of runs (tick several to overlay their curves), the focused run's
// progress, sample grid and config, all fed by server-sent events from /api/events.
import type { PageIndex, RunEvents, RunInfo } from '../page-api.js';
import { D_CHART, formatDuration, LOSS_CHART, metricNames, progressOf, type ChartSpec, type Row } from './chart-data.js';
import { Chart } from './charts.js';
import { $, el } from './dom.js';

interface RunState { info: RunInfo; rows: Row[]; config: Record<string, unknown>; liveStep: number; samples: number; checkpoint: number; source: EventSource | null }

export class LiveView {
  private readonly runs = new Map<string, RunState>();
  private readonly shown = new Set<string>();
  private focus: string | null = null;
  private readonly charts = new Map<string, Chart>();
  private pending = false;

  constructor(private readonly root: HTMLElement) {
    window.addEventListener('resize', () => this.redraw());
  }

  /** Lists the runs; the followed run (train --serve) or the first one is focused and shown. */
  setIndex(index: PageIndex): void {
    for (const info of index.runs) {
      const s = this.runs.get(info.id);
      if (s) s.info = info;
      else this.runs.set(info.id, { info, rows: [], config: info.config, liveStep: 0, samples: -1, checkpoint: -1, source: null });
    }
    const first = index.follow && this.runs.has(index.follow) ? index.follow : index.runs[0]?.id ?? null;
    if (this.focus === null && first !== null) this.setFocus(first);
    this.renderList();
  }

  private setFocus(id: string): void {
    this.focus = id;
    this.toggle(id, true);
    this.renderFocus();
  }

  private toggle(id: string, on: boolean): void {
    const s = this.runs.get(id)!;
    if (on) {
      this.shown.add(id);
      if (!s.source) s.source = this.listen(s);
    } else if (id !== this.focus) {
      this.shown.delete(id);
      s.source?.close();
      s.source = null;
      s.rows = [];
    }
    this.renderList();
    this.schedule();
  }

  private listen(s: RunState): EventSource {
    const src = new EventSource(`/api/events?run=${encodeURIComponent(s.info.id)}`);
    const on = <K extends keyof RunEvents>(name: K, fn: (d: RunEvents[K]) => void) =>
      src.addEventListener(name, (e) => fn(JSON.parse((e as MessageEvent<string>).data) as RunEvents[K]));
    on('rows', (d) => {
      s.rows = d.reset ? d.rows : s.rows.concat(d.rows);
      this.schedule();
    });
    on('config', (d) => { s.config = d.config; this.schedule(); });
    on('samples', (d) => { s.samples = d.version; this.schedule(); });
    on('checkpoint', (d) => {
      // the first event only says that one exists; later ones that the run saved a new one
      if (s.checkpoint >= 0 && d.version !== s.checkpoint) this.root.dispatchEvent(new CustomEvent('checkpoint', { detail: s.info.id }));
      s.checkpoint = d.version;
    });
    on('step', (d) => { s.liveStep = d.step; this.schedule(); });
    return src;
  }

  /** Coalesces updates into one redraw per animation frame. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.redraw();
    });
  }

  private redraw(): void {
    if (this.root.hidden) return;
    const shown = [...this.runs.values()].filter((s) => this.shown.has(s.info.id));
    const metrics = metricNames(shown.map((s) => s.rows));
    const specs: ChartSpec[] = [LOSS_CHART, D_CHART, ...(metrics.length ? [{ id: 'metrics', title: 'Evaluation metrics', fields: metrics.map((m) => `metrics.${m}`) }] : [])];
    const box = $('#charts');
    for (const spec of specs) {
      let c = this.charts.get(spec.id);
      if (!c || c.spec.fields.join() !== spec.fields.join()) {
        c?.el.remove();
        c = new Chart(spec, el('div', { class: 'chart', id: `chart-${spec.id}` }));
        box.append(c.el);
        this.charts.set(spec.id, c);
      }
      c.update(shown.map((s) => ({ id: s.info.id, rows: s.rows })));
    }
    this.renderFocus();
  }

  private renderList(): void {
    const list = $('#run-list');
    list.replaceChildren(...[...this.runs.values()].map((s) => {
      const box = el('input', { type: 'checkbox', title: 'overlay its curves' });
      box.checked = this.shown.has(s.info.id);
      box.disabled = s.info.id === this.focus;
      box.addEventListener('change', () => this.toggle(s.info.id, box.checked));
      const name = el('button', { class: 'run-name', title: 'show its progress, samples and config' }, s.info.id);
      name.addEventListener('click', () => this.setFocus(s.info.id));
      return el('li', { class: s.info.id === this.focus ? 'focus' : '' }, box, name);
    }));
    if (this.runs.size === 0) list.replaceChildren(el('li', {}, 'no runs in the folders given'));
  }

  private renderFocus(): void {
    const s = this.focus ? this.runs.get(this.focus) : undefined;
    if (!s) return;
    const p = progressOf(s.rows, s.config, s.liveStep);
    $('#focus-name').textContent = s.info.id;
    const bar = $('#progress-bar') as HTMLProgressElement;
    bar.max = p.total ?? 1;
    bar.value = p.total ? Math.min(p.step, p.total) : 0;
    $('#progress').dataset.step = String(p.step);
    $('#progress-text').textContent = [
      `step ${p.step}${p.total !== null ? ` / ${p.total}` : ''}`,
      p.epoch !== null ? `epoch ${p.epoch}` : null,
      p.total !== null && p.step >= p.total ? 'done' : p.etaSeconds !== null ? `ETA ${formatDuration(p.etaSeconds)}` : null,
      p.secondsPerStep !== null ? `${(p.secondsPerStep * 1000).toFixed(0)} ms/step` : null,
    ].filter(Boolean).join(' · ');
    const img = $('#samples') as HTMLImageElement;
    const src = s.samples >= 0 ? `${s.info.files}samples.png?v=${s.samples}` : '';
    if (img.dataset.src !== src) {
      img.dataset.src = src;
      if (src) img.src = src;
      else img.removeAttribute('src');
    }
    $('#samples-note').textContent = s.samples >= 0 ? 'fixed noise, the latest grid' : 'no sample grid yet';
    const cfg = JSON.stringify(s.config, null, 2);
    if ($('#config').textContent !== cfg) $('#config').textContent = cfg;
  }
}
