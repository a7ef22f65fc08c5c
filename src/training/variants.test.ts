// The seed's variants at work: the class bit of a conditional GAN steers what it draws, and
// FreezeD's frozen layers stay as they were while the rest of the model trains.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { parseConfig, type Config } from './config.js';
import { createSession } from './session.js';
import { trainStep, type StepConfig } from './step.js';
import { generate } from './sample.js';
import { noise } from './randomness.js';

before(async () => { await initBackend('auto', 2); });

const tiny = (over: { model?: Record<string, unknown>; train?: Record<string, unknown> }): Config =>
  parseConfig({ seed: 2, model: { imageSize: 32, ngf: 8, ndf: 8, ...over.model }, train: { batchSize: 16, lrD: 2e-3, lrG: 2e-3, ...over.train } }, 'test');
const stepCfg = (c: Config): StepConfig => ({ batchSize: c.train.batchSize, loss: c.train.loss, labels: { soft: false, flip: 0 }, seed: c.seed });

/** The planted signal: class 0 images are dark (about -0.6), class 1 bright (about +0.6), with texture. */
function plantedBatch(step: number, n = 16): { x: tf.Tensor4D; cond: tf.Tensor2D } {
  return tf.tidy(() => {
    const bits = Array.from({ length: n }, (_, i) => i % 2);
    const level = tf.reshape(tf.tensor1d(bits.map((b) => (b ? 0.6 : -0.6))), [n, 1, 1, 1]);
    const x = tf.clipByValue(tf.add(level, tf.randomNormal([n, 32, 32, 3], 0, 0.2, 'float32', 300 + step)), -1, 1) as tf.Tensor4D;
    return { x, cond: tf.tensor2d(bits, [n, 1]) };
  });
}

/** Mean brightness of G's images at c for the same 16 z's, batch-norm on running statistics as `pegasus interpolate` draws them. */
function brightness(s: ReturnType<typeof createSession>, c: number): number {
  return tf.tidy(() => {
    const z = noise(16, s.gan.g.nz, 99, 0, 'sweep');
    return tf.mean(generate(s.gan, z, tf.fill([16, 1], c) as tf.Tensor2D, true)).dataSync()[0]!;
  });
}

test('cbn-proj: sweeping the class bit from 0 to 1 moves the output monotonically towards the planted class', async (t) => {
    const c = tiny({ model: { arch: 'cbn-proj' } });
    const s = createSession(c);
    const sweep = [0, 0.2, 0.4, 0.6, 0.8, 1];
    const untrained = sweep.map((b) => brightness(s, b));
    for (let i = 0; i < 200; i++) {
      const real = plantedBatch(i);
      await trainStep(s.gan, s.opts, [real], stepCfg(c), i);
      tf.dispose([real.x, real.cond]);
    }
    const levels = sweep.map((b) => brightness(s, b));
    const shown = levels.map((v) => v.toFixed(3)).join(' < ');
    for (let i = 1; i < levels.length; i++) assert.ok(levels[i]! > levels[i - 1]!, `not monotone: ${shown}`);
    assert.ok(levels.at(-1)! - levels[0]! > 0.5, `bit 1 vs bit 0 differ by too little: ${shown} (untrained: ${untrained.map((v) => v.toFixed(3)).join(', ')})`);
    t.diagnostic(`brightness over the sweep: ${shown}`);
    s.dispose();
});

// Why the seed's cDCGAN needs the stronger conditioning: its D adds w_c * c to the logit, so
// D(x, 1) - D(x, 0) is the same for every image and D cannot tell a wrong class from a right one;
// G gets no gradient that ties the bit to the class (measured: after 200 steps on the planted signal
// the sweep moves brightness by under 0.01, where cbn-proj moves it by more than 0.5).
for (const arch of ['cdcgan', 'sncdcgan'] as const) {
  test(`${arch}: the class bit shifts D's logit by the same amount for every image (the seed's design)`, () => {
    const s = createSession(tiny({ model: { arch } }));
    const { x } = plantedBatch(0);
    const ctx = { training: true, updateStats: false };
    const shift = tf.tidy(() => tf.sub(s.gan.d.forward(x, ctx, tf.ones([16, 1])), s.gan.d.forward(x, ctx, tf.zeros([16, 1]))).arraySync() as number[]);
    for (const v of shift) assert.ok(Math.abs(v - shift[0]!) < 1e-5, `shifts differ: ${shift.join(', ')}`);
    const projection = createSession(tiny({ model: { arch: 'cbn-proj' } }));
    const pshift = tf.tidy(() => tf.sub(projection.gan.d.forward(x, ctx, tf.ones([16, 1])), projection.gan.d.forward(x, ctx, tf.zeros([16, 1]))).arraySync() as number[]);
    assert.ok(Math.max(...pshift) - Math.min(...pshift) > 1e-4, 'the projection D depends on image and class together');
    x.dispose();
    s.dispose();
    projection.dispose();
  });
}

test("FreezeD: D's first k layers keep their weights while D's other layers and G train", async () => {
  const c = tiny({ model: { arch: 'dcgan' }, train: { freezeD: 2 } });
  const s = createSession(c);
  const weights = () => new Map(s.gan.d.params.trainable().concat(s.gan.g.params.trainable()).map((p) => [p.name, Array.from(p.variable.dataSync())]));
  const before = weights();
  for (let i = 0; i < 3; i++) {
    const { x } = plantedBatch(i);
    await trainStep(s.gan, s.opts, [{ x }], stepCfg(c), i);
    x.dispose();
  }
  const after = weights();
  const frozen = s.gan.d.layerPrefixes.slice(0, 2).map((p) => `${p}.`);
  assert.ok([...before.keys()].some((k) => frozen.some((f) => k.startsWith(f))), 'the frozen layers have weights');
  for (const [name, w] of before) {
    const changed = w.some((v, i) => v !== after.get(name)![i]);
    const isFrozen = frozen.some((f) => name.startsWith(f));
    assert.equal(changed, !isFrozen, `${name}: ${isFrozen ? 'frozen but changed' : 'trainable but unchanged'}`);
  }
  s.dispose();
});
