import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import type { LabeledImages } from '../data/dataset.js';
import { buildClassifier } from './classifier.js';
import { accuracy, CLASSIFIER_DEFAULTS, exportClassifier, learningRate, openClassifier, trainClassifier, type ClassifierTrainConfig } from './classifier-train.js';

before(async () => { await initBackend('auto', 2); });

/** Two learnable classes: reddish vs bluish noise images, with an off-centre bright square. */
function toyData(n: number, seed: number): LabeledImages {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const images = new Uint8Array(n * 32 * 32 * 3), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    labels[i] = c;
    for (let p = 0; p < 32 * 32; p++) {
      const v = 60 + rand() * 100;
      images.set(c ? [v * 0.6, v * 0.7, v * 1.4] : [v * 1.4, v * 0.7, v * 0.6], (i * 1024 + p) * 3);
    }
  }
  return { classes: ['horse', 'airplane'], size: 32, channels: 3, images, labels, counts: [n / 2, n / 2], source: 'toy' };
}

const tiny: ClassifierTrainConfig = { ...CLASSIFIER_DEFAULTS, width: 4, epochs: 2, batchSize: 16, warmupEpochs: 0.5, lrPeak: 0.2, evalEvery: 1 };

test('classifier shapes: logits [n, 10], features [n, 8w]; eval mode is deterministic', () => {
  const m = buildClassifier({ width: 4, classes: 10 }, 1);
  const x = tf.randomUniform([3, 32, 32, 3], -1, 1) as tf.Tensor4D;
  const a = m.forward(x, { training: false }), b = m.forward(x, { training: false });
  assert.deepEqual(a.logits.shape, [3, 10]);
  assert.deepEqual(a.features.shape, [3, 32]);
  assert.deepEqual(a.logits.dataSync(), b.logits.dataSync());
  tf.dispose([x, a.logits, a.features, b.logits, b.features]);
  m.params.dispose();
});

test('one-cycle learning rate: 0 -> peak at warmup -> 0 at the end', () => {
  const c = { ...CLASSIFIER_DEFAULTS, epochs: 10, warmupEpochs: 2, lrPeak: 0.4 };
  assert.equal(learningRate(c, 0), 0);
  assert.ok(Math.abs(learningRate(c, 1) - 0.2) < 1e-12);
  assert.equal(learningRate(c, 2), 0.4);
  assert.ok(Math.abs(learningRate(c, 6) - 0.2) < 1e-12);
  assert.equal(learningRate(c, 10), 0);
});

test('training learns a toy problem, logs, checkpoints, and resumes exactly; no tensor growth', async () => {
  const train = toyData(96, 1), test = toyData(40, 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-cls-'));
  const straight = path.join(dir, 'straight'), split = path.join(dir, 'split');
  const quiet = () => {};
  const before = tf.memory().numTensors;
  const r = await trainClassifier({ config: tiny, train, test, outDir: straight, log: quiet });
  assert.equal(tf.memory().numTensors, before, 'tensors left behind');
  assert.equal(r.steps, 12); // 96 / 16 = 6 steps per epoch, 2 epochs
  assert.ok(r.testAccuracy >= 0.9, `toy accuracy ${r.testAccuracy}`);
  const rows = fs.readFileSync(path.join(straight, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x.step), [6, 12]);
  assert.ok(rows.every((x) => Number.isFinite(x.testAccuracy)));

  // 5 steps, stop, resume: the same weights as 12 straight
  await trainClassifier({ config: tiny, train, test, outDir: split, log: quiet, untilStep: 5 });
  await assert.rejects(trainClassifier({ config: tiny, train, test, outDir: split, log: quiet }), /already holds a classifier; pass --resume/);
  await trainClassifier({ config: tiny, train, test, outDir: split, log: quiet, resume: true });
  const a = openClassifier(path.join(straight, 'classifier.ckpt'));
  const b = openClassifier(path.join(split, 'classifier.ckpt'));
  assert.deepEqual(a.classes, ['horse', 'airplane']);
  for (const p of a.model.params.all()) assert.deepEqual(p.variable.dataSync(), b.model.params.get(p.name).variable.dataSync(), p.name);
  assert.ok(Math.abs(accuracy(a.model, test) - r.testAccuracy) < 1e-12);
  assert.deepEqual(fs.readFileSync(path.join(split, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step), [5, 6, 12]);
  // shipped form: float16 weights without optimizer state, about a quarter of the training checkpoint
  const shipped = path.join(dir, 'shipped.ckpt');
  const bytes = await exportClassifier(path.join(straight, 'classifier.ckpt'), shipped, { note: 'test' });
  assert.ok(bytes < fs.statSync(path.join(straight, 'classifier.ckpt')).size * 0.3, `${bytes} bytes`);
  const c = openClassifier(shipped);
  assert.ok(Math.abs(accuracy(c.model, test) - r.testAccuracy) <= 0.05);
  c.model.params.dispose();
  a.model.params.dispose();
  b.model.params.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
