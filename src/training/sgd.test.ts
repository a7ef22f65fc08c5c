import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParamStore } from '../models/params.js';
import { Sgd } from './sgd.js';

test('Nesterov SGD with weight decay: two steps by hand', async () => {
  await tf.setBackend('cpu');
  const store = new ParamStore();
  store.add('w', tf.tensor1d([1, -2]));
  const opt = new Sgd(store.trainable(), { momentum: 0.9, nesterov: true, weightDecay: 0.1 });
  const g = new Map([['w', tf.tensor1d([0.5, 0.5])]]);
  opt.apply(g, 0.1);
  // g' = g + 0.1 w = [0.6, 0.3]; buf = g'; dir = g' + 0.9 buf = [1.14, 0.57]; w = [0.886, -2.057]
  let w = store.get('w').variable.dataSync();
  assert.ok(Math.abs(w[0]! - 0.886) < 1e-6 && Math.abs(w[1]! + 2.057) < 1e-6, `${w}`);
  opt.apply(g, 0.1);
  // g' = [0.5886, 0.2943]; buf = 0.9 [0.6, 0.3] + g' = [1.1286, 0.5643]; dir = g' + 0.9 buf = [1.60434, 0.80217]
  w = store.get('w').variable.dataSync();
  assert.ok(Math.abs(w[0]! - (0.886 - 0.160434)) < 1e-6 && Math.abs(w[1]! - (-2.057 - 0.080217)) < 1e-6, `${w}`);
  const saved = await opt.state();
  const other = new Sgd(store.trainable(), { momentum: 0.9, nesterov: true, weightDecay: 0.1 });
  other.loadState(opt.step, saved, 'test');
  assert.deepEqual(Array.from((await other.state()).get('w.momentum')!.data), Array.from(saved.get('w.momentum')!.data));
  assert.throws(() => other.loadState(1, new Map(), 'ck.bin'), /ck\.bin: optimizer state w\.momentum missing/);
  opt.dispose();
  other.dispose();
  store.dispose();
  tf.dispose([...g.values()]);
});
