// The shipped model and `npm start`'s showcase end to end, on tiny models and a tiny data set in
// the official binary format: ship -> open with no data -> pick + interpolation; bad inputs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { initBackend } from '../engine/backend.js';
import { CIFAR10_CLASSES, loadDataset } from '../data/index.js';
import { tempDir, writeCifarFolder } from '../data/fixtures.js';
import { parseConfig } from '../training/config.js';
import { train } from '../training/train.js';
import { loadCheckpoint } from '../training/checkpoint.js';
import { CLASSIFIER_DEFAULTS, trainClassifier } from './classifier-train.js';
import { openShipped, shipGenerator } from './shipped.js';
import { showcase } from './showcase.js';
import { evaluate } from './run-eval.js';
import { runCli } from '../cli/run-cli.js';

const dir = tempDir('pegasus-ship-');
let source = '', classifier = '', otherClassifier = '';
const runs: Record<string, string> = {}, shipped: Record<string, string> = {};
const quiet = () => {};

before(async () => {
  await initBackend('auto', 2);
  source = await writeCifarFolder(path.join(dir, 'data'), 8);
  const cache = path.join(dir, 'cache');
  const [tr, te] = await Promise.all((['train', 'test'] as const).map((s) => loadDataset({ source, classes: [...CIFAR10_CLASSES], splits: [s], cacheDir: cache }, quiet)));
  const cls = (seed: number, out: string) => trainClassifier({ config: { ...CLASSIFIER_DEFAULTS, width: 2, epochs: 1, batchSize: 32, warmupEpochs: 0.5, seed }, train: tr!, test: te!, outDir: path.join(dir, out), log: quiet });
  classifier = (await cls(1, 'cls')).checkpoint;
  otherClassifier = (await cls(2, 'cls2')).checkpoint;
  for (const arch of ['dcgan', 'cbn-proj'] as const) {
    const config = parseConfig({ seed: 2, data: { source, cacheDir: cache }, model: { arch, imageSize: 32, ngf: 4, ndf: 4 }, train: { steps: 3, batchSize: 8, emaDecay: 0.9 }, eval: { every: 0 } }, 'test');
    runs[arch] = path.join((await train({ config, runDir: path.join(dir, arch), log: quiet })).runDir, 'checkpoint.ckpt');
    shipped[arch] = path.join(dir, `${arch}.ship.ckpt`);
    await shipGenerator({ checkpoint: runs[arch]!, out: shipped[arch]!, classifier, data: source });
  }
});

test('ship: float16 G (EMA weights), card, reference features of the real images; opens without data', async () => {
  const out = path.join(dir, 'models', 'pegasus.ckpt');
  const r = await shipGenerator({ checkpoint: runs.dcgan!, out, classifier, data: source, card: { command: 'test' } });
  assert.equal(r.referenceImages, 96); // 48 horse + 48 airplane records in the tiny set (train + test)
  assert.ok(r.float16MaxPixelDiff > 0 && r.float16MaxPixelDiff < 0.05, `float16 cost ${r.float16MaxPixelDiff}`);
  const ck = loadCheckpoint(out);
  assert.equal(ck.meta.kind, 'generator');
  assert.ok([...ck.tensors.keys()].every((k) => k.startsWith('G/') || k === 'ref/features'), 'only G and the reference');
  assert.ok(r.bytes < fs.statSync(runs.dcgan!).size / 2, 'much smaller than the run checkpoint');
  const m = openShipped(out, classifier);
  assert.deepEqual(m.card, { command: 'test' });
  assert.deepEqual([m.reference.n, m.reference.d], [96, 16]);
  m.gan.dispose();
  assert.throws(() => openShipped(out, otherClassifier), /made with another classifier/);
  assert.throws(() => openShipped(runs.dcgan!, classifier), /not a shipped generator/);

  // eval (and sample, pick, interpolate: the same opener) take a shipped model like a run's checkpoint
  const report = await evaluate({ target: out, classifier, n: 32, seed: 1, data: source });
  assert.ok(report.n === 32 && Number.isFinite(report.cifarFid), `eval of the shipped model: ${JSON.stringify(report)}`);

  // A new classifier: ship the shipped file again; same weights, card and step, new reference.
  const again = path.join(dir, 'models', 'reshipped.ckpt');
  const r2 = await shipGenerator({ checkpoint: out, out: again, classifier: otherClassifier, data: source });
  assert.equal(r2.float16MaxPixelDiff, 0, 'float16 weights ship unchanged');
  const ck2 = loadCheckpoint(again);
  for (const [k, t] of ck.tensors) if (k.startsWith('G/')) assert.deepEqual(ck2.tensors.get(k)!.data, t.data, k);
  assert.deepEqual([ck2.meta.card, ck2.meta.trainedSteps, ck2.meta.averaged], [{ command: 'test' }, 3, true]);
  const m2 = openShipped(again, otherClassifier);
  assert.notDeepEqual(m2.reference.data, m.reference.data, 'features of the other classifier');
  m2.gan.dispose();
  assert.throws(() => openShipped(again, classifier), /made with another classifier/);
});

for (const arch of ['dcgan', 'cbn-proj'] as const) {
  test(`showcase (${arch}): best pegasus, best batch, horse -> pegasus -> wing strip, showcase.json; same seed, same files`, async () => {
    const model = shipped[arch]!;
    fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true }); // no data set from here on
    const out = path.join(dir, `show-${arch}`);
    const r = await showcase({ model, classifier, out, n: 96, seed: 4 });
    assert.equal((await sharp(r.pick.files.pegasus).metadata()).width, 256); // 32 px x 8
    const batch = await sharp(r.pick.files.batch).metadata();
    assert.ok(batch.width === batch.height && batch.width! >= 8 * 32 * 4, `an 8x8 grid: ${batch.width}x${batch.height}`);
    const strip = await sharp(r.interpolation.file).metadata();
    assert.equal(r.interpolation.rows, 8);
    assert.ok(strip.width! > strip.height!, 'a strip: 9 columns, 8 rows');
    assert.match(r.interpolation.path, arch === 'cbn-proj' ? /class bit/ : /slerp/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'showcase.json'), 'utf8')).pick.best.score, r.pick.best.score);
    const again = await showcase({ model, classifier, out: path.join(dir, `again-${arch}`), n: 96, seed: 4 });
    assert.deepEqual(fs.readFileSync(again.interpolation.file), fs.readFileSync(r.interpolation.file));
    assert.deepEqual(again.pick.batch.indices, r.pick.batch.indices);
  });
}

test('pegasus interpolate on a conditional model: strip, animation, and the classifier\'s class probabilities at each bit (interpolation.json)', () => {
  const out = path.join(dir, 'interp-cbn');
  const r = runCli(['interpolate', shipped['cbn-proj']!, '--rows', '2', '--steps', '3', '--probe', '8', '--classifier', classifier, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bit +\| P\(horse\) \| P\(airplane\)/);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'interpolation.json'), 'utf8'));
  assert.deepEqual([j.classes, j.samplesPerBit, j.points.map((p: { bit: number }) => p.bit)], [['horse', 'airplane'], 8, [0, 0.5, 1]]);
  for (const p of j.points) assert.ok(p.first > 0 && p.second > 0 && p.first + p.second <= 1 + 1e-6, JSON.stringify(p));
  assert.ok(fs.existsSync(path.join(out, 'interpolation.png')) && fs.existsSync(path.join(out, 'interpolation.gif')));
});
