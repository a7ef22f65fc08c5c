// One training step, numbered as in pytorch/examples dcgan:
//   (1) Update D: maximize log(D(x)) + log(1 - D(G(z))) on separate real and fake batches
//   (2) Update G: maximize log(D(G(z)))  (the non-saturating loss)
import * as tf from '@tensorflow/tfjs-core';
import type { Gan } from '../models/gan.js';
import type { Param } from '../models/params.js';
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
function gradsByName(f: () => tf.Scalar, params: Param[]): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(f, params.map((p) => p.variable));
  const out = new Map<string, tf.Tensor>();
  for (const p of params) {
    const g = grads[p.variable.name];
    if (g) out.set(p.name, g);
  }
  return { value, grads: out };
}

const meanSigmoid = (logits: tf.Tensor1D): number => tf.tidy(() => tf.mean(tf.sigmoid(logits)).dataSync()[0]!);

/** D update on one real batch; `step` picks this update's noise and targets. Returns the stats of D. */
export function discriminatorStep(gan: Gan, opt: Adam, real: RealBatch, cfg: StepConfig, step: number) {
  const n = real.x.shape[0];
  if (gan.conditional && !real.cond) throw new Error('a conditional GAN needs the class bit of each real image');
  return tf.tidy(() => {
    const z = noise(n, gan.g.nz, cfg.seed, step, 'z-d');
    const fakeCond = gan.conditional ? classBits(n, cfg.seed, step, 'c-d') : undefined;
    const fake = gan.g.forward(z, { training: true }, fakeCond); // no tape here: G gets no gradient
    const yReal = targets(n, true, cfg.labels, cfg.seed, step);
    const yFake = targets(n, false, cfg.labels, cfg.seed, step);
    gan.d.powerIterate();
    let lossReal = 0, lossFake = 0, dx = 0, dgz = 0;
    const { value, grads } = gradsByName(() => {
      const realLogits = gan.d.forward(real.x, { training: true }, real.cond);
      const fakeLogits = gan.d.forward(fake, { training: true }, fakeCond);
      const lr = discriminatorLoss(cfg.loss, realLogits, yReal);
      const lf = discriminatorLoss(cfg.loss, fakeLogits, yFake);
      lossReal = lr.dataSync()[0]!;
      lossFake = lf.dataSync()[0]!;
      dx = meanSigmoid(realLogits);
      dgz = meanSigmoid(fakeLogits);
      return tf.add(lr, lf) as tf.Scalar;
    }, opt.params);
    opt.apply(grads);
    return { lossD: value.dataSync()[0]!, lossDReal: lossReal, lossDFake: lossFake, dx, dgz1: dgz };
  });
}

/** G update: G(z) is recomputed on the tape (tfjs cannot keep the D step's graph). */
export function generatorStep(gan: Gan, opt: Adam, cfg: StepConfig, step: number) {
  return tf.tidy(() => {
    const z = noise(cfg.batchSize, gan.g.nz, cfg.seed, step, 'z-g');
    const fakeCond = gan.conditional ? classBits(cfg.batchSize, cfg.seed, step, 'c-g') : undefined;
    let dgz2 = 0;
    const { value, grads } = gradsByName(() => {
      const logits = gan.d.forward(gan.g.forward(z, { training: true }, fakeCond), { training: true }, fakeCond);
      dgz2 = meanSigmoid(logits);
      return generatorLoss(cfg.loss, logits);
    }, opt.params);
    opt.apply(grads);
    return { lossG: value.dataSync()[0]!, dgz2 };
  });
}

/** D steps (one per real batch given, the seed uses one) then one G step. */
export function trainStep(gan: Gan, opts: Optimizers, reals: RealBatch[], cfg: StepConfig, step: number): StepStats {
  let d = { lossD: 0, lossDReal: 0, lossDFake: 0, dx: 0, dgz1: 0 };
  reals.forEach((real, k) => {
    d = discriminatorStep(gan, opts.d, real, cfg, step * reals.length + k);
  });
  const g = generatorStep(gan, opts.g, cfg, step);
  return { ...d, ...g };
}
