// Evaluating images with the classifier: features and class probabilities, CIFAR-FID / KID
// against real images of the chosen classes, and the pegasus score of each generated image.
import * as tf from '@tensorflow/tfjs-core';
import { plainBatch } from '../data/augment.js';
import type { LabeledImages } from '../data/dataset.js';
import type { Gan } from '../models/gan.js';
import { takeData } from '../engine/read.js';
import { noise } from '../training/randomness.js';
import { generate } from '../training/sample.js';
import type { Classifier } from './classifier.js';
import { features as asFeatures, frechetDistance, gaussian, kid, type Features, type Kid } from './metrics.js';

/** What the classifier says of a set of images: penultimate features [n, d] and softmax [n, classes]. */
export interface ClassifierView { features: Features; probs: Float32Array; classes: number }

/**
 * Images [n, s, s, 3] in [-1, 1] (s = 32 or 64; 64 is averaged down to the classifier's 32). In
 * evaluation mode an image's outputs do not depend on its batch, so the batch only sets how many
 * activations are alive at once (a tidy keeps all of a forward pass's).
 */
export async function classifierView(model: Classifier, images: Float32Array, size: number, batch = 64): Promise<ClassifierView> {
  const px = size * size * 3, n = images.length / px;
  const d = 8 * model.shape.width, k = model.shape.classes;
  const feats = new Float32Array(n * d), probs = new Float32Array(n * k);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const [f, p] = tf.tidy(() => {
      let x = tf.tensor4d(images.subarray(i * px, (i + m) * px), [m, size, size, 3]);
      if (size !== 32) x = tf.avgPool(x, size / 32, size / 32, 'valid');
      const out = model.forward(x, { training: false });
      return [out.features, tf.softmax(out.logits)];
    });
    feats.set(await takeData(f), i * d);
    probs.set(await takeData(p), i * k);
  }
  return { features: asFeatures(feats, d), probs, classes: k };
}

/** The classifier's view of real images (all of `data`, 32 px). */
export function realView(model: Classifier, data: LabeledImages): Promise<ClassifierView> {
  return classifierView(model, plainBatch(data.images, data.size, Array.from(data.labels, (_, i) => i)), data.size);
}

/** z is drawn in blocks of this many images (so image j's z depends on j and the seed only)... */
const SAMPLE_BATCH = 256;
/** ...and G draws them this many at a time: bounds the activations alive at once (at 64 px, 256 at once raised a training run's peak RSS from 0.90 to 1.15 GB; 64 saves no more than 128 and is slower). */
const G_BATCH = 128;

/** The z of image j of sampleImages(gan, n, seed): [1, nz]. */
export function sampleLatent(nz: number, n: number, seed: number, j: number): tf.Tensor2D {
  const start = j - (j % SAMPLE_BATCH);
  return tf.tidy(() => tf.slice(noise(Math.min(SAMPLE_BATCH, n - start), nz, seed, start, 'eval-z'), [j - start, 0], [1, nz]));
}

/** n images from G in [-1, 1]: z from (seed, 'eval'); conditional models draw the class bit 50/50 unless `bit` is given. */
export async function sampleImages(gan: Gan, n: number, seed: number, bit?: number): Promise<{ images: Float32Array; size: number }> {
  const size = gan.g.imageSize, px = size * size * 3, batch = SAMPLE_BATCH;
  const images = new Float32Array(n * px);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const [z, c] = tf.tidy(() => [
      noise(m, gan.g.nz, seed, i, 'eval-z'),
      gan.conditional
        ? bit !== undefined ? tf.fill([m, 1], bit) as tf.Tensor2D : tf.cast(tf.less(tf.randomUniform([m, 1], 0, 1, 'float32', seed * 7919 + i), 0.5), 'float32') as tf.Tensor2D
        : undefined,
    ] as const);
    // evaluation mode: batch-norm uses the running statistics, so an image does not depend on its batch
    for (let j = 0; j < m; j += G_BATCH) {
      const k = Math.min(G_BATCH, m - j);
      const part = tf.tidy(() => generate(gan, tf.slice(z, [j, 0], [k, -1]), c && tf.slice(c, [j, 0], [k, -1]), true));
      images.set(await takeData(part), (i + j) * px);
    }
    tf.dispose([z, c]);
  }
  return { images, size };
}

export interface SetMetrics {
  n: number;
  cifarFid: number;
  kid: Kid;
  /** mean classifier probability of each CIFAR-10 class */
  meanProbs: Record<string, number>;
}

/** The mean over a view's images of its probability of class c. */
export function meanProbability(view: ClassifierView, c: number): number {
  const n = view.probs.length / view.classes;
  let s = 0;
  for (let i = 0; i < n; i++) s += view.probs[i * view.classes + c]!;
  return s / n;
}

export async function compareSets(fake: ClassifierView, real: ClassifierView, classNames: string[], kidOpts: { subsets?: number; subsetSize?: number; seed?: number } = {}): Promise<SetMetrics> {
  const meanProbs: Record<string, number> = {};
  const n = fake.features.n;
  classNames.forEach((name, c) => { meanProbs[name] = meanProbability(fake, c); });
  return {
    n,
    cifarFid: frechetDistance(gaussian(fake.features), gaussian(real.features)),
    kid: await kid(fake.features, real.features, kidOpts),
    meanProbs,
  };
}
