// The interactive generator: a checkpoint (of a run, a shipped model, or a file picked here) is
// decoded and G built by the same modules as in Node (checkpoint-format, models, generator-view),
// and run in the browser. Controls: re-roll z, slerp between two z's, the class bit of conditional
// models; the classifier part of the pegasus score; save as PNG.
import { classifierFromCheckpoint, type LoadedClassifier } from '../../evaluation/classifier-checkpoint.js';
import { classifierView } from '../../evaluation/evaluate.js';
import { classifierScore } from '../../evaluation/pegasus-score.js';
import { decodeCheckpoint } from '../../training/checkpoint-format.js';
import { loadGenerator, renderView, type LoadedGenerator, type View } from '../../training/generator-view.js';
import type { PageIndex } from '../page-api.js';
import { rgbaOf } from '../pixels.js';
import { BACKEND_ORDER, pickBackend } from './backends.js';
import { $, el } from './dom.js';

async function fetchCheckpoint(url: string) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return decodeCheckpoint(new Uint8Array(await res.arrayBuffer()), decodeURIComponent(url));
}

export class GeneratorPanel {
  private gen: LoadedGenerator | null = null;
  private name = '';
  private classifier: LoadedClassifier | null = null;
  private classifierNote = '';
  private view: View = { seedA: 1, seedB: 2, t: 0, bit: 0.5 };
  private rendering = false;
  private dirty = false;
  private renders = 0;
  private sources: { label: string; url: string }[] = [];

  static async create(index: PageIndex): Promise<GeneratorPanel> {
    const params = new URLSearchParams(location.search);
    const order = params.get('backend') ? [params.get('backend')!] : BACKEND_ORDER;
    const backend = await pickBackend(order);
    $('#backend').textContent = `TensorFlow.js backend: ${backend}`;
    const p = new GeneratorPanel();
    await p.loadClassifier(index.classifier);
    p.bind();
    p.setSources(index);
    return p;
  }

  private async loadClassifier(url: string | null): Promise<void> {
    if (!url) {
      this.classifierNote = 'no classifier: score unavailable';
      return;
    }
    try {
      this.classifier = classifierFromCheckpoint(await fetchCheckpoint(url), url);
    } catch (e) {
      this.classifierNote = `classifier unusable (${(e as Error).message}): score unavailable`;
    }
  }

  /** Runs with a checkpoint, then the shipped generators; keeps the current choice. */
  setSources(index: PageIndex): void {
    const next = [
      ...index.runs.filter((r) => r.hasCheckpoint).map((r) => ({ label: `run ${r.id}`, url: `${r.files}checkpoint.ckpt` })),
      ...index.models.filter((m) => m.kind === 'generator').map((m) => ({ label: `shipped ${m.name}`, url: m.url })),
    ];
    if (JSON.stringify(next) === JSON.stringify(this.sources)) return;
    this.sources = next;
    const select = $('#gen-source') as HTMLSelectElement;
    const current = select.value;
    select.replaceChildren(el('option', { value: '' }, next.length ? 'choose a checkpoint' : 'no checkpoints yet'), ...next.map((s) => el('option', { value: s.url }, s.label)));
    select.value = next.some((s) => s.url === current) ? current : '';
    if (!this.gen && next[0] && select.value === '') {
      const follow = next.find((s) => index.follow && s.label === `run ${index.follow}`) ?? next[0];
      select.value = follow.url;
      void this.load(() => fetchCheckpoint(follow.url), follow.label);
    }
  }

  /** A run's checkpoint was rewritten: reload it if it is the one shown. */
  checkpointChanged(runFiles: string): void {
    const select = $('#gen-source') as HTMLSelectElement;
    if (select.value === `${runFiles}checkpoint.ckpt`) void this.load(() => fetchCheckpoint(select.value), this.name);
  }

