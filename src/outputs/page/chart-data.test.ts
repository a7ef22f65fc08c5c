// The live view's data logic: runs logged at different steps share one axis, gaps stay gaps, and
// progress / ETA come from the current session of the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignRuns, formatDuration, metricNames, progressOf, type Row } from './chart-data.js';

const row = (step: number, time: number, extra: Partial<Row> = {}): Row =>
  ({ step, epoch: Math.floor(step / 100), lossD: step, lossDReal: 0, lossDFake: 0, lossG: -step, dx: 0, dgz1: 0, dgz2: 0, time, ...extra });

test('alignRuns: the union of steps, one column per (run, field), null where a run has no row or NaN', () => {
  const a = [row(10, 1), row(20, 2, { lossG: NaN })];
  const b = [row(15, 1), row(20, 2, { metrics: { cifarFid: 80 } })];
  assert.deepEqual(alignRuns([a, b], ['lossD', 'lossG', 'metrics.cifarFid']), [
    [10, 15, 20],
    [10, null, 20], [-10, null, null], [null, null, null],
    [null, 15, 20], [null, -15, -20], [null, null, 80],
  ]);
  assert.deepEqual(metricNames([a, b, [row(30, 3, { metrics: { kid: 0.1 } })]]), ['cifarFid', 'kid']);
});

test('progressOf: step, epoch, ETA from the rate of the current session; a live step may be ahead', () => {
  const cfg = { train: { steps: 1000 } };
  const rows = [row(10, 100), row(20, 200), row(10, 1), row(20, 2), row(30, 3)]; // resumed: time restarts
  const p = progressOf(rows, cfg, 35);
  assert.equal(p.step, 35);
  assert.equal(p.total, 1000);
  assert.equal(p.epoch, 0);
  assert.ok(Math.abs(p.secondsPerStep! - 0.1) < 1e-12, `${p.secondsPerStep}`);
  assert.ok(Math.abs(p.etaSeconds! - 96.5) < 1e-9, `${p.etaSeconds}`);
  assert.equal(progressOf([], cfg).etaSeconds, null);
  assert.equal(progressOf(rows, { train: { steps: 1000 }, data: { mixing: { kind: 'phases', iterations: [1] } } }).total, null);
  assert.equal(formatDuration(3725), '1 h 02 min');
  assert.equal(formatDuration(95), '1 min 35 s');
});
