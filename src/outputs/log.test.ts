import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendLogRow, readLog, truncateLogAfter, type TrainLogRow } from './log.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-log-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const row = (step: number, extra: Partial<TrainLogRow> = {}): TrainLogRow => ({
  step, epoch: Math.floor(step / 10), lossD: 1.25, lossDReal: 0.5, lossDFake: 0.75, lossG: 2.5,
  dx: 0.6, dgz1: 0.3, dgz2: 0.2, time: step * 0.5, ...extra,
});

test('append + read round trip; NaN/Infinity come back as NaN; metrics kept', () => {
  const file = path.join(dir, 'a', 'train.jsonl');
  appendLogRow(file, row(1));
  appendLogRow(file, row(2, { lossG: NaN, dx: Infinity, metrics: { cifarFid: 48.5 } }));
  const rows = readLog(file);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], row(1));
  assert.ok(Number.isNaN(rows[1]!.lossG) && Number.isNaN(rows[1]!.dx));
  assert.deepEqual(rows[1]!.metrics, { cifarFid: 48.5 });
  assert.equal(fs.readFileSync(file, 'utf8').split('\n').length, 3);
  assert.deepEqual(readLog(path.join(dir, 'missing.jsonl')), []);
});

test('a partial last line is ignored by readLog and dropped by the next append', () => {
  const file = path.join(dir, 'partial.jsonl');
  fs.writeFileSync(file, JSON.stringify(row(1)) + '\n' + JSON.stringify(row(2)).slice(0, 30));
  assert.deepEqual(readLog(file).map((r) => r.step), [1]);
  appendLogRow(file, row(3));
  assert.deepEqual(readLog(file).map((r) => r.step), [1, 3]);
  assert.ok(fs.readFileSync(file, 'utf8').endsWith('}\n'));
  // A complete last line without its newline still counts.
  const file2 = path.join(dir, 'nonl.jsonl');
  fs.writeFileSync(file2, JSON.stringify(row(1)) + '\n' + JSON.stringify(row(2)));
  assert.deepEqual(readLog(file2).map((r) => r.step), [1, 2]);
});

test('a corrupt line in the middle names file and line', () => {
  const file = path.join(dir, 'corrupt.jsonl');
  fs.writeFileSync(file, [JSON.stringify(row(1)), '{"step": 2, "epo', JSON.stringify(row(3)), ''].join('\n'));
  assert.throws(() => readLog(file), (e: Error) => e.message.startsWith(`${file}:2: corrupt training log line: invalid JSON`));
  const { lossG: _, ...noLossG } = row(2);
  fs.writeFileSync(file, [JSON.stringify(row(1)), JSON.stringify(noLossG), ''].join('\n'));
  assert.throws(() => readLog(file), new RegExp(`corrupt\\.jsonl:2: .*field "lossG" is missing`));
});

test('truncateLogAfter keeps rows with step <= N verbatim, atomically', () => {
  const file = path.join(dir, 'trunc.jsonl');
  for (const s of [1, 2, 3, 4, 5]) appendLogRow(file, row(s));
  fs.appendFileSync(file, '{"step": 6, "ep'); // crash mid-line
  const before = fs.readFileSync(file, 'utf8').split('\n');
  assert.deepEqual(truncateLogAfter(file, 3), { kept: 3, dropped: 2 });
  assert.equal(fs.readFileSync(file, 'utf8'), before.slice(0, 3).join('\n') + '\n');
  appendLogRow(file, row(4, { lossG: 9 }));
  assert.deepEqual(readLog(file).map((r) => [r.step, r.lossG]), [[1, 2.5], [2, 2.5], [3, 2.5], [4, 9]]);
  assert.deepEqual(truncateLogAfter(path.join(dir, 'none.jsonl'), 3), { kept: 0, dropped: 0 });
  assert.equal(fs.existsSync(path.join(dir, 'none.jsonl')), false);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('appending again after the folder was removed recreates it', () => {
  const sub = path.join(dir, 'gone');
  const file = path.join(sub, 'train.jsonl');
  appendLogRow(file, row(1));
  fs.rmSync(sub, { recursive: true });
  appendLogRow(file, row(2));
  assert.deepEqual(readLog(file).map((r) => r.step), [2]);
});
