// Fused kernels that a backend may offer under these names; the callers fall back to composed
// tfjs ops where the active backend has none (Adam: the same bits; batch-norm: the same up to
// float rounding). The native backend registers them on 'wasm' (src/engine/native.ts); a faster
// backend registers its own.
import * as tf from '@tensorflow/tfjs-core';

export const FUSED_ADAM = 'PegasusAdam';
/** Training-mode batch-norm + LeakyReLU: {x, gamma, beta} -> [y, mean, variance (biased)] */
export const FUSED_BN_LEAKY = 'PegasusBatchNormLeaky';
/** Its gradient: {dy, x, gamma, beta, mean, variance} -> [dx, dgamma, dbeta] */
export const FUSED_BN_LEAKY_GRAD = 'PegasusBatchNormLeakyGrad';

export interface BatchNormLeakyAttrs { eps: number; slope: number }
/** LeakyReLU: {x} -> y, and its gradient {x, dy} -> dx (attrs: slope) */
export const FUSED_LEAKY = 'PegasusLeakyRelu';
export const FUSED_LEAKY_GRAD = 'PegasusLeakyReluGrad';
/** tanh: {x} -> y, and its gradient from the output {y, dy} -> dy (1 - y^2) */
export const FUSED_TANH = 'PegasusTanh';
export const FUSED_TANH_GRAD = 'PegasusTanhGrad';

/** Adam's constants for one step, each rounded to float32 by the kernel as tfjs rounds them. */
export interface AdamConstants {
  /** lr / (1 - beta1^t) */
  stepSize: number;
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 - beta2^t */
  c2: number;
  eps: number;
}

/** Runs a fused kernel of the active backend (tfjs's runKernel, typed for these kernels). */
function runFused(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out];
}

export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** [p1, m1, v1] of one Adam step by the backend's fused kernel (check hasFusedKernel first). */
export function fusedAdam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, k: AdamConstants): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [p1, m1, v1] = runFused(FUSED_ADAM, { p, m, v, g }, k);
  return [p1!, m1!, v1!];
}

/**
 * lrelu(gamma * (x - mean) / sqrt(var + eps) + beta) with the batch's statistics, by the backend's
 * fused kernels (check hasFusedKernel(FUSED_BN_LEAKY) first); x: [..., C], gamma and beta: [C].
 * onStats sees the batch mean and biased variance (for running statistics).
 */
export function fusedBatchNormLeaky<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: BatchNormLeakyAttrs,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void): T {
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, variance] = runFused(FUSED_BN_LEAKY, { x: xi, gamma: g, beta: b }, attrs) as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    onStats?.(mean, variance);
    save([xi, g, b, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sg, sb, sm, sv]: tf.Tensor[]) => runFused(FUSED_BN_LEAKY_GRAD, { dy, x: sx!, gamma: sg!, beta: sb!, mean: sm!, variance: sv! }, attrs),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta) as T;
}

/** LeakyReLU by the backend's kernels, forward and backward one each (check hasFusedKernel(FUSED_LEAKY)). */
export function fusedLeakyRelu<T extends tf.Tensor>(x: T, slope: number): T {
  const f = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xi]);
    return { value: runFused(FUSED_LEAKY, { x: xi }, { slope })[0]!, gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => runFused(FUSED_LEAKY_GRAD, { x: sx!, dy }, { slope }) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as T;
}

/** tanh by the backend's kernels, forward and backward one each (check hasFusedKernel(FUSED_TANH)). */
export function fusedTanh<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = runFused(FUSED_TANH, { x: xi }, {})[0]!;
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) => runFused(FUSED_TANH_GRAD, { y: sy!, dy }, {}) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as T;
}