  private bind(): void {
    const select = $('#gen-source') as HTMLSelectElement;
    select.addEventListener('change', () => {
      const s = this.sources.find((x) => x.url === select.value);
      if (s) void this.load(() => fetchCheckpoint(s.url), s.label);
    });
    const file = $('#gen-file') as HTMLInputElement;
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      if (f) void this.load(async () => decodeCheckpoint(new Uint8Array(await f.arrayBuffer()), f.name), f.name);
    });
    $('#reroll').addEventListener('click', () => {
      const next = Math.max(this.view.seedA, this.view.seedB) + 1;
      this.view = { ...this.view, seedA: next, seedB: next + 1 };
      this.request();
    });
    const slider = (id: string, key: 't' | 'bit') => {
      const input = $(id) as HTMLInputElement;
      input.value = String(this.view[key]);
      input.addEventListener('input', () => { this.view = { ...this.view, [key]: Number(input.value) }; this.request(); });
    };
    slider('#slerp', 't');
    slider('#bit', 'bit');
    $('#save').addEventListener('click', () => this.save());
  }

  private async load(get: () => Promise<ReturnType<typeof decodeCheckpoint>>, name: string): Promise<void> {
    $('#gen-status').textContent = `loading ${name} ...`;
    try {
      const next = loadGenerator(await get(), name);
      this.gen?.gan.dispose();
      this.gen = next;
      this.name = name;
      const { spec } = next;
      $('#bit-row').hidden = !next.gan.conditional;
      $('#bit-labels').textContent = `${spec.classes[0] ?? 'class 0'} ← → ${spec.classes[1] ?? 'class 1'}`;
      $('#gen-status').textContent = `${name}: ${spec.model.arch}, ${spec.model.imageSize} px, step ${next.step}${next.averaged ? ', EMA weights' : ''}`;
      this.request();
    } catch (e) {
      $('#gen-status').textContent = `${name}: ${(e as Error).message}`;
    }
  }

  /** Renders now, or once more after the render in flight (slider drags coalesce). */
  private request(): void {
    if (this.rendering) {
      this.dirty = true;
      return;
    }
    this.rendering = true;
    void this.render().finally(() => {
      this.rendering = false;
      if (this.dirty) {
        this.dirty = false;
        this.request();
      }
    });
  }

  private async render(): Promise<void> {
    if (!this.gen) return;
    const v = this.view;
    const size = this.gen.spec.model.imageSize;
    const t = renderView(this.gen.gan, v);
    const data = (await t.data()) as Float32Array;
    t.dispose();
    const canvas = $('#gen-canvas') as HTMLCanvasElement;
    canvas.width = size;
    canvas.height = size;
    canvas.getContext('2d')!.putImageData(new ImageData(rgbaOf(data, size, size), size, size), 0, 0);
    await this.showScore(data, size);
    const cond = this.gen.gan.conditional;
    $('#view-text').textContent = `z = slerp(z[${v.seedA}], z[${v.seedB}], ${v.t.toFixed(2)})${cond ? `, class bit ${v.bit.toFixed(2)}` : ''}`;
    Object.assign(canvas.dataset, { seedA: String(v.seedA), seedB: String(v.seedB), t: String(v.t), bit: String(v.bit), renders: String(++this.renders) });
  }

  private async showScore(image: Float32Array, size: number): Promise<void> {
    const box = $('#score');
    box.dataset.score = '';
    if (!this.classifier || !this.gen) return void (box.textContent = this.classifierNote);
    const [horseName, wingName] = this.gen.spec.classes;
    const horse = this.classifier.classes.indexOf(horseName ?? ''), wing = this.classifier.classes.indexOf(wingName ?? '');
    if (this.gen.spec.classes.length !== 2 || horse < 0 || wing < 0) return void (box.textContent = `score needs a horse class and a wing class (run classes: ${this.gen.spec.classes.join(', ')})`);
    const view = await classifierView(this.classifier.model, image, size);
    const s = classifierScore(view.probs, horse, wing);
    box.dataset.score = String(s.score);
    box.textContent = `pegasus score (classifier part) ${s.score.toFixed(3)} · p(${horseName}) ${s.pHorse.toFixed(3)} · p(${wingName}) ${s.pWing.toFixed(3)} · p(other) ${s.pOther.toFixed(3)} — realism term not computed in the page`;
  }

  private save(): void {
    const src = $('#gen-canvas') as HTMLCanvasElement;
    const scale = Math.max(1, Math.floor(256 / src.width));
    const big = el('canvas', {});
    big.width = src.width * scale;
    big.height = src.height * scale;
    const ctx = big.getContext('2d')!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(src, 0, 0, big.width, big.height);
    const v = this.view;
    big.toBlob((blob) => {
      if (!blob) return;
      const a = el('a', { href: URL.createObjectURL(blob), download: `pegasus-z${v.seedA}-${v.seedB}-t${v.t.toFixed(2)}${this.gen?.gan.conditional ? `-c${v.bit.toFixed(2)}` : ''}.png` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }, 'image/png');
  }
}
