// The shipped classifier (models/classifier.ckpt) still classifies real CIFAR-10: its accuracy on a
// held-out slice of the test split (100 images per class, evenly spaced), with its provenance.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { initBackend } from '../engine/backend.js';
import { CIFAR10_CLASSES, loadDataset, type LabeledImages } from '../data/index.js';
import { loadCheckpoint } from '../training/checkpoint.js';
import { accuracy, openClassifier } from './classifier-train.js';
import { DEFAULT_CLASSIFIER } from './run-eval.js';

const REAL = path.resolve('../shared/data/cifar10');
// CI has the data beside the clone; elsewhere the test needs it too, or says why it is skipped.
const skip = !fs.existsSync(REAL) && !process.env.CI ? 'no ../shared/data/cifar10' : false;

before(async () => { await initBackend('auto', 2); });

/** k images per class, evenly spaced through each class's run of the (class-ordered) set. */
function slice(d: LabeledImages, perClass: number): LabeledImages {
  const idx: number[] = [];
  let start = 0;
  for (const count of d.counts) {
    for (let i = 0; i < perClass; i++) idx.push(start + Math.floor((i * count) / perClass));
    start += count;
  }
  const px = d.size * d.size * d.channels;
  const images = new Uint8Array(idx.length * px), labels = new Uint8Array(idx.length);
  idx.forEach((j, k) => { images.set(d.images.subarray(j * px, (j + 1) * px), k * px); labels[k] = d.labels[j]!; });
  return { ...d, images, labels, counts: d.counts.map(() => perClass) };
}

test('shipped classifier: >= 87% on 1,000 held-out test images (88.7% there, 88.96% on the full split), with its provenance', { skip }, async (t) => {
  const ck = loadCheckpoint(DEFAULT_CLASSIFIER);
  assert.equal(ck.meta.kind, 'classifier');
  const provenance = ck.meta.provenance as Record<string, unknown>;
  assert.ok(typeof provenance.command === 'string' && provenance.command.includes('classifier train'), 'provenance names the command');
  const { model, classes } = openClassifier(DEFAULT_CLASSIFIER);
  assert.deepEqual(classes, [...CIFAR10_CLASSES]);
  const test = await loadDataset({ source: REAL, classes: [...CIFAR10_CLASSES], splits: ['test'] }, () => {});
  const held = slice(test, 100);
  assert.equal(held.labels.length, 1000);
  const acc = accuracy(model, held);
  model.params.dispose();
  assert.ok(acc >= 0.87, `accuracy ${acc} on the held-out slice`);
  t.diagnostic(`accuracy on the held-out slice: ${(100 * acc).toFixed(1)}%`);
});
