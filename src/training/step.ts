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

/** This D update's fake batch: G(z) on its own noise and class bits (drawn from seed, step). */
interface FakeBatch { z: tf.Tensor2D; cond?: tf.Tensor2D }

function fakeInputs(gan: Gan, n: number, cfg: StepConfig, step: number): FakeBatch {
  const z = noise(n, gan.g.nz, cfg.seed, step, 'z-d');
  return gan.conditional ? { z, cond: classBits(n, cfg.seed, step, 'c-d') } : { z };
}

/**
 * (1) D update on a real batch and the fake images G made; `step` picks its targets. Returns D's
 * numbers packed in one tensor for one read: [lossD, lossDReal, lossDFake, D(x), D(G(z))].
 */
function updateDiscriminator(gan: Gan, opt: Adam, real: RealBatch, fake: tf.Tensor4D, fakeCond: tf.Tensor2D | undefined, cfg: StepConfig, step: number): tf.Tensor1D {
  const n = real.x.shape[0];
  if (gan.conditional && !real.cond) throw new Error('a conditional GAN needs the class bit of each real image');
  return tf.tidy(() => {
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

/** A D update on its own fake batch (G without a tape: G gets no gradient). */
export function discriminatorStep(gan: Gan, opt: Adam, real: RealBatch, cfg: StepConfig, step: number): tf.Tensor1D {
  return tf.tidy(() => {
    const f = fakeInputs(gan, real.x.shape[0], cfg, step);
    return updateDiscriminator(gan, opt, real, gan.g.forward(f.z, { training: true }, f.cond), f.cond, cfg, step);
  });
}

interface TapeState { gradientDepth: number; activeTape: unknown[] | null }

/**
 * Runs fn with tfjs's gradient tape paused. D's update inside G's tape has no path to G's loss,
 * but recorded it would keep all its saved tensors alive until G's gradient is done (+170 MB peak
 * at 64 px). tfjs has no public switch: this saves and restores the engine's two tape fields
 * (tfjs-core 4.22), and runs fn as it is where they are not found.
 */
function withTapePaused<T>(fn: () => T): T {
  const state = (tf.engine() as unknown as { state: Partial<TapeState> }).state;
  const { gradientDepth, activeTape } = state;
  if (typeof gradientDepth !== 'number' || !Array.isArray(activeTape)) return fn();
  state.gradientDepth = 0;
  try {
    return fn();
  } finally {
    state.gradientDepth = gradientDepth;
    state.activeTape = activeTape;
  }
}

/**
 * (1) then (2) on one fake batch, as pytorch/examples does (fake.detach() for D, fake for G): G(z)
 * runs once, on G's gradient tape, and D's update runs inside that tape on those images, with the
 * tape paused: G gets exactly the gradient of its loss through the updated D, and the D update is
 * the one discriminatorStep makes. Returns D's five numbers and [lossG, D(G(z)) after].
 */
export function discriminatorAndGeneratorStep(gan: Gan, opts: Optimizers, real: RealBatch, cfg: StepConfig, dStep: number): [tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const f = fakeInputs(gan, real.x.shape[0], cfg, dStep);
    let d: tf.Tensor1D | undefined, g: tf.Tensor1D | undefined;
    const grads = gradsByName(() => {
      const fake = gan.g.forward(f.z, { training: true }, f.cond);
      d = tf.keep(withTapePaused(() => updateDiscriminator(gan, opts.d, real, fake, f.cond, cfg, dStep)));
      const logits = gan.d.forward(fake, { training: true }, f.cond);
      const loss = generatorLoss(cfg.loss, logits);
      g = tf.keep(tf.stack([loss, meanSigmoid(logits)]) as tf.Tensor1D);
      return loss;
    }, opts.g.params);
    opts.g.apply(grads);
    return [d!, g!];
  });
}

/**
 * D steps (one per real batch given, the seed uses one; each but the last on its own fake batch)
 * then one G step on the last D step's fake batch. The step's numbers are read once,
 * asynchronously, at the end (the only read: WebGPU in Node cannot read synchronously).
 */
export async function trainStep(gan: Gan, opts: Optimizers, reals: RealBatch[], cfg: StepConfig, step: number): Promise<StepStats> {
  const last = reals.at(-1);
  if (!last) throw new Error('a training step needs at least one real batch');
  for (let k = 0; k + 1 < reals.length; k++) discriminatorStep(gan, opts.d, reals[k]!, cfg, step * reals.length + k).dispose();
  const [d, g] = discriminatorAndGeneratorStep(gan, opts, last, cfg, step * reals.length + reals.length - 1);
  const [dv, gv] = await Promise.all([takeData(d), takeData(g)]);
  return { lossD: dv[0]!, lossDReal: dv[1]!, lossDFake: dv[2]!, dx: dv[3]!, dgz1: dv[4]!, lossG: gv[0]!, dgz2: gv[1]! };
}
