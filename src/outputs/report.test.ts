import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appendLogRow } from './log.js';
import { encodePng, gridImage } from './images.js';
import { gridsOverTime, reportHtml } from './report.js';

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
