// The bit-sweep probe end to end on stand-ins whose answer is known by hand: G paints every pixel
// 2c - 1, the classifier's logits are [-v, v, 0] for mean pixel v, so P(class 1) = e^v / (e^-v + e^v + 1).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import type { Gan } from '../models/gan.js';
import { ParamStore } from '../models/params.js';
import type { Classifier } from './classifier.js';
import { bitSweepProbabilities } from './bit-sweep.js';

before(async () => { await initBackend('auto', 2); });

const painter = (conditional: boolean): Gan => ({
  conditional,
  g: {
    params: new ParamStore(), nz: 4, imageSize: 32,
    forward: (z, _ctx, cond) => tf.tidy(() => tf.mul(tf.ones([z.shape[0], 32, 32, 3]), tf.reshape(tf.sub(tf.mul(cond!, 2), 1), [-1, 1, 1, 1]))) as tf.Tensor4D,
  },
  d: undefined as never,
  dispose: () => {},
});

const brightnessClassifier: Classifier = {
  params: new ParamStore(),
  shape: { width: 1, classes: 3 },
  forward: (x) => tf.tidy(() => {
    const v = tf.reshape(tf.mean(x, [1, 2, 3]), [-1, 1]);
    return { logits: tf.concat([tf.neg(v), v, tf.zerosLike(v)], 1) as tf.Tensor2D, features: tf.zeros([x.shape[0], 8]) as tf.Tensor2D };
  }),
};

test('bit sweep: mean class probabilities at each bit, the classes picked by index', async () => {
  const pts = await bitSweepProbabilities(painter(true), brightnessClassifier, [1, 0], [0, 0.5, 1], 5, 1);
  const p = (v: number, c: number) => Math.exp(c === 0 ? -v : v) / (Math.exp(-v) + Math.exp(v) + 1);
  assert.deepEqual(pts.map((q) => q.bit), [0, 0.5, 1]);
  pts.forEach((q, i) => {
    const v = 2 * q.bit - 1;
    assert.ok(Math.abs(q.first - p(v, 1)) < 1e-5 && Math.abs(q.second - p(v, 0)) < 1e-5, `bit ${q.bit}: ${q.first}, ${q.second}`);
    if (i) assert.ok(q.first > pts[i - 1]!.first);
  });
});

test('bit sweep: an unconditional model is refused with a message', async () => {
  await assert.rejects(bitSweepProbabilities(painter(false), brightnessClassifier, [0, 1], [0, 1], 2, 1), /needs a conditional model/);
});
