// The layers the GANs are made of, as plain functions over a ParamStore. NHWC everywhere;
// conv filters are [kh, kw, in, out], transposed-conv filters [kh, kw, out, in] (tfjs layout).
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_BN_LEAKY, FUSED_LEAKY, FUSED_TANH, fusedBatchNormLeaky, fusedLeakyRelu, fusedTanh, hasFusedKernel } from '../engine/fused.js';
import { type ParamStore, seedFor } from './params.js';

export interface ForwardContext {
  /** Batch-norm uses batch statistics (training) or running statistics (evaluation). */
  training: boolean;
  /** In training, also update the running statistics (default true); sample grids turn it off. */
  updateStats?: boolean;
}

/** The seed's init: conv weights N(0, 0.02). */
export function convWeight(store: ParamStore, name: string, shape: [number, number, number, number], seed: number): tf.Variable {
  return store.add(name, tf.randomNormal(shape, 0, 0.02, 'float32', seedFor(seed, name)));
}

export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: 'same' | 'valid'): tf.Tensor4D {
  return tf.conv2d(x, w, stride, pad);
}

/** Transposed conv doubling H and W (stride 2, 'same'), or 1x1 -> k x k (stride 1, 'valid'). */
export function conv2dTranspose(x: tf.Tensor4D, w: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  const [n, h, wd] = x.shape;
  const [kh, kw, cout] = w.shape;
  const out: [number, number, number, number] = stride === 2 ? [n, h * 2, wd * 2, cout] : [n, h + kh - 1, wd + kw - 1, cout];
  return tf.conv2dTranspose(x, w, out, stride, stride === 2 ? 'same' : 'valid');
}

export interface BatchNormStats { mean: tf.Variable; variance: tf.Variable }
export interface BatchNormParams extends BatchNormStats { gamma: tf.Variable; beta: tf.Variable }

/** Running statistics only (for batch-norms whose scale and shift come from elsewhere). */
export function batchNormStats(store: ParamStore, name: string, channels: number): BatchNormStats {
  return {
    mean: store.add(`${name}.running_mean`, tf.zeros([channels]), false),
    variance: store.add(`${name}.running_var`, tf.ones([channels]), false),
  };
}

/** Batch-norm parameters: scale N(1, 0.02) as the seed, shift 0, running stats as PyTorch keeps them. */
export function batchNormParams(store: ParamStore, name: string, channels: number, seed: number): BatchNormParams {
  return {
    gamma: store.add(`${name}.gamma`, tf.randomNormal([channels], 1, 0.02, 'float32', seedFor(seed, `${name}.gamma`))),
    beta: store.add(`${name}.beta`, tf.zeros([channels])),
    ...batchNormStats(store, name, channels),
  };
}

/** Batch-norm epsilon (PyTorch's default); the TF.js export folds it into its scales. */
export const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/**
 * Batch-norm over N, H, W. Written as plain arithmetic: on wasm the stock tf.batchNorm gradient
 * goes through slow Tile kernels. In training it also updates the running stats (PyTorch's
 * momentum 0.1, unbiased variance), which evaluation uses.
 */
export function batchNorm(x: tf.Tensor4D, p: BatchNormParams, ctx: ForwardContext): tf.Tensor4D {
  if (!ctx.training) {
    // one scale and one shift per channel: two passes over x instead of three
    const scale = tf.mul(tf.rsqrt(tf.add(p.variance, BN_EPS)), p.gamma); // [C]
    return tf.add(tf.mul(x, scale), tf.sub(p.beta, tf.mul(p.mean, scale)));
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  if (ctx.updateStats !== false) updateRunningStats(p, mean, variance, x.size / x.shape[3]);
  const scale = tf.mul(tf.rsqrt(tf.add(variance, BN_EPS)), p.gamma); // [C]
  return tf.add(tf.mul(tf.sub(x, mean), scale), p.beta);
}

/** (x - mean) / sqrt(var + eps) without scale and shift; same statistics rules as batchNorm. */
export function batchNormalize(x: tf.Tensor4D, p: BatchNormStats, ctx: ForwardContext): tf.Tensor4D {
  if (!ctx.training) return tf.mul(tf.sub(x, p.mean), tf.rsqrt(tf.add(p.variance, BN_EPS)));
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  if (ctx.updateStats !== false) updateRunningStats(p, mean, variance, x.size / x.shape[3]);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS)));
}

function updateRunningStats(p: BatchNormStats, mean: tf.Tensor, variance: tf.Tensor, count: number): void {
  const unbiased = count > 1 ? count / (count - 1) : 1;
  p.mean.assign(tf.tidy(() => tf.add(tf.mul(p.mean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM))));
  p.variance.assign(tf.tidy(() => tf.add(tf.mul(p.variance, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM * unbiased))));
}

/** Slope of every LeakyReLU in the models (the seed's 0.2). */
export const LEAKY_SLOPE = 0.2;

/** tanh (G's output): the backend's fused kernels where it has them (one pass each way). */
export function tanh(x: tf.Tensor4D): tf.Tensor4D {
  return hasFusedKernel(FUSED_TANH) ? fusedTanh(x) : tf.tanh(x);
}

/** LeakyReLU (the seed's slope 0.2 unless given): the backend's fused kernels where it has them (one pass each way). */
export function leakyRelu(x: tf.Tensor4D, slope = LEAKY_SLOPE): tf.Tensor4D {
  return hasFusedKernel(FUSED_LEAKY) ? fusedLeakyRelu(x, slope) : tf.leakyRelu(x, slope);
}

/**
 * LeakyReLU(batchNorm(x)) with the given slope (0: ReLU); in training one fused kernel each way
 * where the backend has them, in evaluation the backend's LeakyReLU (wasm's own is a slow loop:
 * 150 of 430 ms when G draws 256 images at 64 px).
 */
export function batchNormLeakyRelu(x: tf.Tensor4D, p: BatchNormParams, ctx: ForwardContext, slope = LEAKY_SLOPE): tf.Tensor4D {
  if (!ctx.training || !hasFusedKernel(FUSED_BN_LEAKY)) {
    const y = batchNorm(x, p, ctx);
    if (slope === 0) return tf.relu(y);
    return leakyRelu(y, slope);
  }
  const count = x.size / x.shape[3];
  return fusedBatchNormLeaky(x, p.gamma as tf.Tensor1D, p.beta as tf.Tensor1D, { eps: BN_EPS, slope }, (mean, variance) => {
    if (ctx.updateStats !== false) updateRunningStats(p, mean, variance, count);
  });
}
