// The project's own CIFAR-10 classifier: a ResNet-9-style network (Page's DAWNBench design) with
// configurable width. Its penultimate features (global max pool, 8 * width) are the feature space
// of CIFAR-FID / KID; its softmax gives the per-class probabilities of the pegasus score.
//   prep   conv3x3(3 -> w)                           32x32
//   layer1 conv3x3(w -> 2w), maxpool, + res(2 convs) 16x16
//   layer2 conv3x3(2w -> 4w), maxpool                 8x8
//   layer3 conv3x3(4w -> 8w), maxpool, + res(2 convs) 4x4
//   head   global max pool -> features [n, 8w] -> linear(8w -> 10) * 0.125
// Every conv: no bias, batch-norm, ReLU. Input: [n, 32, 32, 3] in [-1, 1].
import * as tf from '@tensorflow/tfjs-core';
import { batchNormLeakyRelu, batchNormParams, type BatchNormParams, type ForwardContext } from '../models/layers.js';
import { ParamStore, seedFor } from '../models/params.js';

export interface ClassifierShape { width: number; classes: number }

export interface Classifier {
  readonly params: ParamStore;
  readonly shape: ClassifierShape;
  /** logits [n, classes] and penultimate features [n, 8 * width] */
  forward(x: tf.Tensor4D, ctx: ForwardContext): { logits: tf.Tensor2D; features: tf.Tensor2D };
}

interface ConvBn { w: tf.Variable; bn: BatchNormParams }

/** He-normal conv weights: std sqrt(2 / fan_in). */
function convBn(store: ParamStore, name: string, cin: number, cout: number, seed: number): ConvBn {
  const w = store.add(`${name}.w`, tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', seedFor(seed, `${name}.w`)));
  return { w, bn: batchNormParams(store, `${name}.bn`, cout, seed) };
}

function apply(l: ConvBn, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
  return batchNormLeakyRelu(tf.conv2d(x, l.w as tf.Tensor4D, 1, 'same'), l.bn, ctx, 0); // ReLU
}

const pool = (x: tf.Tensor4D): tf.Tensor4D => tf.maxPool(x, 2, 2, 'valid');

export function buildClassifier(shape: ClassifierShape, seed: number): Classifier {
  const s = new ParamStore();
  const w = shape.width;
  const L = {
    prep: convBn(s, 'C.prep', 3, w, seed),
    l1: convBn(s, 'C.l1', w, 2 * w, seed),
    r1a: convBn(s, 'C.r1a', 2 * w, 2 * w, seed),
    r1b: convBn(s, 'C.r1b', 2 * w, 2 * w, seed),
    l2: convBn(s, 'C.l2', 2 * w, 4 * w, seed),
    l3: convBn(s, 'C.l3', 4 * w, 8 * w, seed),
    r3a: convBn(s, 'C.r3a', 8 * w, 8 * w, seed),
    r3b: convBn(s, 'C.r3b', 8 * w, 8 * w, seed),
  };
  const fan = 8 * w, bound = 1 / Math.sqrt(fan);
  const fcW = s.add('C.fc.w', tf.randomUniform([fan, shape.classes], -bound, bound, 'float32', seedFor(seed, 'C.fc.w')));
  return {
    params: s, shape,
    forward(x, ctx) {
      return tf.tidy(() => {
        let h = apply(L.prep, x, ctx);
        h = pool(apply(L.l1, h, ctx));
        h = tf.add(h, apply(L.r1b, apply(L.r1a, h, ctx), ctx));
        h = pool(apply(L.l2, h, ctx));
        h = pool(apply(L.l3, h, ctx));
        h = tf.add(h, apply(L.r3b, apply(L.r3a, h, ctx), ctx));
        const features = tf.max(h, [1, 2]) as tf.Tensor2D; // [n, 8w]
        const logits = tf.mul(tf.matMul(features, fcW as tf.Tensor2D), 0.125) as tf.Tensor2D;
        return { logits, features };
      });
    },
  };
}
