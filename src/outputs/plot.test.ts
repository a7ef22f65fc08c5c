import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { niceTicks, niceStep, formatTick, emaSmooth, lossPlotSvg, writePlotPng, writeTrainingPlot, trainingPlotPanels } from './plot.js';
import type { TrainLogRow } from './log.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-plot-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('niceTicks: hand cases', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.13, 2.87, 5), [0, 0.5, 1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(niceTicks(0, 10000, 5), [0, 2000, 4000, 6000, 8000, 10000]);
  assert.deepEqual(niceTicks(-0.003, 0.012, 5), [-0.005, 0, 0.005, 0.01, 0.015]);
  assert.deepEqual(niceTicks(1, 99, 4), [0, 20, 40, 60, 80, 100]); // rough 24.5 -> 20
  assert.deepEqual(niceTicks(3, 1, 2), [1, 2, 3]); // swapped bounds
  // Degenerate ranges widen: 100 -> [90, 110]; 0 -> [-1, 1].
  assert.deepEqual(niceTicks(100, 100, 4), [90, 95, 100, 105, 110]);
  assert.deepEqual(niceTicks(0, 0, 2), [-1, 0, 1]);
  // Integer data: the step never goes below minStep.
  assert.deepEqual(niceTicks(10, 10, 8, 1), [9, 10, 11]);
  assert.equal(niceStep(7, 5), 1); // rough 1.4 -> 1
  assert.equal(niceStep(0.3, 5), 0.05); // rough 0.06 -> 0.05
  assert.throws(() => niceTicks(0, Infinity), /finite/);
});

test('formatTick', () => {
  assert.equal(formatTick(0.25, 0.05), '0.25');
  assert.equal(formatTick(1, 0.5), '1.0');
  assert.equal(formatTick(12000, 2000), '12k');
  assert.equal(formatTick(12500, 500), '12500');
  assert.equal(formatTick(2e6, 1e6), '2M');
  assert.equal(formatTick(0, 0.1), '0');
});

test('emaSmooth: debiased, weight 0 is identity', () => {
  const pts: [number, number][] = [[0, 1], [1, 3]];
  assert.deepEqual(emaSmooth(pts, 0), pts);
  // w = 0.5: last = 0.5, 0.5/(1-0.5) = 1; then last = 0.25 + 1.5 = 1.75, /(1-0.25) = 7/3.
  const s = emaSmooth(pts, 0.5);
  assert.equal(s[0]![1], 1);
  assert.ok(Math.abs(s[1]![1] - 7 / 3) < 1e-12);
});

test('lossPlotSvg: series, legend, escaping, NaN skipped, single point as a marker', () => {
  const svg = lossPlotSvg([
    { name: 'Loss_D', points: [[1, 1], [2, NaN], [3, 0.5], [Infinity, 2]] },
    { name: 'G <&>', color: '#00ff00', points: [[2, 2]] },
    { name: 'empty', points: [[1, NaN]] },
  ], { title: 'T', xLabel: 'step', yLabel: 'loss', width: 400, height: 300, smooth: 0.5 });
  assert.match(svg, /^<svg [^>]*width="400" height="300"/);
  assert.match(svg, />Loss_D</);
  assert.match(svg, />G &lt;&amp;&gt;</);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  // Loss_D keeps 2 finite points -> raw + smoothed paths; the single point is a circle.
  const paths = [...svg.matchAll(/<path d="(M[^"]*)"[^>]*data-series="Loss_D"/g)];
  assert.equal(paths.length, 2);
  assert.equal(paths[0]![1]!.split('L').length, 2);
  assert.match(svg, /<circle [^>]*fill="#00ff00"/);
  assert.equal([...svg.matchAll(/data-series="empty"/g)].length, 0);
  assert.throws(() => lossPlotSvg([], { smooth: 1 }), /smooth must be in/);
});

test('writePlotPng renders at the requested size; training plot has a metrics panel only with metrics', async () => {
  const file = path.join(dir, 'p.png');
  const svg = lossPlotSvg([{ name: 'a', points: [[0, 0], [10, 1]] }], { width: 320, height: 200, title: 'x' });
  assert.deepEqual(await writePlotPng(file, svg), { width: 320, height: 200 });
  const meta = await sharp(file).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 320, 200]);

  const rows: TrainLogRow[] = [1, 2, 3].map((step) => ({
    step, epoch: 0, lossD: 1, lossDReal: 0.5, lossDFake: 0.5, lossG: 2, dx: 0.5, dgz1: 0.4, dgz2: 0.3, time: step,
  }));
  assert.equal(trainingPlotPanels(rows).length, 2);
  rows[2]!.metrics = { cifarFid: 50 };
  const panels = trainingPlotPanels(rows);
  assert.equal(panels.length, 3);
  assert.deepEqual(panels[2]!.series[0]!.points, [[3, 50]]);
  rows[1]!.metrics = { kid: 0.01 };
  assert.deepEqual(trainingPlotPanels(rows).map((p) => p.title), ['Loss', 'D output', 'kid', 'cifarFid']);
  const out = path.join(dir, 'train.png');
  assert.deepEqual(await writeTrainingPlot(out, rows, { width: 360, height: 420 }), { width: 360, height: 420 });
  assert.equal((await sharp(out).metadata()).height, 420);
  // An empty log still renders (axes and "no data").
  assert.deepEqual(await writeTrainingPlot(out, [], { width: 300, height: 240 }), { width: 300, height: 240 });
});
