// `pegasus eval` and `pegasus pick` behind the CLI: a generator checkpoint (or a folder of images)
// measured against the real images of its classes, and the best pegasus and batch picked by score.
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../data/dataset.js';
import { decodeImage, IMAGE_EXTENSIONS, listImages } from '../data/image-folder.js';
import { resolveDataSource } from '../data/source.js';
import { NORMALIZE_LUT } from '../data/transform.js';
import { writeFileAtomicSync } from '../outputs/atomic.js';
import { writeGridPng, writeImagePng } from '../outputs/images.js';
import { openGenerator } from '../training/session.js';
import { loadCheckpoint, saveCheckpoint } from '../training/checkpoint.js';
import { cacheFileName, DEFAULT_CACHE_DIR } from '../data/cache.js';
import { classifierDigest } from './digest.js';
import type { Classifier } from './classifier.js';
import { openClassifier } from './classifier-train.js';
import { classifierView, compareSets, realView, sampleImages, type ClassifierView, type SetMetrics } from './evaluate.js';
import type { Features } from './metrics.js';
import type { Gan } from '../models/gan.js';
import { pegasusScores, realNeighbourhood, type PegasusScore } from './pegasus-score.js';
import { pickBest } from './pick.js';

export const DEFAULT_CLASSIFIER = 'models/classifier.ckpt';

export interface EvalContext { model: Classifier; classes: string[]; file: string }

export function loadEvaluator(file = DEFAULT_CLASSIFIER): EvalContext {
  if (!fs.existsSync(file)) throw new Error(`${file}: no classifier here; train one with \`pegasus classifier train\` or pass --classifier`);
  const { model, classes } = openClassifier(file);
  return { model, classes, file };
}

/**
 * The classifier's view of the real images of `classes` (train + test merged, as in training),
 * cached in data/cache under the classifier's digest, the source and the classes: it is the same
 * for every model evaluated against them.
 */
export async function realReference(ev: EvalContext, source: string, classes: string[], cacheDir = DEFAULT_CACHE_DIR): Promise<ClassifierView> {
  const src = resolveDataSource(source);
  const file = path.join(cacheDir, cacheFileName(`view-${classes.join('+')}`, [classifierDigest(ev.file), path.resolve(src), ...classes]).replace(/\.u8$/, '.ckpt'));
  if (fs.existsSync(file)) {
    const ck = loadCheckpoint(file);
    const f = ck.tensors.get('features'), p = ck.tensors.get('probs');
    if (f && p) return { features: { data: f.data, n: f.shape[0]!, d: f.shape[1]! }, probs: p.data, classes: p.shape[1]! };
  }
  const view = await realView(ev.model, await loadDataset({ source: src, classes, splits: ['train', 'test'] }, () => {}));
  const { n, d } = view.features;
  await saveCheckpoint(file, 0, { kind: 'classifier-view', source: src, classes }, new Map([
    ['features', { shape: [n, d], data: view.features.data }],
    ['probs', { shape: [n, view.classes], data: view.probs }],
  ]));
  return view;
}

/** Images of a folder (any size; resized to 32) as [-1, 1] floats. */
export async function folderImages(dir: string): Promise<{ images: Float32Array; n: number }> {
  const any = fs.readdirSync(dir).some((f) => IMAGE_EXTENSIONS.includes(path.extname(f).toLowerCase()));
  if (!any) throw new Error(`${dir}: no PNG/JPEG/WebP images`);
  const { files } = await listImages(dir, false);
  const images = new Float32Array(files.length * 32 * 32 * 3);
  for (const [i, f] of files.entries()) {
    const bytes = await decodeImage(f, 32);
    for (let j = 0; j < bytes.length; j++) images[i * bytes.length + j] = NORMALIZE_LUT[bytes[j]!]!;
  }
  return { images, n: files.length };
}

export interface EvalReport extends SetMetrics { source: string; classifier: string; classes: string[]; seed: number }

export async function evaluate(o: { target: string; classifier?: string; n: number; seed: number; data: string; classes?: string[]; out?: string; live?: boolean }): Promise<EvalReport> {
  const ev = loadEvaluator(o.classifier);
  let view: ClassifierView, classes: string[];
  if (fs.statSync(o.target).isDirectory()) {
    const { images } = await folderImages(o.target);
    view = await classifierView(ev.model, images, 32);
    classes = o.classes ?? ['horse', 'airplane'];
  } else {
    const g = openGenerator(o.target, { live: o.live });
    try {
      const { images, size } = await sampleImages(g.gan, o.n, o.seed);
      view = await classifierView(ev.model, images, size);
      classes = o.classes ?? g.spec.classes;
    } finally {
      g.gan.dispose();
    }
  }
  const real = await realReference(ev, o.data, classes);
  const report: EvalReport = { source: o.target, classifier: ev.file, classes, seed: o.seed, ...(await compareSets(view, real, ev.classes, { seed: o.seed })) };
  ev.model.params.dispose();
  if (o.out) writeFileAtomicSync(o.out, JSON.stringify(report, null, 2) + '\n');
  return report;
}

