import assert from 'node:assert/strict';
import { test } from 'node:test';
import { features } from './metrics.js';
import { kthNeighbourDistance, pegasusScores, realNeighbourhood } from './pegasus-score.js';
import { pickBest } from './pick.js';

test('k-th neighbour distances on a line', () => {
  const pts = features(Float32Array.from([0, 1, 3, 7]), 1);
  assert.deepEqual(Array.from(kthNeighbourDistance(pts, pts, 1, true)), [1, 1, 2, 4]);
  assert.deepEqual(Array.from(kthNeighbourDistance(pts, pts, 2, true)), [3, 2, 3, 6]);
  assert.deepEqual(Array.from(kthNeighbourDistance(features(Float32Array.from([2]), 1), pts, 2)), [1]);
  assert.equal(realNeighbourhood(pts, 1).radius, 2); // median of [1, 1, 2, 4] (upper middle)
});

test('pegasus score: both classes and realistic scores high; one class, other classes or far away score low', () => {
  // 3 classes: 0 = horse, 1 = wing, 2 = other; features on a line, real images at 0..4
  const real = realNeighbourhood(features(Float32Array.from([0, 1, 2, 3, 4]), 1), 1); // radius 1
  const view = {
    features: features(Float32Array.from([2, 2, 2, 2, 9]), 1),
    probs: Float32Array.from([0.5, 0.5, 0, 1, 0, 0, 0.25, 0.25, 0.5, 0.4, 0.6, 0, 0.5, 0.5, 0]),
    classes: 3,
  };
  const s = pegasusScores(view, 0, 1, real);
  assert.ok(Math.abs(s[0]!.score - 0.5) < 1e-7); // the maximum
  assert.equal(s[1]!.score, 0); // a plain horse
  assert.ok(Math.abs(s[2]!.score - 0.25 * 0.5) < 1e-7); // half the mass elsewhere
  assert.ok(Math.abs(s[3]!.score - Math.sqrt(0.24)) < 1e-7);
  assert.ok(Math.abs(s[3]!.horseness - 0.4) < 1e-7);
  assert.ok(Math.abs(s[4]!.realism - 1 / 5) < 1e-12 && Math.abs(s[4]!.score - 0.1) < 1e-7); // 5 away from the nearest real image
});

test('best batch: by score, near-duplicates skipped, filled up when too few are distinct', () => {
  const f = features(Float32Array.from([0, 0.01, 5, 10, 10.02, 20]), 1);
  const scores = [0.9, 0.8, 0.3, 0.7, 0.6, 0.1];
  const p = pickBest(scores, f, 3, 1);
  assert.equal(p.best, 0);
  assert.deepEqual(p.batch, [0, 3, 2]); // 1 is a near-copy of 0, 4 of 3
  assert.equal(p.skippedAsDuplicates, 2);
  assert.deepEqual(pickBest(scores, f, 6, 100).batch, [0, 1, 3, 4, 2, 5]); // all near each other: best first, then the rest by score
  assert.throws(() => pickBest(scores, f, 7, 1), /cannot fill a batch of 7/);
});
