// Training step: each model learns in one step, memory stays flat, runs are deterministic, and
// a checkpoint in the middle resumes exactly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { parseConfig, type Config } from './config.js';
import { createSession, restoreSession, sessionTensors, type Session } from './session.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import { discriminatorAndGeneratorStep, discriminatorStep, trainStep, type StepConfig } from './step.js';
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
  test(`${arch}: one D step lowers D's loss; the combined D + G step lowers G's loss through the updated D, on the same batch and noise`, async () => {
    const c = tinyConfig(arch, { lrD: 2e-3, lrG: 2e-3 });
    const s = createSession(c);
    const x = realBatch(0);
    const cond = s.gan.conditional;
    const cReal = cond ? halfBits(8) : undefined;
    const real = cReal ? { x, cond: cReal } : { x };
    // Each D update draws its z (and class bits) from (seed, D step, 'z-d'); evaluate on those very ones.
    const z0 = noise(8, 100, c.seed, 0, 'z-d'), z1 = noise(8, 100, c.seed, 1, 'z-d');
    const c0 = cond ? classBits(8, c.seed, 0, 'c-d') : undefined, c1 = cond ? classBits(8, c.seed, 1, 'c-d') : undefined;
    const d0 = dLossOn(s, x, z0, cReal, c0);
    discriminatorStep(s.gan, s.opts.d, real, stepCfg(c), 0).dispose();
    const d1 = dLossOn(s, x, z0, cReal, c0);
    assert.ok(d1 < d0, `D loss ${d0} -> ${d1}`);
    const [d, g] = discriminatorAndGeneratorStep(s.gan, s.opts, real, stepCfg(c), 1);
    const gv = g.dataSync();
    const g1 = gLossOn(s, z1, c1);
    assert.ok(g1 < gv[0]!, `G loss (updated D) ${gv[0]} -> ${g1}`);
    tf.dispose([d, g, x, z0, z1, ...[cReal, c0, c1].filter((t): t is tf.Tensor2D => !!t)]);
    s.dispose();
  });
}

test('the combined step is the D step then the G step on the same fake batch: D ends where discriminatorStep leaves it, G where its own gradient step through the updated D does', () => {
  const c = tinyConfig('dcgan');
  const a = createSession(c), b = createSession(c);
  const x = realBatch(0);
  discriminatorStep(a.gan, a.opts.d, { x }, stepCfg(c), 5).dispose();
  tf.dispose(discriminatorAndGeneratorStep(b.gan, b.opts, { x }, stepCfg(c), 5));
  // G, the long way: its loss on the D step's very fake batch, through the updated D, on its own tape
  const z = noise(8, 100, c.seed, 5, 'z-d');
  const { grads } = tf.variableGrads(() => generatorLoss('bce', a.gan.d.forward(a.gan.g.forward(z, { training: true }), { training: true })), a.opts.g.params.map((p) => p.variable));
  a.opts.g.apply(new Map(a.opts.g.params.map((p) => [p.name, grads[p.variable.name]!])));
  for (const opt of ['d', 'g'] as const) {
    for (const p of a.opts[opt].params) {
      const q = b.opts[opt].params.find((r) => r.name === p.name)!;
      assert.deepEqual(Array.from(q.variable.dataSync()), Array.from(p.variable.dataSync()), p.name);
    }
  }
  tf.dispose([z, ...Object.values(grads)]);
  x.dispose();
  a.dispose();
  b.dispose();
});

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
