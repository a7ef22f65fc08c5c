// One training step, numbered as in pytorch/examples dcgan:
//   (1) Update D: maximize log(D(x)) + log(1 - D(G(z))) on separate real and fake batches
//   (2) Update G: maximize log(D(G(z)))  (the non-saturating loss)
import * as tf from '@tensorflow/tfjs-core';
import type { Gan } from '../models/gan.js';
import type { Param } from '../models/params.js';
import { takeData } from '../engine/read.js';
import type { Adam } from './adam.js';
import { discriminatorLoss, generatorLoss, type LossKind } from './losses.js';
import { targets, type LabelConfig } from './labels.js';
import { classBits, noise } from './randomness.js';

export interface StepConfig {
  batchSize: number;
  loss: LossKind;
  labels: LabelConfig;
  seed: number;
}

export interface RealBatch {
  x: tf.Tensor4D; // [n, size, size, 3] in [-1, 1]
  cond?: tf.Tensor2D; // [n, 1] class bit, conditional models only
}

export interface StepStats {
  lossD: number;
  lossDReal: number;
  lossDFake: number;
  lossG: number;
  /** Mean D(x), D(G(z)) before the D update, D(G(z)) after it (the seed's three numbers). */
  dx: number;
  dgz1: number;
  dgz2: number;
}

export interface Optimizers { d: Adam; g: Adam }

/** Gradients of f w.r.t. the given parameters, keyed by parameter name. */
function gradsByName(f: () => tf.Scalar, params: Param[]): Map<string, tf.Tensor> {
  const { grads } = tf.variableGrads(f, params.map((p) => p.variable));
  const out = new Map<string, tf.Tensor>();
  for (const p of params) {
    const g = grads[p.variable.name];
    if (g) out.set(p.name, g);
  }
  return out;
}

const meanSigmoid = (logits: tf.Tensor1D): tf.Scalar => tf.mean(tf.sigmoid(logits));

/**
 * D update on one real batch; `step` picks this update's noise and targets. Returns D's numbers
 * packed in one tensor for one read: [lossD, lossDReal, lossDFake, D(x), D(G(z))].
 */
export function discriminatorStep(gan: Gan, opt: Adam, real: RealBatch, cfg: StepConfig, step: number): tf.Tensor1D {
  const n = real.x.shape[0];
  if (gan.conditional && !real.cond) throw new Error('a conditional GAN needs the class bit of each real image');
  return tf.tidy(() => {
    const z = noise(n, gan.g.nz, cfg.seed, step, 'z-d');
    const fakeCond = gan.conditional ? classBits(n, cfg.seed, step, 'c-d') : undefined;
    const fake = gan.g.forward(z, { training: true }, fakeCond); // no tape here: G gets no gradient
    const yReal = targets(n, true, cfg.labels, cfg.seed, step);
    const yFake = targets(n, false, cfg.labels, cfg.seed, step);
    gan.d.powerIterate();
    let stats: tf.Tensor1D | undefined;
    const grads = gradsByName(() => {
      const realLogits = gan.d.forward(real.x, { training: true }, real.cond);
      const fakeLogits = gan.d.forward(fake, { training: true }, fakeCond);
      const lr = discriminatorLoss(cfg.loss, realLogits, yReal);
      const lf = discriminatorLoss(cfg.loss, fakeLogits, yFake);
      const total = tf.add(lr, lf) as tf.Scalar;
      stats = tf.keep(tf.stack([total, lr, lf, meanSigmoid(realLogits), meanSigmoid(fakeLogits)]) as tf.Tensor1D);
      return total;
    }, opt.params);
    opt.apply(grads);
    return stats!;
  });
}

/** G update: G(z) is recomputed on the tape (tfjs cannot keep the D step's graph). Returns [lossG, D(G(z))]. */
export function generatorStep(gan: Gan, opt: Adam, cfg: StepConfig, step: number): tf.Tensor1D {
  return tf.tidy(() => {
    const z = noise(cfg.batchSize, gan.g.nz, cfg.seed, step, 'z-g');
    const fakeCond = gan.conditional ? classBits(cfg.batchSize, cfg.seed, step, 'c-g') : undefined;
    let stats: tf.Tensor1D | undefined;
    const grads = gradsByName(() => {
      const logits = gan.d.forward(gan.g.forward(z, { training: true }, fakeCond), { training: true }, fakeCond);
      const loss = generatorLoss(cfg.loss, logits);
      stats = tf.keep(tf.stack([loss, meanSigmoid(logits)]) as tf.Tensor1D);
      return loss;
    }, opt.params);
    opt.apply(grads);
    return stats!;
  });
}

/**
 * D steps (one per real batch given, the seed uses one) then one G step. The step's numbers are
 * read once, asynchronously, at the end (the only read: WebGPU in Node cannot read synchronously).
 */
export async function trainStep(gan: Gan, opts: Optimizers, reals: RealBatch[], cfg: StepConfig, step: number): Promise<StepStats> {
  let d: tf.Tensor1D | undefined;
  reals.forEach((real, k) => {
    d?.dispose();
    d = discriminatorStep(gan, opts.d, real, cfg, step * reals.length + k);
  });
  if (!d) throw new Error('a training step needs at least one real batch');
  const g = generatorStep(gan, opts.g, cfg, step);
  const [dv, gv] = await Promise.all([takeData(d), takeData(g)]);
  return { lossD: dv[0]!, lossDReal: dv[1]!, lossDFake: dv[2]!, dx: dv[3]!, dgz1: dv[4]!, lossG: gv[0]!, dgz2: gv[1]! };
}
