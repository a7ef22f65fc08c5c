// D's targets: hard (1 real, 0 fake), soft (real in [0.7, 1], fake in [0, 0.3]) and noisy
// (each target flipped to the other side with probability p). The seed's label tricks.
import * as tf from '@tensorflow/tfjs-core';
import { uniform } from './randomness.js';

export interface LabelConfig { soft: boolean; flip: number }

export function targets(n: number, real: boolean, cfg: LabelConfig, seed: number, step: number): tf.Tensor1D {
  return tf.tidy(() => {
    const side = real ? 'real' : 'fake';
    const value = (isReal: boolean, tag: string): tf.Tensor1D =>
      cfg.soft
        ? isReal ? uniform(n, 0.7, 1.0, seed, step, `soft-${tag}`) : uniform(n, 0.0, 0.3, seed, step, `soft-${tag}`)
        : tf.fill([n], isReal ? 1 : 0) as tf.Tensor1D;
    const own = value(real, side);
    if (cfg.flip <= 0) return own;
    const other = value(!real, `${side}-flipped`);
    const flip = tf.less(uniform(n, 0, 1, seed, step, `flip-${side}`), cfg.flip);
    return tf.where(flip, other, own) as tf.Tensor1D;
  });
}
