// eval and pick end to end on tiny models and a tiny data set in the official binary format.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { initBackend } from '../engine/backend.js';
import { CIFAR10_CLASSES, loadDataset } from '../data/index.js';
import { tempDir, writeCifarFolder, writeImage } from '../data/fixtures.js';
import { parseConfig } from '../training/config.js';
import { train } from '../training/train.js';
import { readLog } from '../outputs/log.js';
import { CLASSIFIER_DEFAULTS, trainClassifier } from './classifier-train.js';
import { evaluate, evaluateFloor, loadEvaluator, pick, realReference } from './run-eval.js';

const dir = tempDir('pegasus-eval-');
let source = '', classifier = '', checkpoint = '';
const quiet = () => {};

before(async () => {
  await initBackend('auto', 2);
  source = await writeCifarFolder(path.join(dir, 'data'), 8); // 8 records per class and batch file
  const cache = path.join(dir, 'cache');
  const [tr, te] = await Promise.all((['train', 'test'] as const).map((s) => loadDataset({ source, classes: [...CIFAR10_CLASSES], splits: [s], cacheDir: cache }, quiet)));
  const cls = await trainClassifier({ config: { ...CLASSIFIER_DEFAULTS, width: 2, epochs: 1, batchSize: 32, warmupEpochs: 0.5 }, train: tr!, test: te!, outDir: path.join(dir, 'cls'), log: quiet });
  classifier = cls.checkpoint;
  const config = parseConfig({ seed: 2, data: { source, cacheDir: cache }, model: { imageSize: 32, ngf: 4, ndf: 4 }, train: { steps: 2, batchSize: 8 }, eval: { every: 0 } }, 'test');
  const run = await train({ config, runDir: path.join(dir, 'gan'), log: quiet });
  checkpoint = path.join(run.runDir, 'checkpoint.ckpt');
});

test('eval of a checkpoint: CIFAR-FID, KID with its error, class probabilities summing to 1, JSON report', async () => {
  const out = path.join(dir, 'eval.json');
  const r = await evaluate({ target: checkpoint, classifier, n: 40, seed: 1, data: source, out });
  assert.equal(r.n, 40);
  assert.deepEqual(r.classes, ['horse', 'airplane']);
  assert.ok(Number.isFinite(r.cifarFid) && r.cifarFid >= 0, `fid ${r.cifarFid}`);
  assert.ok(Number.isFinite(r.kid.mean) && r.kid.stderr >= 0);
  const total = Object.values(r.meanProbs).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-4, `probabilities sum to ${total}`);
  assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')).cifarFid, r.cifarFid);
  // the same seed gives the same numbers
  assert.equal((await evaluate({ target: checkpoint, classifier, n: 40, seed: 1, data: source })).cifarFid, r.cifarFid);
});

test('eval of a folder of images; an empty folder and a missing classifier are one-line errors', async () => {
  const folder = path.join(dir, 'images');
  for (let i = 0; i < 6; i++) await writeImage(path.join(folder, `${i}.png`), 40, 40, [i * 40, 100, 200 - i * 30]);
  const r = await evaluate({ target: folder, classifier, n: 0, seed: 1, data: source });
  assert.equal(r.n, 6);
  fs.mkdirSync(path.join(dir, 'empty'));
  await assert.rejects(evaluate({ target: path.join(dir, 'empty'), classifier, n: 0, seed: 1, data: source }), /empty: no PNG\/JPEG\/WebP images/);
  await assert.rejects(evaluate({ target: folder, classifier: path.join(dir, 'nope.ckpt'), n: 0, seed: 1, data: source }), /nope\.ckpt: no classifier here; train one with `pegasus classifier train`/);
});

test('pick: the best pegasus (upscaled), the best batch of 64 distinct samples, pick.json', async () => {
  const out = path.join(dir, 'pick');
  const r = await pick({ checkpoint, classifier, n: 96, seed: 3, data: source, out });
  const single = await sharp(r.files.pegasus).metadata();
  assert.deepEqual([single.width, single.height], [256, 256]); // 32 px x 8
  const grid = await sharp(r.files.batch).metadata();
  assert.ok(grid.width! > 8 * 32 * 4 && grid.width === grid.height);
  assert.equal(new Set(r.batch.indices).size, 64);
  assert.ok(r.batch.indices.includes(r.best.index));
  assert.ok(r.best.score >= 0 && r.best.score <= 0.5);
  const saved = JSON.parse(fs.readFileSync(path.join(out, 'pick.json'), 'utf8'));
  assert.equal(saved.best.index, r.best.index);
});

test('the floor: real test images against real train images of the classes', async () => {
  const r = await evaluateFloor({ classifier, data: source, classes: ['horse', 'airplane'], seed: 1 });
  assert.equal(r.n, 16); // 8 test records per class
  assert.ok(Number.isFinite(r.cifarFid) && Number.isFinite(r.kid.mean));
  assert.ok(r.meanProbs.horse! >= 0 && r.meanProbs.airplane! >= 0);
});

test('metrics during training land in the log at every eval.every steps and at the end', async () => {
  const config = parseConfig({
    seed: 5, data: { source, cacheDir: path.join(dir, 'cache') }, model: { imageSize: 32, ngf: 4, ndf: 4 },
    train: { steps: 5, batchSize: 8 }, output: { logEvery: 1, sampleEvery: 5 }, eval: { every: 2, samples: 24, realSamples: 30, classifier },
  }, 'test');
  const lines: string[] = [];
  const run = await train({ config, runDir: path.join(dir, 'gan-eval'), log: (l) => lines.push(l) });
  const rows = readLog(path.join(run.runDir, 'log.jsonl'));
  assert.deepEqual(rows.filter((r) => r.metrics).map((r) => r.step), [2, 4, 5]);
  for (const r of rows.filter((x) => x.metrics)) assert.ok(Number.isFinite(r.metrics!.cifarFid) && Number.isFinite(r.metrics!.kid));
  assert.ok(lines.some((l) => /metrics every 2 steps: 24 samples vs 30 real images/.test(l)), lines.join('\n'));
  // without a classifier the run goes on, saying so once
  const off = parseConfig({ ...config, output: { ...config.output, dir: undefined }, eval: { ...config.eval, classifier: path.join(dir, 'missing.ckpt') } }, 'test');
  const quietLines: string[] = [];
  await train({ config: off, runDir: path.join(dir, 'gan-noeval'), log: (l) => quietLines.push(l) });
  assert.ok(quietLines.some((l) => /metrics during training off: no classifier at .*missing\.ckpt/.test(l)));
});

test("realReference: the real images' features are cached per classifier, source and classes, and read back exactly", async () => {
  const cacheDir = path.join(dir, 'view-cache');
  const ev = loadEvaluator(classifier);
  const first = await realReference(ev, source, ['horse', 'airplane'], cacheDir);
  const files = fs.readdirSync(cacheDir);
  assert.equal(files.length, 1);
  const again = await realReference(ev, source, ['horse', 'airplane'], cacheDir);
  assert.deepEqual(Array.from(again.features.data), Array.from(first.features.data));
  assert.deepEqual(Array.from(again.probs), Array.from(first.probs));
  await realReference(ev, source, ['horse', 'bird'], cacheDir);
  assert.equal(fs.readdirSync(cacheDir).length, 2, 'other classes, another entry');
  ev.model.params.dispose();
});
