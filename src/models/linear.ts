// A fully connected layer y = x W + b, weights N(0, 0.02) as the rest of the seed's models.
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, seedFor } from './params.js';

export interface Linear { w: tf.Variable; b: tf.Variable }

export function linear(store: ParamStore, name: string, inputs: number, outputs: number, seed: number): Linear {
  return {
    w: store.add(`${name}.w`, tf.randomNormal([inputs, outputs], 0, 0.02, 'float32', seedFor(seed, `${name}.w`))),
    b: store.add(`${name}.b`, tf.zeros([outputs])),
  };
}

/** x [n, in] -> [n, out] */
export function applyLinear(l: Linear, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, l.w as tf.Tensor2D), l.b);
}
