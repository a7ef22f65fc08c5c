// The TF.js export against the model code: every generator architecture at 32 and 64 px, with
// non-trivial batch-norm running statistics and shifts, is written, loaded back with
// tfjs-converter's loadGraphModel and run on the same z (and c) as generate(.., running = true).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { initBackend } from '../engine/backend.js';
import { ARCHS, buildGan, type Arch, type Gan } from '../models/index.js';
import { generate } from '../training/sample.js';
import { parseConfig } from '../training/config.js';
import { createSession, openCheckpoint, saveSession } from '../training/session.js';
import { runCli } from '../cli/run-cli.js';
import { exportCheckpoint, generatorGraph, writeTfjsModel, type TfjsModelJson } from './tfjs-export.js';

before(async () => { await initBackend('auto', 2); });

const NZ = 100;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-tfjs-'));

/** An IOHandler reading <folder>/model.json and the weight files it lists, as tf.io's file loaders do. */
function folderHandler(folder: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buf = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(folder, p)))));
        return [manifest.flatMap((g) => g.weights), buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)];
      });
    },
  };
}

/**
 * Weights as a trained G might have them: convs and Linear at unit gain (at init, N(0, 0.02) makes the
 * images nearly 0, which would hide errors), random batch-norm scales and shifts (beta is 0 at init),
 * and running statistics moved by training-mode forwards.
 */
function perturb(gan: Gan, seed: number): void {
  for (const p of gan.g.params.trainable()) {
    const name = p.name, shape = p.variable.shape;
    const fanIn = shape.length === 4 ? shape[3]! * 4 : shape[0]!; // transposed conv [kh, kw, out, in]; Linear [in, out]
    const t = name.endsWith('.beta') || name.endsWith('.b') ? tf.randomNormal(shape, 0, 0.3, 'float32', seed++)
      : name.endsWith('.gamma') ? tf.randomNormal(shape, 1, 0.3, 'float32', seed++)
        : tf.randomNormal(shape, 0, 1 / Math.sqrt(fanIn), 'float32', seed++);
    p.variable.assign(t);
    t.dispose();
  }
  for (let k = 0; k < 6; k++) {
    tf.tidy(() => {
      const z = tf.randomNormal([16, NZ], 0, 1, 'float32', seed++) as tf.Tensor2D;
      const c = tf.randomUniform([16, 1], 0, 1, 'float32', seed++) as tf.Tensor2D;
      gan.g.forward(z, { training: true, updateStats: true }, gan.conditional ? c : undefined);
    });
  }
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/**
 * Largest |export - generate(.., running)| over the class bits 0, 0.5, 1 and a batch of mixed bits;
 * also checks that the images are not trivially flat and that the class bit changes them.
 */
function compare(model: GraphModel, gan: Gan, seed: number): number {
  const n = 4;
  const z = tf.randomNormal([n, NZ], 0, 1, 'float32', seed) as tf.Tensor2D;
  const bits = gan.conditional ? [[0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1], [0, 0.25, 0.75, 1]] : [null];
  let worst = 0;
  const outs: tf.Tensor[] = [];
  for (const b of bits) {
    const c = b ? tf.tensor2d(b, [n, 1]) : undefined;
    const want = generate(gan, z, c, true);
    const got = model.execute(c ? { z, c } : { z }) as tf.Tensor;
    assert.deepEqual(got.shape, [n, gan.g.imageSize, gan.g.imageSize, 3]);
    worst = Math.max(worst, maxAbsDiff(got, want));
    outs.push(want);
    tf.dispose([c, got]);
  }
  const spread = tf.tidy(() => tf.moments(outs[0]!).variance.sqrt().dataSync()[0]!);
  assert.ok(spread > 0.1, `images too flat to test with (std ${spread})`);
  if (gan.conditional) assert.ok(maxAbsDiff(outs[0]!, outs[2]!) > 0.05, 'the class bit does not change the images');
  tf.dispose([z, ...outs]);
  return worst;
}

const weightBytes = (m: TfjsModelJson) =>
  m.weightsManifest.flatMap((g) => g.weights).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * (w.quantization ? 2 : 4), 0);

