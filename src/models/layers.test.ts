// Batch-norm + LeakyReLU in evaluation mode (running statistics): what G runs when it samples.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { ParamStore } from './params.js';
import { BN_EPS, batchNormLeakyRelu, batchNormParams } from './layers.js';

before(async () => { await initBackend('auto', 2); });

for (const backend of ['cpu', 'wasm']) {
  for (const slope of [0.2, 0.1, 0]) {
    test(`${backend}: evaluation-mode batch-norm + LeakyReLU(${slope}) is leaky((x - mean) / sqrt(var + eps) * gamma + beta) by hand`, () => {
      tf.setBackend(backend);
      const C = 3, rows = 40;
      const store = new ParamStore();
      const p = batchNormParams(store, 'bn', C, 1);
      const mean = [0.5, -1, 2], variance = [4, 0.25, 1e-6], gamma = [1.5, -0.5, 1], beta = [0.1, 0, -2];
      p.mean.assign(tf.tensor1d(mean));
      p.variance.assign(tf.tensor1d(variance));
      p.gamma.assign(tf.tensor1d(gamma));
      p.beta.assign(tf.tensor1d(beta));
      const xs = Array.from({ length: rows * C }, (_, i) => Math.sin(i * 1.7) * 3);
      const x = tf.tensor4d(xs, [rows / 4, 2, 2, C]);
      const y = batchNormLeakyRelu(x, p, { training: false }, slope).dataSync();
      xs.forEach((v, i) => {
        const c = i % C;
        const bn = ((v - mean[c]!) / Math.sqrt(variance[c]! + BN_EPS)) * gamma[c]! + beta[c]!;
        const want = bn > 0 ? bn : slope * bn;
        assert.ok(Math.abs(y[i]! - want) <= 1e-5 * Math.max(1, Math.abs(want)), `[${i}] ${y[i]} vs ${want}`);
      });
      tf.dispose(x);
      store.dispose();
    });
  }
}
