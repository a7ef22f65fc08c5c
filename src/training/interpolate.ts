// Interpolation strips: for a conditional model the seed's class-bit sweep c = 0 -> 1 at fixed z
// (horse -> pegasus -> wing class); for an unconditional one, slerp between two z's.
import * as tf from '@tensorflow/tfjs-core';
import type { Gan } from '../models/gan.js';
import { noise } from './randomness.js';
import { generate, type Images } from './sample.js';

/** Spherical interpolation between rows of a and b (both [m, nz]) at t in [0, 1] -> [m, nz]. */
export function slerp(a: tf.Tensor2D, b: tf.Tensor2D, t: number): tf.Tensor2D {
  return tf.tidy(() => {
    const na = tf.norm(a, 'euclidean', 1, true), nb = tf.norm(b, 'euclidean', 1, true);
    const cos = tf.clipByValue(tf.sum(tf.mul(tf.div(a, na), tf.div(b, nb)), 1, true), -1, 1);
    const omega = tf.acos(cos); // [m,1]
    const sin = tf.sin(omega);
    // Nearly parallel vectors: fall back to linear interpolation.
    const small = tf.less(sin, 1e-6);
    const wa = tf.where(small, tf.fill(sin.shape, 1 - t), tf.div(tf.sin(tf.mul(omega, 1 - t)), sin));
    const wb = tf.where(small, tf.fill(sin.shape, t), tf.div(tf.sin(tf.mul(omega, t)), sin));
    return tf.add(tf.mul(a, wa), tf.mul(b, wb)) as tf.Tensor2D;
  });
}

export interface StripOptions { rows: number; steps: number; seed: number; running?: boolean }

/** rows x steps images, row-major: row r is one sweep. Returns the images and the sweep positions. */
export async function interpolationStrip(gan: Gan, o: StripOptions): Promise<Images & { t: number[] }> {
  const t = Array.from({ length: o.steps }, (_, i) => (o.steps === 1 ? 0 : i / (o.steps - 1)));
  const out = tf.tidy(() => {
    const z0 = noise(o.rows, gan.g.nz, o.seed, 0, 'interp-a');
    const zs: tf.Tensor2D[] = [], cs: tf.Tensor2D[] = [];
    if (gan.conditional) {
      // [rows*steps, nz]: each z repeated `steps` times; c runs 0 -> 1 along a row
      zs.push(tf.reshape(tf.tile(tf.expandDims(z0, 1), [1, o.steps, 1]), [o.rows * o.steps, gan.g.nz]) as tf.Tensor2D);
      cs.push(tf.tile(tf.tensor2d(t, [1, o.steps]), [o.rows, 1]).reshape([o.rows * o.steps, 1]) as tf.Tensor2D);
    } else {
      const z1 = noise(o.rows, gan.g.nz, o.seed, 0, 'interp-b');
      const perStep = t.map((ti) => slerp(z0, z1, ti)); // steps x [rows, nz]
      zs.push(tf.reshape(tf.stack(perStep, 1), [o.rows * o.steps, gan.g.nz]) as tf.Tensor2D);
    }
    return generate(gan, zs[0]!, cs[0], o.running);
  });
  const data = (await out.data()) as Float32Array;
  const shape = out.shape as [number, number, number, number];
  out.dispose();
  return { data, shape, t };
}

/** Frame f of the animation: column f of every row, as a [rows, h, w, c] batch. */
export function sweepFrames(strip: Images, rows: number, steps: number): Float32Array[] {
  const [, h, w, c] = strip.shape;
  const per = h * w * c;
  return Array.from({ length: steps }, (_, f) => {
    const frame = new Float32Array(rows * per);
    for (let r = 0; r < rows; r++) frame.set(strip.data.subarray((r * steps + f) * per, (r * steps + f + 1) * per), r * per);
    return frame;
  });
}
