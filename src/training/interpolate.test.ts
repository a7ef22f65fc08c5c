import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { buildGan } from '../models/index.js';
import { interpolationStrip, slerp, sweepFrames } from './interpolate.js';

before(async () => { await initBackend('auto', 2); });

test('slerp: endpoints exact, unit vectors stay on the sphere, parallel vectors fall back to lerp', () => {
  const a = tf.tensor2d([[1, 0, 0], [2, 0, 0]]), b = tf.tensor2d([[0, 1, 0], [4, 0, 0]]);
  const at = (t: number) => Array.from(slerp(a, b, t).dataSync());
  const close = (x: number[], y: number[]) => x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) < 1e-6, `${x} vs ${y}`));
  close(at(0), [1, 0, 0, 2, 0, 0]);
  close(at(1), [0, 1, 0, 4, 0, 0]);
  const mid = at(0.5);
  close(mid.slice(0, 3), [Math.SQRT1_2, Math.SQRT1_2, 0]); // on the unit circle, not the chord
  close(mid.slice(3), [3, 0, 0]); // parallel: linear
  tf.dispose([a, b]);
});

test('strips: rows x steps images, each row a sweep; frames regroup columns; conditional rows share z', async () => {
  for (const arch of ['dcgan', 'cdcgan'] as const) {
    const gan = buildGan({ arch, imageSize: 32, nz: 8, ngf: 4, ndf: 4 }, 1);
    const s = await interpolationStrip(gan, { rows: 2, steps: 4, seed: 3, running: true });
    assert.deepEqual(s.shape, [8, 32, 32, 3]);
    assert.deepEqual(s.t, [0, 1 / 3, 2 / 3, 1]);
    const px = 32 * 32 * 3;
    const img = (i: number) => s.data.subarray(i * px, (i + 1) * px);
    assert.notDeepEqual(img(0), img(3), `${arch}: the sweep changes the image`);
    assert.notDeepEqual(img(0), img(4), `${arch}: rows differ`);
    const frames = sweepFrames(s, 2, 4);
    assert.equal(frames.length, 4);
    assert.deepEqual(frames[1]!.subarray(px), img(5));
    // the same strip again: deterministic in the seed
    assert.deepEqual((await interpolationStrip(gan, { rows: 2, steps: 4, seed: 3, running: true })).data, s.data);
    gan.dispose();
  }
});
