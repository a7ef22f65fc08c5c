// GAN losses by hand: BCE on logits, hinge with hard, soft and flipped targets, G's losses.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { bceWithLogits, discriminatorLoss, generatorLoss } from './losses.js';

before(async () => { await initBackend('auto', 2); });

const value = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]!);
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test('BCE on logits equals -[y log s(x) + (1 - y) log(1 - s(x))], also for large |x|', () => {
  const x = [-3, 0.5, 2], y = [0.2, 1, 0];
  const expected = x.reduce((a, xi, i) => a - (y[i]! * Math.log(sigmoid(xi)) + (1 - y[i]!) * Math.log(1 - sigmoid(xi))), 0) / 3;
  near(value(() => bceWithLogits(tf.tensor1d(x), tf.tensor1d(y))), expected);
  near(value(() => bceWithLogits(tf.tensor1d([100]), tf.tensor1d([0]))), 100); // no overflow
});

test('hinge: hard targets give mean relu(1 - x) on real and mean relu(1 + x) on fake; a flipped target swaps sides; soft ones mix', () => {
  const x = tf.tensor1d([-2, 0.5, 3]);
  near(value(() => discriminatorLoss('hinge', x, tf.ones([3]))), (3 + 0.5 + 0) / 3);
  near(value(() => discriminatorLoss('hinge', x, tf.zeros([3]))), (0 + 1.5 + 4) / 3);
  near(value(() => discriminatorLoss('hinge', x, tf.tensor1d([1, 0, 1]))), (3 + 1.5 + 0) / 3);
  near(value(() => discriminatorLoss('hinge', x, tf.fill([3], 0.75) as tf.Tensor1D)), (0.75 * 3.5 + 0.25 * 5.5) / 3);
  x.dispose();
});

test("G's losses: non-saturating BCE = mean softplus(-x); hinge = -mean(x)", () => {
  const x = [-1, 2];
  near(value(() => generatorLoss('bce', tf.tensor1d(x))), x.reduce((a, v) => a + Math.log1p(Math.exp(-v)), 0) / 2);
  near(value(() => generatorLoss('hinge', tf.tensor1d(x))), -0.5);
});
