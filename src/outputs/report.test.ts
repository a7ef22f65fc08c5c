import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appendLogRow } from './log.js';
import { encodePng, gridImage } from './images.js';
import { compactReport, gridsOverTime, reportHtml } from './report.js';
import sharp from 'sharp';

test('report: one HTML file with every image inline, grids over time, metrics table, escaped config', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-report-'));
  fs.mkdirSync(path.join(dir, 'samples'));
  const png = await encodePng(gridImage(new Float32Array(4 * 4 * 3), [1, 4, 4, 3]));
  for (const step of [100, 200, 300, 400, 500, 600, 700, 800]) fs.writeFileSync(path.join(dir, 'samples', `step-${String(step).padStart(6, '0')}.png`), png);
  fs.writeFileSync(path.join(dir, 'loss.png'), png);
  for (const step of [10, 20]) appendLogRow(path.join(dir, 'log.jsonl'), { step, epoch: 0, lossD: 1, lossDReal: 0.5, lossDFake: 0.5, lossG: 2, dx: 0.6, dgz1: 0.4, dgz2: 0.3, time: step, ...(step === 20 ? { metrics: { cifarFid: 42.125 } } : {}) });
  assert.deepEqual(gridsOverTime(path.join(dir, 'samples'), 4).map((g) => g.step), [100, 300, 600, 800]);
  const html = reportHtml({ runDir: dir, config: { name: 'r<1>', model: { arch: 'dcgan', imageSize: 32 }, data: { classes: ['horse', 'airplane'] } }, interpolation: { png, caption: 'slerp' } });
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 1 + 6 + 1); // loss, 6 grids, interpolation
  assert.doesNotMatch(html, /src="(?!data:)/); // nothing outside the file
  assert.match(html, /<figcaption>step 800<\/figcaption>/);
  assert.match(html, /<td>20<\/td><td>42\.13<\/td>/);
  assert.match(html, /r&lt;1&gt;/);
  assert.match(html, /20 steps, 20 s; last logged Loss_D 1\.000/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('compactReport: every embedded PNG becomes a WebP of the same size in pixels, and the page gets smaller', async () => {
  // sample-like images: smooth shapes with a little texture
  const images = new Float32Array(16 * 16 * 16 * 3).map((_, i) => 0.7 * Math.sin((i % 48) / 9) * Math.cos(Math.floor(i / 48) / 5) + 0.1 * Math.sin(i * 12.9898));
  const png = await encodePng(gridImage(images, [16, 16, 16, 3], { cols: 4, scale: 2 }));
  const uri = `data:image/png;base64,${png.toString('base64')}`;
  const html = `<p>a</p><img src="${uri}"><img src="${uri}">`;
  const compact = await compactReport(html);
  assert.doesNotMatch(compact, /image\/png/);
  const webps = [...compact.matchAll(/data:image\/webp;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1]!, 'base64'));
  assert.equal(webps.length, 2);
  const [a, b] = await Promise.all([sharp(png).metadata(), sharp(webps[0]!).metadata()]);
  assert.deepEqual([b.format, b.width, b.height], ['webp', a.width, a.height]);
  assert.ok(compact.length < html.length / 2, `${compact.length} vs ${html.length}`);
  assert.ok(compact.startsWith('<p>a</p><img src="data:image/webp'));
});
