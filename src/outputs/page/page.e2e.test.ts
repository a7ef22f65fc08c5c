// End to end in a real browser (Debian's chromium through playwright-core): `pegasus train --serve`
// on a tiny conditional GAN and tiny data; the page's curves grow while it trains; the generator
// runs in the page, its image equals Node's for the same z (WebGL or whatever the browser has, and
// wasm), the sliders and re-roll change it, the score and the PNG download work; no console
// errors. Screenshots go to out/test-artifacts/. Without chromium: skipped locally, failed in CI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { CIFAR10_CLASSES } from '../../data/classes.js';
import { writeCifarFolder } from '../../data/fixtures.js';
import { initBackend } from '../../engine/backend.js';
import { buildClassifier } from '../../evaluation/classifier.js';
import { classifierView } from '../../evaluation/evaluate.js';
import { classifierScore } from '../../evaluation/pegasus-score.js';
import { prefixed, saveCheckpoint } from '../../training/checkpoint.js';
import { renderView, type View } from '../../training/generator-view.js';
import { openCheckpoint } from '../../training/session.js';
import { rgbaOf } from '../pixels.js';
import { PEGASUS_BIN } from '../../cli/run-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHROMIUM = process.env.PEGASUS_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'out', 'test-artifacts');
const STEPS = 200;
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-quic'];

const haveChromium = fs.existsSync(CHROMIUM);
const skip = !haveChromium && !process.env.CI ? `no chromium at ${CHROMIUM} (apt-get install -y chromium); set CI to make this a failure` : false;

let dir = '', runDir = '', classifierFile = '', base = '';
let child: ChildProcess | null = null;
let stdout = '';
let browser: BrowserContext | null = null;
const consoleErrors: string[] = [];

async function tinyClassifier(file: string): Promise<void> {
  const model = buildClassifier({ width: 4, classes: 10 }, 3);
  await saveCheckpoint(file, 0, { kind: 'classifier', config: { width: 4, seed: 3 }, classes: CIFAR10_CLASSES, testAccuracy: 0.1 }, prefixed('C/', await model.params.snapshot()), 'float16');
  model.params.dispose();
}

function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => (ok() ? resolve() : Date.now() - t0 > ms ? reject(new Error(`timed out waiting for ${what}; train output:\n${stdout}`)) : setTimeout(tick, 50));
    tick();
  });
}

async function newPage(url: string): Promise<Page> {
  const page = await browser!.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${url}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return page;
}

/** The canvas's RGBA bytes and the view they show, once a render after `after` shows `want`. */
async function shown(page: Page, after: number, want: Partial<View> = {}): Promise<{ rgba: number[]; view: View; renders: number }> {
  await page.waitForFunction(([n, w]) => {
    const d = (document.querySelector('#gen-canvas') as HTMLCanvasElement).dataset;
    return Number(d.renders ?? 0) > n && Object.entries(w).every(([k, v]) => Number(d[k]) === v);
  }, [after, want] as const, { timeout: 60_000 });
  return page.evaluate(() => {
    const c = document.querySelector('#gen-canvas') as HTMLCanvasElement;
    const d = c.dataset;
    return { rgba: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data), view: { seedA: Number(d.seedA), seedB: Number(d.seedB), t: Number(d.t), bit: Number(d.bit) }, renders: Number(d.renders) };
  });
}

/** Node's image for the same view, through openCheckpoint (the CLI's way to a model). */
function nodeImage(view: View): { rgba: Uint8ClampedArray; image: Float32Array } {
  const s = openCheckpoint(path.join(runDir, 'checkpoint.ckpt'));
  try {
    const t = renderView(s.gan, view);
    const image = t.dataSync() as Float32Array;
    t.dispose();
    return { rgba: rgbaOf(image, 32, 32), image };
  } finally {
    s.dispose();
  }
}

const maxByteDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };

