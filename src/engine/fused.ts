// Fused kernels that a backend may offer under these names; the callers fall back to composed
// tfjs ops where the active backend has none, with the same float results. The native backend
// registers them on 'wasm' (src/engine/native.ts); a faster backend registers its own.
import * as tf from '@tensorflow/tfjs-core';

export const FUSED_ADAM = 'PegasusAdam';

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

export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** [p1, m1, v1] of one Adam step by the backend's fused kernel (check hasFusedKernel first). */
export function fusedAdam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, k: AdamConstants): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const out = tf.engine().runKernel(FUSED_ADAM, { p, m, v, g }, k as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [out[0]!, out[1]!, out[2]!];
}
