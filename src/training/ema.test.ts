// EMA of G's weights: the update rule by hand, the swap in and out, and exact resume.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { ParamStore } from '../models/params.js';
import { parseConfig } from './config.js';
import { createSession, openCheckpoint, restoreSession, saveSession, sessionMeta, sessionTensors, type Session } from './session.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import { trainStep } from './step.js';
import { WeightEma } from './ema.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

before(async () => { await initBackend('auto', 2); });

const values = (v: tf.Variable) => Array.from(v.dataSync());
const close = (a: number[], b: number[]) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-6, `${a.join()} vs ${b.join()}`));

test('update: avg = d * avg + (1 - d) * w with the warm-up d = min(decay, (1 + t) / (10 + t))', async () => {
  const store = new ParamStore();
  const w = store.add('w', tf.tensor1d([1, 2]));
  const ema = new WeightEma(store.trainable(), 0.5);
  w.assign(tf.tensor1d([3, 6]));
  ema.update(); // t = 0: d = 0.1 -> 0.1 * [1, 2] + 0.9 * [3, 6]
  close(values(w), [3, 6]); // the model's own weights are untouched
  close(Array.from((await ema.state()).get('w')!.data), [2.8, 5.6]);
  w.assign(tf.tensor1d([0, 0]));
  for (let t = 1; t < 9; t++) ema.update(); // d = (1 + t) / (10 + t) < 0.5 until t = 8
  assert.equal(ema.currentDecay(), 0.5);
  ema.update(); // t = 9: d = 0.5
  const expected = [2.8, 5.6].map((x) => x * Array.from({ length: 8 }, (_, i) => (2 + i) / (11 + i)).reduce((a, b) => a * b, 1) * 0.5);
  close(Array.from((await ema.state()).get('w')!.data), expected);
  ema.dispose();
  store.dispose();
});

test('withAveraged puts the average in the model for the call and the live weights back after', async () => {
  const store = new ParamStore();
  const w = store.add('w', tf.tensor1d([1, 1]));
  const ema = new WeightEma(store.trainable(), 0.9);
  w.assign(tf.tensor1d([5, 5]));
  const before = tf.memory().numTensors;
  const seen = await ema.withAveraged(() => values(w));
  close(seen, [1, 1]);
  close(values(w), [5, 5]);
  assert.equal(tf.memory().numTensors, before);
  ema.dispose();
  store.dispose();
});

const config = (emaDecay: number) => parseConfig({ seed: 5, model: { arch: 'dcgan', imageSize: 32, ngf: 8, ndf: 8 }, train: { batchSize: 8, emaDecay } }, 'test');

async function run(s: Session, from: number, to: number): Promise<void> {
  const c = s.config;
  for (let i = from; i < to; i++) {
    const x = tf.tidy(() => tf.tanh(tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 50 + i)) as tf.Tensor4D);
    await trainStep(s.gan, s.opts, [{ x }], { batchSize: 8, loss: c.train.loss, labels: { soft: false, flip: 0 }, seed: c.seed }, i);
    x.dispose();
    s.ema?.update();
    s.step = i + 1;
  }
}

test('a run with EMA resumes exactly (average and update count in the checkpoint); samples come from the average', async () => {
  const straight = createSession(config(0.9));
  await run(straight, 0, 4);
  const first = createSession(config(0.9));
  await run(first, 0, 2);
  const bytes = encodeCheckpoint(first.step, sessionMeta(first), await sessionTensors(first));
  first.dispose();
  const resumed = createSession(config(0.9));
  restoreSession(resumed, decodeCheckpoint(bytes), 'memory');
  await run(resumed, 2, 4);
  const a = await sessionTensors(straight), b = await sessionTensors(resumed);
  assert.ok([...a.keys()].some((k) => k.startsWith('Gema/')));
  for (const [k, v] of a) assert.deepEqual(Array.from(b.get(k)!.data), Array.from(v.data), k);
  // opened for sampling, G holds the average; with live, the last step's weights
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-ema-'));
  const file = path.join(dir, 'c.ckpt');
  await saveSession(file, straight);
  const name = straight.gan.g.params.trainable()[0]!.name;
  const avg = Array.from(a.get(`Gema/${name}`)!.data), live = Array.from(a.get(`G/${name}`)!.data);
  assert.notDeepEqual(avg, live);
  const opened = openCheckpoint(file), openedLive = openCheckpoint(file, { live: true });
  assert.deepEqual(Array.from(opened.gan.g.params.get(name).variable.dataSync()), avg);
  assert.deepEqual(Array.from(openedLive.gan.g.params.get(name).variable.dataSync()), live);
  [straight, resumed, opened, openedLive].forEach((s) => s.dispose());
  fs.rmSync(dir, { recursive: true });
});
