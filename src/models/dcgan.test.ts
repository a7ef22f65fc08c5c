// Shapes, initialisation and determinism of the DCGAN / SN-DCGAN models.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { buildGan, type ModelConfig } from './index.js';
import { discriminatorChannels, generatorChannels } from './dcgan.js';

before(async () => { await initBackend('auto', 2); });

const tiny = (arch: ModelConfig['arch'], imageSize: 32 | 64): ModelConfig => ({ arch, imageSize, nz: 100, ngf: 8, ndf: 8 });

test('channel ladders follow the seed (64 px: 512-256-128-64 for width 64)', () => {
  assert.deepEqual(generatorChannels({ imageSize: 64, nz: 100, ngf: 64, ndf: 64 }), [100, 512, 256, 128, 64, 3]);
  assert.deepEqual(discriminatorChannels({ imageSize: 64, nz: 100, ngf: 64, ndf: 64 }), [3, 64, 128, 256, 512, 1]);
  assert.deepEqual(generatorChannels({ imageSize: 32, nz: 100, ngf: 64, ndf: 64 }), [100, 256, 128, 64, 3]);
});

for (const arch of ['dcgan', 'sndcgan'] as const) {
  for (const size of [32, 64] as const) {
    test(`${arch} ${size}px: G maps z [n,100] to [n,${size},${size},3] in [-1,1]; D maps images to [n] logits`, () => {
      const gan = buildGan(tiny(arch, size), 1);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const z = tf.randomNormal([3, 100]) as tf.Tensor2D;
        for (const training of [true, false]) {
          const x = gan.g.forward(z, { training });
          assert.deepEqual(x.shape, [3, size, size, 3]);
          assert.ok(tf.max(tf.abs(x)).dataSync()[0]! <= 1);
          assert.deepEqual(gan.d.forward(x, { training }).shape, [3]);
        }
      });
      assert.equal(tf.memory().numTensors, before, 'forward passes leak no tensors');
      gan.dispose();
    });
  }
}

test('DCGAN has batch-norm in D but not SN vectors; SN-DCGAN the reverse; no biases anywhere', () => {
  const plain = buildGan(tiny('dcgan', 32), 1), sn = buildGan(tiny('sndcgan', 32), 1);
  const names = (g: typeof plain) => g.d.params.all().map((p) => p.name);
  assert.ok(names(plain).some((n) => n.includes('.bn.')) && !names(plain).some((n) => n.includes('.sn.')));
  assert.ok(!names(sn).some((n) => n.includes('.bn.')) && names(sn).filter((n) => n.endsWith('.sn.u')).length === 4);
  assert.ok(![...names(plain), ...names(sn)].some((n) => n.includes('bias')));
  // D's first layer has no batch-norm (as in DCGAN), the hidden ones do
  assert.ok(!names(plain).some((n) => n.startsWith('D.0.bn')) && names(plain).some((n) => n.startsWith('D.1.bn')));
  plain.dispose(); sn.dispose();
});

test('model.dBias: a zero-initialised bias on each D conv that no batch-norm follows; the head\'s shifts every logit by itself, and all get gradients', () => {
  const sn = buildGan({ ...tiny('sndcgan', 32), dBias: true }, 1), plain = buildGan({ ...tiny('dcgan', 32), dBias: true }, 1);
  const biases = (g: typeof sn) => g.d.params.all().filter((p) => p.name.endsWith('.b'));
  assert.deepEqual(biases(sn).map((p) => p.name), ['D.0.b', 'D.1.b', 'D.2.b', 'D.3.b']);
  assert.deepEqual(biases(plain).map((p) => p.name), ['D.0.b', 'D.3.b']); // first layer and head: no batch-norm there
  tf.tidy(() => {
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const ctx = { training: true, updateStats: false };
    assert.equal(tf.max(tf.abs(tf.concat(biases(sn).map((p) => tf.reshape(p.variable, [-1]))))).dataSync()[0], 0);
    const before = sn.d.forward(x, ctx).dataSync();
    const head = sn.d.params.get('D.3.b').variable;
    head.assign(tf.ones(head.shape));
    const after = sn.d.forward(x, ctx).dataSync();
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(after[i]! - before[i]! - 1) < 1e-5, `logit ${i}: ${before[i]} -> ${after[i]}`);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(sn.d.forward(x, ctx))) as tf.Scalar, biases(sn).map((p) => p.variable));
    for (const p of biases(sn)) assert.ok(tf.max(tf.abs(grads[p.variable.name]!)).dataSync()[0]! > 0, `${p.name} gets a gradient`);
  });
  sn.dispose();
  plain.dispose();
});

test('init: conv weights N(0, 0.02), BN scale N(1, 0.02); same seed -> same weights, other seed -> others', () => {
  const cfg: ModelConfig = { arch: 'dcgan', imageSize: 32, nz: 100, ngf: 32, ndf: 32 };
  const a = buildGan(cfg, 5), b = buildGan(cfg, 5), c = buildGan(cfg, 6);
  const w = a.g.params.get('G.1.w').variable;
  const { mean, variance } = tf.moments(w);
  assert.ok(Math.abs(mean.dataSync()[0]!) < 2e-3 && Math.abs(Math.sqrt(variance.dataSync()[0]!) - 0.02) < 2e-3);
  const gamma = a.g.params.get('G.0.bn.gamma').variable;
  assert.ok(Math.abs(tf.mean(gamma).dataSync()[0]! - 1) < 0.01);
  const same = tf.max(tf.abs(tf.sub(w, b.g.params.get('G.1.w').variable))).dataSync()[0];
  const other = tf.max(tf.abs(tf.sub(w, c.g.params.get('G.1.w').variable))).dataSync()[0];
  assert.equal(same, 0);
  assert.ok(other! > 0);
  tf.dispose([mean, variance]);
  a.dispose(); b.dispose(); c.dispose();
});