test('every generator architecture at 32 and 64 px: loadGraphModel(export) = generate(.., running stats) within 1e-4', async (t) => {
  const dir = tmp();
  const rows: string[] = [];
  for (const arch of ARCHS) {
    for (const imageSize of [32, 64] as const) {
      const gan = buildGan({ arch, imageSize, nz: NZ, ngf: 8, ndf: 8 }, 7);
      perturb(gan, 100);
      const folder = path.join(dir, `${arch}-${imageSize}`);
      const a = generatorGraph(gan, { arch, classes: ['horse', 'airplane'] });
      await writeTfjsModel(folder, a);
      const json = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')) as TfjsModelJson;
      assert.equal(json.format, 'graph-model');
      assert.deepEqual(json.weightsManifest[0]!.paths, ['weights.bin']);
      assert.equal(fs.statSync(path.join(folder, 'weights.bin')).size, weightBytes(json), `${arch} ${imageSize}: manifest vs weights.bin`);
      assert.deepEqual(Object.keys(json.signature.inputs).sort(), gan.conditional ? ['c', 'z'] : ['z']);
      assert.equal(json.userDefinedMetadata.pegasus.conditional, gan.conditional);

      const model = await loadGraphModel(folderHandler(folder));
      assert.deepEqual(model.inputs.map((i) => i.name).sort(), gan.conditional ? ['c', 'z'] : ['z']);
      const diff = compare(model, gan, 11);
      // Another batch size through the same graph (the batch is dynamic).
      const one = tf.tidy(() => {
        const z = tf.randomNormal([1, NZ], 0, 1, 'float32', 12) as tf.Tensor2D;
        const c = tf.fill([1, 1], 0.3) as tf.Tensor2D;
        const got = model.execute(gan.conditional ? { z, c } : { z }) as tf.Tensor;
        return maxAbsDiff(got, generate(gan, z, c, true));
      });
      rows.push(`${arch} ${imageSize}px: max |diff| ${diff.toExponential(2)} (batch 1: ${one.toExponential(2)})`);
      assert.ok(diff < 1e-4 && one < 1e-4, `${arch} ${imageSize}: max |diff| ${diff} / ${one}`);
      model.dispose();
      gan.dispose();
    }
  }
  t.diagnostic(rows.join('; '));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('export of a checkpoint: the EMA weights (unless live), metadata, float16; the CLI writes it and bad paths are one line', async (t) => {
  const dir = tmp();
  const cfg = parseConfig({ seed: 4, model: { arch: 'cbn-proj' as Arch, imageSize: 32, ngf: 8, ndf: 8 }, data: { classes: ['horse', 'bird'] }, train: { batchSize: 8, emaDecay: 0.9 } }, 'test');
  const s = createSession(cfg);
  perturb(s.gan, 300);
  s.ema!.update(); // the average: 0.1 x init + 0.9 x these weights
  perturb(s.gan, 400); // the live weights move away from it
  s.step = 42;
  const file = path.join(dir, 'checkpoint.ckpt');
  await saveSession(file, s);
  s.dispose();

  const r = await exportCheckpoint(file, path.join(dir, 'ema'));
  assert.deepEqual([r.meta.arch, r.meta.step, r.meta.averaged, r.meta.classes], ['cbn-proj', 42, true, ['horse', 'bird']]);
  await exportCheckpoint(file, path.join(dir, 'live'), { live: true });
  const r16 = await exportCheckpoint(file, path.join(dir, 'half'), { float16: true });
  assert.ok(r16.bytes < 0.51 * r.bytes, `float16 ${r16.bytes} bytes vs float32 ${r.bytes}`); // the few int32 shape constants stay int32

  const averaged = openCheckpoint(file), live = openCheckpoint(file, { live: true });
  const ema = await loadGraphModel(folderHandler(path.join(dir, 'ema')));
  const liveModel = await loadGraphModel(folderHandler(path.join(dir, 'live')));
  const half = await loadGraphModel(folderHandler(path.join(dir, 'half')));
  const dEma = compare(ema, averaged.gan, 21), dLive = compare(liveModel, live.gan, 21), dHalf = compare(half, averaged.gan, 21);
  const dCross = compare(ema, live.gan, 21); // the two weight sets really differ
  t.diagnostic(`checkpoint export: EMA ${dEma.toExponential(2)}, live ${dLive.toExponential(2)}, float16 ${dHalf.toExponential(2)}, EMA vs live weights ${dCross.toExponential(2)}`);
  assert.ok(dEma < 1e-4 && dLive < 1e-4, `${dEma} ${dLive}`);
  assert.ok(dHalf < 2e-2, `float16 ${dHalf}`);
  assert.ok(dCross > 1e-3, `EMA and live exports should differ: ${dCross}`);
  for (const m of [ema, liveModel, half]) m.dispose();
  averaged.dispose();
  live.dispose();

  // The command line: a good export, and a bad path as one line naming the file, exit 1, nothing written.
  const run = (...args: string[]) => runCli(['export', ...args]);
  const ok = run(file, '--tfjs', path.join(dir, 'cli'), '--backend', 'wasm');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /model\.json: cbn-proj generator, 32x32 px, step 42, EMA weights/);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'cli', 'weights.bin')), fs.readFileSync(path.join(dir, 'ema', 'weights.bin')));
  const missing = path.join(dir, 'missing.ckpt');
  const bad = run(missing, '--tfjs', path.join(dir, 'bad'), '--backend', 'wasm');
  assert.equal(bad.status, 1);
  const lines = bad.stderr.trim().split('\n').filter((l) => !l.startsWith('backend:'));
  assert.equal(lines.length, 1, bad.stderr);
  assert.match(lines[0]!, /^pegasus: .*missing\.ckpt: cannot read checkpoint/);
  assert.ok(!fs.existsSync(path.join(dir, 'bad')));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('over HTTP, as the page loads it: loadGraphModel(url of model.json) finds weights.bin beside it', async () => {
  const dir = tmp();
  const gan = buildGan({ arch: 'cdcgan', imageSize: 32, nz: NZ, ngf: 8, ndf: 8 }, 3);
  perturb(gan, 500);
  await writeTfjsModel(dir, generatorGraph(gan, { arch: 'cdcgan' }));
  const server = http.createServer((req, res) => {
    const f = path.join(dir, path.basename(req.url ?? ''));
    if (!fs.existsSync(f)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': f.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(fs.readFileSync(f));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const model = await loadGraphModel(`http://127.0.0.1:${port}/model/model.json`);
    assert.ok(compare(model, gan, 31) < 1e-4);
    model.dispose();
  } finally {
    server.close();
    gan.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a parameter the exporter does not know fails the export; a manifest that does not match its bytes writes nothing', async () => {
  const gan = buildGan({ arch: 'dcgan', imageSize: 32, nz: NZ, ngf: 8, ndf: 8 }, 1);
  gan.g.params.add('G.extra', tf.zeros([3]));
  assert.throws(() => generatorGraph(gan, { arch: 'dcgan' }), /does not know: G\.extra/);
  gan.dispose();
  const good = buildGan({ arch: 'dcgan', imageSize: 32, nz: NZ, ngf: 8, ndf: 8 }, 1);
  const a = generatorGraph(good, { arch: 'dcgan' });
  good.dispose();
  const dir = path.join(tmp(), 'out');
  await assert.rejects(writeTfjsModel(dir, { ...a, weightData: a.weightData.subarray(4) }), /model\.json: the manifest describes \d+ bytes, the weights are \d+/);
  assert.ok(!fs.existsSync(dir));
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
