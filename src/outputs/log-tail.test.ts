// Following a growing log: complete lines only, and a restart when the file is cut back or replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogTail } from './log-tail.js';

const line = (step: number) => `${JSON.stringify({ step, epoch: 0, lossD: 1, lossDReal: 0.5, lossDFake: 0.5, lossG: null, dx: 0.5, dgz1: 0.4, dgz2: 0.3, time: step })}\n`;

test('LogTail: new complete lines per poll, partial tail held back, reset on truncation and replacement', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-tail-'));
  const file = path.join(dir, 'log.jsonl');
  const tail = new LogTail(file);
  assert.deepEqual(tail.poll(), { rows: [], reset: false }, 'no file yet');
  fs.writeFileSync(file, line(1) + line(2).slice(0, 20));
  const a = tail.poll();
  assert.deepEqual(a.rows.map((r) => r.step), [1]);
  assert.ok(Number.isNaN(a.rows[0]!.lossG), 'null reads back as NaN');
  fs.appendFileSync(file, line(2).slice(20) + 'not json\n' + line(3));
  assert.deepEqual(tail.poll().rows.map((r) => r.step), [2, 3], 'a bad line is skipped');
  assert.deepEqual(tail.poll().rows, []);
  fs.truncateSync(file, line(1).length); // a resumed run cut its log back
  const cut = tail.poll();
  assert.equal(cut.reset, true);
  assert.deepEqual(cut.rows.map((r) => r.step), [1]);
  fs.writeFileSync(path.join(dir, 'new'), line(1) + line(5));
  fs.renameSync(path.join(dir, 'new'), file); // replaced atomically (a new inode)
  const replaced = tail.poll();
  assert.equal(replaced.reset, true);
  assert.deepEqual(replaced.rows.map((r) => r.step), [1, 5]);
  fs.rmSync(dir, { recursive: true, force: true });
});
