// Drawing images from a generator: the fixed-noise grid shown during training, and batches for
// evaluation. Conditional models get the class bit: the grid's top half is c = 0 (horse), the
// bottom half c = 1 (wing class), with the same z in both halves.
import * as tf from '@tensorflow/tfjs-core';
import type { Gan } from '../models/gan.js';
import { fixedNoise } from './randomness.js';

export interface Images { data: Float32Array; shape: [number, number, number, number] }

/**
 * n images at z (and c). Batch statistics without touching the running stats, as the seed's grids
 * (pytorch/examples samples in train mode); `running` uses the running statistics instead.
 */
export function generate(gan: Gan, z: tf.Tensor2D, cond?: tf.Tensor2D, running = false): tf.Tensor4D {
  if (gan.conditional && !cond) throw new Error('conditional generator: class bits needed');
  return gan.g.forward(z, running ? { training: false } : { training: true, updateStats: false }, gan.conditional ? cond : undefined);
}

/** The 8x8 fixed-noise grid of a run (a function of the seed only). */
export async function fixedGrid(gan: Gan, seed: number, n = 64): Promise<Images> {
  const t = tf.tidy(() => {
    if (!gan.conditional) return generate(gan, fixedNoise(n, gan.g.nz, seed));
    const half = fixedNoise(n / 2, gan.g.nz, seed);
    const z = tf.concat([half, half]) as tf.Tensor2D;
    const c = tf.concat([tf.zeros([n / 2, 1]), tf.ones([n / 2, 1])]) as tf.Tensor2D;
    return generate(gan, z, c);
  });
  const data = (await t.data()) as Float32Array;
  const shape = t.shape as [number, number, number, number];
  t.dispose();
  return { data, shape };
}
