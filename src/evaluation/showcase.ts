// `npm start` with a shipped model: sample, score, pick, and draw horse -> pegasus -> wing class.
// Needs only models/pegasus.ckpt and models/classifier.ckpt: no data set, no network.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Gan } from '../models/gan.js';
import { writeStripPng } from '../outputs/images.js';
import { writeFileAtomicSync } from '../outputs/atomic.js';
import { slerp } from '../training/interpolate.js';
import { generate } from '../training/sample.js';
import { sampleLatent } from './evaluate.js';
import type { PegasusScore } from './pegasus-score.js';
import { loadEvaluator, pickFrom, type PickReport } from './run-eval.js';
import { openShipped } from './shipped.js';

export interface ShowcaseReport {
  model: string;
  card: Record<string, unknown>;
  pick: PickReport;
  interpolation: { file: string; rows: number; steps: number; path: string };
  seconds: number;
}

const ROWS = 8, STEPS = 9;

/** Indices of the `k` best candidates by `key`, distinct from `avoid`. */
function topBy(scores: PegasusScore[], key: (s: PegasusScore) => number, k: number, avoid: Set<number>): number[] {
  return scores.map((_, i) => i).filter((i) => !avoid.has(i)).sort((a, b) => key(scores[b]!) - key(scores[a]!) || a - b).slice(0, k);
}

/**
 * rows x STEPS images. Conditional G: each row is a best pegasus's z with the class bit swept 0 -> 1.
 * Unconditional G: each row walks (slerp) from a horse-like sample through a best pegasus to a
 * wing-like one, so the middle column is the pegasus.
 */
function interpolation(gan: Gan, latent: (j: number) => tf.Tensor2D, pegasi: number[], scores: PegasusScore[]): { images: tf.Tensor4D; path: string } {
  return tf.tidy(() => {
    const t = Array.from({ length: STEPS }, (_, i) => i / (STEPS - 1));
    const zp = tf.concat(pegasi.map(latent)) as tf.Tensor2D; // [rows, nz]
    if (gan.conditional) {
      const z = tf.reshape(tf.tile(tf.expandDims(zp, 1), [1, STEPS, 1]), [-1, gan.g.nz]) as tf.Tensor2D;
      const c = tf.reshape(tf.tile(tf.tensor2d(t, [1, STEPS]), [pegasi.length, 1]), [-1, 1]) as tf.Tensor2D;
      return { images: generate(gan, z, c, true), path: 'class bit 0 (horse) -> 1 (wing class) at the z of the best pegasi' };
    }
    const avoid = new Set(pegasi);
    const zh = tf.concat(topBy(scores, (s) => s.pHorse * (1 - s.pOther), pegasi.length, avoid).map(latent)) as tf.Tensor2D;
    const zw = tf.concat(topBy(scores, (s) => s.pWing * (1 - s.pOther), pegasi.length, avoid).map(latent)) as tf.Tensor2D;
    const half = (STEPS - 1) / 2;
    const cols = t.map((_, i) => (i <= half ? slerp(zh, zp, i / half) : slerp(zp, zw, (i - half) / half)));
    const z = tf.reshape(tf.stack(cols, 1), [-1, gan.g.nz]) as tf.Tensor2D;
    return { images: generate(gan, z, undefined, true), path: 'slerp horse-like sample -> best pegasus -> wing-like sample' };
  });
}

export async function showcase(o: { model: string; classifier: string; out: string; n: number; seed: number }): Promise<ShowcaseReport> {
  const started = performance.now();
  const ev = loadEvaluator(o.classifier);
  const m = openShipped(o.model, o.classifier);
  try {
    const picked = await pickFrom(m.gan, m.spec.classes, ev, m.reference, { source: o.model, n: o.n, seed: o.seed, out: o.out });
    const pegasi = picked.report.batch.indices.slice(0, ROWS);
    const strip = interpolation(m.gan, (j) => sampleLatent(m.gan.g.nz, o.n, o.seed, j), pegasi, picked.scores);
    const file = path.join(o.out, 'interpolation.png');
    const size = m.gan.g.imageSize;
    await writeStripPng(file, await strip.images.data() as Float32Array, [pegasi.length * STEPS, size, size, 3], STEPS, { scale: size === 32 ? 3 : 2 });
    strip.images.dispose();
    const report: ShowcaseReport = {
      model: o.model, card: m.card, pick: picked.report,
      interpolation: { file, rows: pegasi.length, steps: STEPS, path: strip.path },
      seconds: (performance.now() - started) / 1000,
    };
    writeFileAtomicSync(path.join(o.out, 'showcase.json'), JSON.stringify(report, null, 2) + '\n');
    return report;
  } finally {
    m.gan.dispose();
    ev.model.params.dispose();
  }
}
