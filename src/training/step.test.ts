// Training step: each model learns in one step, memory stays flat, runs are deterministic, and
// a checkpoint in the middle resumes exactly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { parseConfig, type Config } from './config.js';
import { createSession, restoreSession, sessionTensors, type Session } from './session.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import { discriminatorStep, generatorStep, trainStep, type StepConfig } from './step.js';
import { discriminatorLoss, generatorLoss } from './losses.js';
import { classBits, noise } from './randomness.js';

before(async () => { await initBackend('auto', 2); });

type Arch = Config['model']['arch'];
const ALL_ARCHS: Arch[] = ['dcgan', 'sndcgan', 'cdcgan', 'sncdcgan', 'cbn-proj'];
const tinyConfig = (arch: Arch, over: Record<string, unknown> = {}): Config =>
  parseConfig({ seed: 3, model: { arch, imageSize: 32, ngf: 8, ndf: 8 }, train: { batchSize: 8, ...over } }, 'test');

const stepCfg = (c: Config): StepConfig => ({ batchSize: c.train.batchSize, loss: c.train.loss, labels: { soft: c.train.softLabels, flip: c.train.labelFlip }, seed: c.seed });

/** A deterministic "real" batch per step: smooth colour blobs. */
function realBatch(step: number, n = 8): tf.Tensor4D {
  return tf.tidy(() => tf.tanh(tf.mul(tf.randomNormal([n, 32, 32, 3], 0.3, 1, 'float32', 1000 + step), 2)) as tf.Tensor4D);
}

/** Class bits for a conditional batch: half 0, half 1. */
const halfBits = (n: number): tf.Tensor2D => tf.tensor2d(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0 : 1)), [n, 1]);

function dLossOn(s: Session, x: tf.Tensor4D, z: tf.Tensor2D, cReal?: tf.Tensor2D, cFake?: tf.Tensor2D): number {
  return tf.tidy(() => {
    const ctx = { training: true, updateStats: false };
    const real = discriminatorLoss('bce', s.gan.d.forward(x, ctx, cReal), tf.ones([x.shape[0]]));
    const fake = discriminatorLoss('bce', s.gan.d.forward(s.gan.g.forward(z, ctx, cFake), ctx, cFake), tf.zeros([z.shape[0]]));
    return tf.add(real, fake).dataSync()[0]!;
  });
}

function gLossOn(s: Session, z: tf.Tensor2D, c?: tf.Tensor2D): number {
  return tf.tidy(() => {
    const ctx = { training: true, updateStats: false };
    return generatorLoss('bce', s.gan.d.forward(s.gan.g.forward(z, ctx, c), ctx, c)).dataSync()[0]!;
  });
}

for (const arch of ALL_ARCHS) {
  test(`${arch}: one D step lowers D's loss, then one G step lowers G's loss, on the same batch and noise`, () => {
    const c = tinyConfig(arch, { lrD: 2e-3, lrG: 2e-3 });
    const s = createSession(c);
    const x = realBatch(0);
    const cond = s.gan.conditional;
    const cReal = cond ? halfBits(8) : undefined;
    // Each update draws its z (and class bits) from (seed, step, purpose); evaluate on those very ones.
    const zD = noise(8, 100, c.seed, 0, 'z-d'), zG = noise(8, 100, c.seed, 0, 'z-g');
    const cD = cond ? classBits(8, c.seed, 0, 'c-d') : undefined, cG = cond ? classBits(8, c.seed, 0, 'c-g') : undefined;
    const d0 = dLossOn(s, x, zD, cReal, cD);
    discriminatorStep(s.gan, s.opts.d, cReal ? { x, cond: cReal } : { x }, stepCfg(c), 0).dispose();
    const d1 = dLossOn(s, x, zD, cReal, cD);
    assert.ok(d1 < d0, `D loss ${d0} -> ${d1}`);
    const g0 = gLossOn(s, zG, cG);
    generatorStep(s.gan, s.opts.g, stepCfg(c), 0).dispose();
    const g1 = gLossOn(s, zG, cG);
    assert.ok(g1 < g0, `G loss ${g0} -> ${g1}`);
    tf.dispose([x, zD, zG, ...[cReal, cD, cG].filter((t): t is tf.Tensor2D => !!t)]);
    s.dispose();
  });
}

test('tensor count is constant from step to step (no leaks), for both architectures and label tricks', async () => {
  for (const [arch, over] of [['dcgan', {}], ['sndcgan', { softLabels: true, labelFlip: 0.1, loss: 'hinge' }], ['cbn-proj', {}], ['cdcgan', { dSteps: 2 }]] as const) {
    const c = tinyConfig(arch, over);
    const s = createSession(c);
    const x = realBatch(0);
    const cond = s.gan.conditional ? halfBits(8) : undefined;
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      await trainStep(s.gan, s.opts, Array.from({ length: c.train.dSteps }, () => (cond ? { x, cond } : { x })), stepCfg(c), i);
      counts.push(tf.memory().numTensors);
    }
    assert.deepEqual(counts.slice(1), [counts[1], counts[1], counts[1]], `${arch}: ${counts.join(', ')}`);
    tf.dispose(cond ? [x, cond] : [x]);
    s.dispose();
  }
});

async function runSteps(s: Session, from: number, to: number): Promise<void> {
  const c = stepCfg(s.config);
  for (let i = from; i < to; i++) {
    const x = realBatch(i);
    await trainStep(s.gan, s.opts, [{ x }], c, i);
    x.dispose();
    s.step = i + 1;
  }
}

async function maxDiff(a: Session, b: Session): Promise<number> {
  const [ta, tb] = await Promise.all([sessionTensors(a), sessionTensors(b)]);
  let m = 0;
  for (const [k, v] of ta) {
    const w = tb.get(k)!;
    for (let i = 0; i < v.data.length; i++) m = Math.max(m, Math.abs(v.data[i]! - w.data[i]!));
  }
  return m;
}

for (const arch of ['dcgan', 'sndcgan'] as const) {
  test(`${arch}: N steps + checkpoint + N steps equals 2N straight (weights, buffers, Adam state)`, async () => {
    const c = tinyConfig(arch);
    const straight = createSession(c);
    await runSteps(straight, 0, 6);
    const first = createSession(c);
    await runSteps(first, 0, 3);
    const bytes = encodeCheckpoint(first.step, { optGStep: first.opts.g.step, optDStep: first.opts.d.step }, await sessionTensors(first));
    first.dispose();
    const resumed = createSession(c);
    restoreSession(resumed, decodeCheckpoint(bytes), 'memory');
    assert.equal(resumed.step, 3);
    await runSteps(resumed, 3, 6);
    assert.equal(await maxDiff(straight, resumed), 0);
    // and a different seed really differs (the comparison can fail)
    const other = createSession({ ...c, seed: 4 });
    await runSteps(other, 0, 6);
    assert.ok(await maxDiff(straight, other) > 0);
    straight.dispose(); resumed.dispose(); other.dispose();
  });
}
