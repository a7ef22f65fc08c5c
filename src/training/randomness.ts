// Counter-based randomness: every random draw of a run is a pure function of (seed, step, purpose),
// so a resumed run draws exactly what the uninterrupted one would have, with no RNG state to save.
import * as tf from '@tensorflow/tfjs-core';

export function streamSeed(seed: number, step: number, purpose: string): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 16777619);
  h ^= h >>> 16;
  return (h >>> 0) % 2147483647;
}

/** z ~ N(0, 1) [n, nz] for a step and purpose. */
export function noise(n: number, nz: number, seed: number, step: number, purpose: string): tf.Tensor2D {
  return tf.randomNormal([n, nz], 0, 1, 'float32', streamSeed(seed, step, purpose));
}

/** U[lo, hi) [n]. */
export function uniform(n: number, lo: number, hi: number, seed: number, step: number, purpose: string): tf.Tensor1D {
  return tf.randomUniform([n], lo, hi, 'float32', streamSeed(seed, step, purpose));
}

/** The fixed noise of a run's sample grids (the seed's fixed_noise): a function of the seed only. */
export function fixedNoise(n: number, nz: number, seed: number): tf.Tensor2D {
  return noise(n, nz, seed, -1, 'fixed-noise');
}

/** Class bits c in {0, 1} [n, 1], each 1 with probability 1/2 (the fake batch's classes of a conditional GAN). */
export function classBits(n: number, seed: number, step: number, purpose: string): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n, 1], 0, 1, 'float32', streamSeed(seed, step, purpose)), 0.5), 'float32') as tf.Tensor2D);
}
