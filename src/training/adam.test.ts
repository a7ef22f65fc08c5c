import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParamStore } from '../models/params.js';
import { Adam } from './adam.js';

test('Adam: two steps by hand (a constant gradient moves each weight by lr against its sign)', async () => {
  await tf.setBackend('cpu');
  const store = new ParamStore();
  store.add('w', tf.tensor1d([1, -2]));
  const opt = new Adam(store.trainable(), { lr: 0.1, beta1: 0.9, beta2: 0.999 });
  const g = new Map([['w', tf.tensor1d([0.5, -0.25])]]);
  // step 1: m = 0.1 g, v = 0.001 g^2; m / (1 - 0.9) = g, v / (1 - 0.999) = g^2 -> w -= 0.1 g / |g|
  opt.apply(g);
  let w = store.get('w').variable.dataSync();
  assert.ok(Math.abs(w[0]! - 0.9) < 1e-6 && Math.abs(w[1]! + 1.9) < 1e-6, `${w}`);
  // step 2: m = 0.19 g, v = 0.001999 g^2, bias corrections 0.19 and 0.001999 -> the same move again
  opt.apply(g);
  w = store.get('w').variable.dataSync();
  assert.ok(Math.abs(w[0]! - 0.8) < 1e-6 && Math.abs(w[1]! + 1.8) < 1e-6, `${w}`);
  const m = (await opt.state()).get('w.m')!.data;
  assert.ok(Math.abs(m[0]! - 0.095) < 1e-7 && Math.abs(m[1]! + 0.0475) < 1e-7, `${m}`);
  opt.dispose();
  store.dispose();
  tf.dispose([...g.values()]);
});
