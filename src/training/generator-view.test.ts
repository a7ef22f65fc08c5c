// The page's way to a generator (checkpoint bytes -> G -> one image) gives what Node's own way
// (openCheckpoint: the full session) gives, with EMA weights preferred; t = 0 is z_a exactly, and
// the class bit and t change the image.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.js';
import { parseConfig } from './config.js';
import { loadGenerator, renderView, viewLatent } from './generator-view.js';
import { noise } from './randomness.js';
import { createSession, openCheckpoint, saveSession } from './session.js';

before(async () => { await initBackend('auto', 2); });

const pixels = (t: tf.Tensor) => { const d = t.dataSync() as Float32Array; t.dispose(); return d; };
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

for (const arch of ['dcgan', 'cdcgan'] as const) {
  test(`${arch}: loadGenerator from bytes renders what openCheckpoint renders`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-genview-'));
    const file = path.join(dir, 'checkpoint.ckpt');
    const s = createSession(parseConfig({ seed: 5, model: { arch, imageSize: 32, ngf: 8, ndf: 8 }, train: { emaDecay: 0.9 } }, 'test'));
    // make G's weights and the EMA differ from the init, so that a wrong choice shows
    for (const p of s.gan.g.params.trainable()) p.variable.assign(tf.add(p.variable, tf.randomNormal(p.variable.shape, 0, 0.05, 'float32', 7)));
    s.ema!.update();
    await saveSession(file, s);
    s.dispose();

    const view = { seedA: 3, seedB: 4, t: 0.3, bit: 0.7 };
    const node = openCheckpoint(file);
    const want = pixels(renderView(node.gan, view));
    const page = loadGenerator(decodeCheckpoint(new Uint8Array(fs.readFileSync(file))), 'bytes');
    assert.equal(page.averaged, true);
    assert.equal(page.gan.conditional, arch === 'cdcgan');
    assert.equal(maxDiff(pixels(renderView(page.gan, view)), want), 0);
    const live = loadGenerator(decodeCheckpoint(new Uint8Array(fs.readFileSync(file))), 'bytes', { live: true });
    assert.ok(maxDiff(pixels(renderView(live.gan, view)), want) > 1e-4, 'live weights differ from the average');

    assert.ok(maxDiff(pixels(renderView(page.gan, { ...view, t: 0.8 })), want) > 1e-3, 't moves the image');
    if (arch === 'cdcgan') assert.ok(maxDiff(pixels(renderView(page.gan, { ...view, bit: 0 })), want) > 1e-3, 'the class bit moves the image');
    assert.equal(maxDiff(pixels(viewLatent(100, { ...view, t: 0 })), pixels(noise(1, 100, 3, 0, 'page-z'))), 0, 't = 0 is z_a');
    for (const g of [node, page, live]) ('dispose' in g ? g.dispose() : g.gan.dispose());
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('a checkpoint that is not a GAN: one message naming it', () => {
  const ck = decodeCheckpoint(encodeCheckpoint(0, { kind: 'classifier', config: { width: 4 } }, new Map()));
  assert.throws(() => loadGenerator(ck, 'c.ckpt'), /c\.ckpt: not a GAN checkpoint/);
  const bad = decodeCheckpoint(encodeCheckpoint(0, { config: { model: { arch: 'dcgan', imageSize: 48, nz: 100, ngf: 8, ndf: 8 } } }, new Map()));
  assert.throws(() => loadGenerator(bad, 'b.ckpt'), /b\.ckpt: model\.imageSize 48/);
  const missing = decodeCheckpoint(encodeCheckpoint(0, { config: { model: { arch: 'dcgan', imageSize: 32, nz: 100, ngf: 8, ndf: 8 } } }, new Map()));
  assert.throws(() => loadGenerator(missing, 'm.ckpt'), /m\.ckpt: missing G\./);
});