before(async () => {
  if (skip) return;
  assert.ok(haveChromium, `CI is set and there is no chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
  await initBackend('auto', 2);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-e2e-'));
  const data = await writeCifarFolder(path.join(dir, 'data'), 4);
  classifierFile = path.join(dir, 'models', 'classifier.ckpt');
  await tinyClassifier(classifierFile);
  runDir = path.join(dir, 'runs', 'tiny');
  const config = {
    seed: 2, data: { source: data, classes: ['horse', 'airplane'], cacheDir: path.join(dir, 'cache') },
    model: { arch: 'cdcgan', imageSize: 32, ngf: 8, ndf: 8 }, train: { steps: STEPS, batchSize: 8 },
    eval: { every: 0, classifier: classifierFile }, output: { logEvery: 2, sampleEvery: 20, checkpointEvery: 100 },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  child = spawn(process.execPath, [PEGASUS_BIN, 'train', '--config', path.join(dir, 'config.json'), '--out', runDir, '--no-progress', '--serve', '--port', '0', '--threads', '1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stdout += b.toString()));
  await waitFor('the page URL', () => /page: (http:\/\/\S+?)\?/.test(stdout), 60_000);
  base = /page: (http:\/\/\S+?)\?/.exec(stdout)![1]!;
  // a fresh profile (--user-data-dir) per run; playwright passes it for a persistent context
  browser = await (await import('playwright-core')).chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 860 }, acceptDownloads: true,
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('live view: the loss curves grow while the run trains; progress, config and samples shown', { skip }, async () => {
  const page = await newPage(`${base}?run=runs%2Ftiny`);
  const seen: { points: number; step: number }[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < 180_000) {
    seen.push(await page.evaluate(() => ({
      points: Number(document.querySelector<HTMLElement>('#chart-loss')?.dataset.points ?? 0),
      step: Number(document.querySelector<HTMLElement>('#progress')?.dataset.step ?? 0),
    })));
    if (seen.at(-1)!.step >= STEPS) break;
    await page.waitForTimeout(100);
  }
  const during = seen.filter((s) => s.step < STEPS && s.points > 0);
  assert.ok(during.length >= 2 && during.at(-1)!.points > during[0]!.points, `curves did not grow during training: ${JSON.stringify(seen.slice(0, 40))}`);
  assert.equal(seen.at(-1)!.step, STEPS);
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#chart-loss')!.dataset.points) === n, STEPS / 2);
  assert.match(await page.locator('#progress-text').textContent() ?? '', new RegExp(`step ${STEPS} / ${STEPS} · epoch \\d+ · done`));
  assert.match(await page.locator('#config').textContent() ?? '', /"arch": "cdcgan"/);
  await page.waitForFunction(() => (document.querySelector('#samples') as HTMLImageElement).naturalWidth > 0);
  assert.equal(await page.locator('#chart-d').count(), 1);
  await page.screenshot({ path: path.join(ARTIFACTS, 'page-live.png') });
  await page.close();
});

test('generator in the page: same image as Node for the same z; sliders and re-roll change it; score; PNG download', { skip }, async (t) => {
  await waitFor('the end of training', () => stdout.includes('training done'), 120_000);
  const page = await newPage(`${base}?run=runs%2Ftiny#generator`);
  await page.waitForFunction((n) => document.querySelector('#gen-status')!.textContent!.includes(`step ${n}`), STEPS, { timeout: 60_000 });
  const backend = await page.locator('#backend').textContent();
  assert.match(backend ?? '', /backend: (webgpu|webgl|wasm|cpu)/);
  const first = await shown(page, 0);

  await page.locator('#slerp').fill('0.5');
  const half = await shown(page, first.renders, { t: 0.5 });
  assert.ok(maxByteDiff(half.rgba, first.rgba) > 0, 'the slerp slider changed no pixel');
  const node = nodeImage(half.view);
  const diff = maxByteDiff(half.rgba, node.rgba);
  assert.ok(diff <= 3, `page (${backend}) and Node differ by ${diff}/255`);
  t.diagnostic(`${backend}: largest pixel difference to Node ${diff}/255`);

  const score = Number(await page.locator('#score').getAttribute('data-score'));
  const { openClassifier } = await import('../../evaluation/classifier-train.js');
  const shipped = openClassifier(classifierFile);
  const want = classifierScore((await classifierView(shipped.model, node.image, 32)).probs, CIFAR10_CLASSES.indexOf('horse'), CIFAR10_CLASSES.indexOf('airplane')).score;
  shipped.model.params.dispose();
  assert.ok(Math.abs(score - want) < 5e-3, `score in the page ${score}, in Node ${want}`);
  assert.match(await page.locator('#score').textContent() ?? '', /pegasus score \(classifier part\) .*realism term not computed/);

  assert.equal(await page.locator('#bit-row').isVisible(), true, 'a conditional model has the class-bit slider');
  await page.locator('#bit').fill('1');
  const wing = await shown(page, half.renders, { bit: 1 });
  assert.ok(maxByteDiff(wing.rgba, half.rgba) > 0, 'the class-bit slider changed no pixel');
  await page.click('#reroll');
  const rerolled = await shown(page, wing.renders, { seedA: Math.max(wing.view.seedA, wing.view.seedB) + 1 });
  assert.ok(maxByteDiff(rerolled.rgba, wing.rgba) > 0, 're-roll changed no pixel');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const png = fs.readFileSync((await download.path())!);
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')], 'the download is a PNG');
  assert.match(download.suggestedFilename(), /^pegasus-z\d+-\d+-t0\.50-c1\.00\.png$/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'page-generator.png') });
  await page.close();
});

test('generator on the wasm backend (the fallback without a GPU) also matches Node', { skip }, async (t) => {
  const page = await newPage(`${base}?run=runs%2Ftiny&backend=wasm#generator`);
  await page.waitForFunction((n) => document.querySelector('#gen-status')!.textContent!.includes(`step ${n}`), STEPS, { timeout: 60_000 });
  assert.equal(await page.locator('#backend').textContent(), 'TensorFlow.js backend: wasm');
  const s = await shown(page, 0);
  const diff = maxByteDiff(s.rgba, nodeImage(s.view).rgba);
  assert.ok(diff <= 3, `page (wasm) and Node differ by ${diff}/255`);
  t.diagnostic(`wasm: largest pixel difference to Node ${diff}/255`);
  await page.close();
});

test('no console errors in any page', { skip }, () => {
  assert.deepEqual(consoleErrors, []);
});