/**
 * The floor of the metrics: the real test images of the classes against their real train images
 * (what a perfect generator of the training distribution would roughly score).
 */
export async function evaluateFloor(o: { classifier?: string; data: string; classes: string[]; seed: number; out?: string }): Promise<EvalReport> {
  const ev = loadEvaluator(o.classifier);
  const src = resolveDataSource(o.data);
  const [tr, te] = await Promise.all((['train', 'test'] as const).map((sp) => loadDataset({ source: src, classes: o.classes, splits: [sp] }, () => {})));
  const report: EvalReport = { source: `real ${o.classes.join('+')} test split vs train split`, classifier: ev.file, classes: o.classes, seed: o.seed, ...(await compareSets(await realView(ev.model, te!), await realView(ev.model, tr!), ev.classes, { seed: o.seed })) };
  ev.model.params.dispose();
  if (o.out) writeFileAtomicSync(o.out, JSON.stringify(report, null, 2) + '\n');
  return report;
}

export interface PickReport {
  checkpoint: string;
  candidates: number;
  best: PegasusScore & { index: number };
  batch: { meanScore: number; skippedAsDuplicates: number; indices: number[] };
  files: { pegasus: string; batch: string };
}

export interface Picked { report: PickReport; images: Float32Array; size: number; scores: PegasusScore[] }

/**
 * Scores n samples of G (conditional models at c = 0.5, where the pegasus lives) against real
 * reference features and writes the best pegasus (upscaled), the best batch of 64 and pick.json.
 */
export async function pickFrom(gan: Gan, classes: string[], ev: EvalContext, reference: Features, o: { source: string; n: number; seed: number; out: string; scale?: number }): Promise<Picked> {
  if (classes.length !== 2) throw new Error(`${o.source}: trained on ${classes.length} classes; the pegasus score needs a horse class and a wing class`);
  const [horse, wing] = classes.map((c) => ev.classes.indexOf(c));
  if (horse! < 0 || wing! < 0) throw new Error(`${ev.file}: does not know the classes ${classes.join(', ')}`);
  const { images, size } = await sampleImages(gan, o.n, o.seed, gan.conditional ? 0.5 : undefined);
  const view = await classifierView(ev.model, images, size);
  const hood = realNeighbourhood(reference);
  const scores = pegasusScores(view, horse!, wing!, hood);
  const chosen = pickBest(scores.map((x) => x.score), view.features, 64, 0.5 * hood.radius);
  const px = size * size * 3;
  fs.mkdirSync(o.out, { recursive: true });
  const files = { pegasus: path.join(o.out, 'pegasus.png'), batch: path.join(o.out, 'batch.png') };
  await writeImagePng(files.pegasus, images.subarray(chosen.best * px, (chosen.best + 1) * px), [size, size, 3], o.scale ?? 8);
  const batch = new Float32Array(64 * px);
  chosen.batch.forEach((i, j) => batch.set(images.subarray(i * px, (i + 1) * px), j * px));
  await writeGridPng(files.batch, batch, [64, size, size, 3], { cols: 8, scale: size === 32 ? 4 : 2 });
  const report: PickReport = {
    checkpoint: o.source,
    candidates: o.n,
    best: { index: chosen.best, ...scores[chosen.best]! },
    batch: { meanScore: chosen.batch.reduce((a, i) => a + scores[i]!.score, 0) / 64, skippedAsDuplicates: chosen.skippedAsDuplicates, indices: chosen.batch },
    files,
  };
  writeFileAtomicSync(path.join(o.out, 'pick.json'), JSON.stringify(report, null, 2) + '\n');
  return { report, images, size, scores };
}

export async function pick(o: { checkpoint: string; classifier?: string; n: number; seed: number; data: string; out: string; scale?: number; live?: boolean }): Promise<PickReport> {
  const ev = loadEvaluator(o.classifier);
  const g = openGenerator(o.checkpoint, { live: o.live });
  try {
    const classes = g.spec.classes;
    const reference = (await realReference(ev, o.data, classes)).features;
    return (await pickFrom(g.gan, classes, ev, reference, { source: o.checkpoint, ...o })).report;
  } finally {
    g.gan.dispose();
    ev.model.params.dispose();
  }
}
