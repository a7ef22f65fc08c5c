import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from './errors.js';
import { buildPlan, locate, permutation, type Mixing } from './schedule.js';

function labelsFor(counts: number[]): Uint8Array {
  const l: number[] = [];
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++) l.push(c);
  });
  return Uint8Array.from(l);
}
const classes = ['horse', 'airplane'];
const plan = (counts: number[], B: number, mixing: Mixing) => buildPlan(labelsFor(counts), classes.slice(0, counts.length), B, mixing);
const classOf = (p: ReturnType<typeof plan>, step: number) => {
  const pos = locate(p, step);
  return p.pools[pos.pool]!.name;
};

test('combined: one pool, drop_last, epoch = floor(step / stepsPerEpoch)', () => {
  const p = plan([50, 45], 10, { kind: 'combined' });
  assert.equal(p.stepsPerEpoch, 9); // 95 / 10, last 5 dropped
  assert.equal(p.totalSteps, null);
  assert.deepEqual([0, 8, 9, 17, 18].map((s) => locate(p, s).epoch), [0, 0, 1, 1, 2]);
  assert.deepEqual([0, 8, 9].map((s) => locate(p, s).offset), [0, 8, 0]);
  assert.equal(classOf(p, 0), 'all');
});

test('alternate: class k in epoch e with k = e % nClasses, each class its own pass length', () => {
  const p = plan([50, 30], 10, { kind: 'alternate' }); // horse 5 steps, airplane 3 steps
  const order = Array.from({ length: 20 }, (_, s) => classOf(p, s)[0]).join('');
  assert.equal(order, 'hhhhhaaahhhhhaaahhhh');
  const epochs = Array.from({ length: 20 }, (_, s) => locate(p, s).epoch).join('');
  assert.equal(epochs, '00000111222223334444');
  assert.equal(p.stepsPerEpoch, 4); // average of 5 and 3
  for (let s = 0; s < 40; s++) assert.equal(classOf(p, s), classes[locate(p, s).epoch % 2]);
});

test('phases: phase i uses class (i-1) % n for iterations[i-1] steps, then the schedule ends', () => {
  const p = plan([50, 30], 10, { kind: 'phases', iterations: [7, 4, 3, 2, 1] });
  assert.equal(p.totalSteps, 17);
  const order = Array.from({ length: 17 }, (_, s) => classOf(p, s)[0]).join('');
  assert.equal(order, 'hhhhhhhaaaahhhaah');
  const phases = Array.from({ length: 17 }, (_, s) => locate(p, s).phase).join('');
  assert.equal(phases, '11111112222333445');
  // horse passes are 5 steps: phase 1 (7 steps) needs two passes (epochs 0, 1); airplane 3 steps: phase 2 needs 2 (epochs 2, 3)
  const epochs = Array.from({ length: 17 }, (_, s) => locate(p, s).epoch);
  assert.deepEqual(epochs.slice(0, 11), [0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 3]);
  // each phase restarts its class loader: offset 0 at a phase start
  for (const start of [0, 7, 11, 14, 16]) assert.equal(locate(p, start).offset, 0);
  assert.throws(() => locate(p, 17), (e: unknown) => e instanceof DataError && /past the end/.test((e as Error).message));
});

test('phases with zero-iteration phases skip them', () => {
  const p = plan([50, 30], 10, { kind: 'phases', iterations: [2, 0, 2] });
  assert.equal(Array.from({ length: 4 }, (_, s) => `${locate(p, s).phase}`).join(''), '1133');
  assert.equal(Array.from({ length: 4 }, (_, s) => classOf(p, s)[0]).join(''), 'hhhh');
});

test('bad plans: class smaller than a batch, bad batch size, bad iterations', () => {
  assert.throws(() => plan([50, 5], 10, { kind: 'alternate' }), /class "airplane" has 5 images, fewer than one batch of 10/);
  assert.throws(() => plan([50, 30], 0, { kind: 'combined' }), /batch size/);
  assert.throws(() => plan([50, 30], 10, { kind: 'phases', iterations: [] }), /iterations/);
  assert.throws(() => plan([50, 30], 10, { kind: 'phases', iterations: [1.5] }), /iterations/);
  assert.throws(() => locate(plan([50], 10, { kind: 'combined' }), -1), /non-negative/);
});

test('permutation: deterministic per (seed, epoch, pool), a true permutation, different across epochs/seeds', () => {
  const a = permutation(1, 0, 'horse', 100);
  assert.deepEqual(a, permutation(1, 0, 'horse', 100));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(a, permutation(1, 1, 'horse', 100));
  assert.notDeepEqual(a, permutation(2, 0, 'horse', 100));
  assert.notDeepEqual(a, permutation(1, 0, 'airplane', 100));
});
