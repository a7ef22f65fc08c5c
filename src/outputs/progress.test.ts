import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrainProgress, formatDuration, fmt4, formatPlainLine, ganProgressFields, type ProgressStream } from './progress.js';

function sink(isTTY: boolean): ProgressStream & { text: string } {
  const s = { text: '', isTTY, columns: 200, write(chunk: string) { s.text += chunk; return true; } };
  return s;
}
const fields = (lossD: number) => ganProgressFields(2, { lossD, lossG: 2.5, dx: 0.75, dgz: 0.125 });

test('formatDuration and fmt4', () => {
  assert.equal(formatDuration(75), '01:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(90061), '1d 01:01:01');
  assert.equal(formatDuration(NaN), '--:--');
  assert.equal(fmt4(1.23456), '1.2346');
  assert.equal(fmt4(NaN), 'nan');
  assert.equal(fmt4(-Infinity), '-inf');
});

test('plain mode: every N steps or T seconds; ETA from this process only (resume at 40)', () => {
  let t = 0;
  const out = sink(false);
  const p = createTrainProgress(100, 40, { stream: out, plainEverySteps: 10, plainEverySeconds: 30, now: () => t });
  t = 2000; p.update(41, fields(1.23456)); // first update prints: 2 s/step, 59 left -> ETA 01:58
  for (let s = 42; s <= 50; s++) { t += 1000; p.update(s, fields(1)); } // < 10 steps, < 30 s: silent
  t += 1000; p.update(51, fields(1)); // 10 steps since the last line
  t += 31_000; p.update(52, fields(1)); // 31 s since the last line
  p.log('checkpoint saved');
  t += 1000; p.update(53, fields(1));
  p.stop(); p.stop();
  const lines = out.text.trimEnd().split('\n');
  assert.equal(lines.length, 5);
  assert.equal(lines[0], '[ 41/100  41.0%] epoch 2 | Loss_D 1.2346 | Loss_G 2.5000 | D(x) 0.7500 | D(G(z)) 0.1250 | elapsed 00:02 | ETA 01:58 | 2.00 s/step');
  assert.match(lines[1]!, /^\[ 51\/100  51\.0%\].*elapsed 00:12 \| ETA 00:53 \| 1\.09 s\/step$/); // 12 s / 11 steps, 49 left
  assert.match(lines[2]!, /^\[ 52\/100/);
  assert.equal(lines[3], 'checkpoint saved');
  assert.match(lines[4]!, /^\[ 53\/100/); // stop() shows the last state
});

test('plain line at the end and with no steps done', () => {
  const st = { step: 40, total: 100, fields: fields(1), elapsed: 0, secPerStep: NaN };
  assert.match(formatPlainLine(st), /elapsed 00:00 \| ETA --:-- \| -- s\/step$/);
  let t = 0;
  const out = sink(false);
  const p = createTrainProgress(3, 0, { stream: out, plainEverySteps: 100, plainEverySeconds: 1e6, now: () => t });
  for (const s of [1, 2, 3]) { t += 10; p.update(s, fields(1)); }
  p.stop();
  // First step and the last step (step >= total) print; stop() does not repeat it.
  assert.deepEqual(out.text.trimEnd().split('\n').map((l) => l.slice(0, 6)), ['[1/3  ', '[3/3 1']);
  assert.match(out.text, /10 ms\/step/);
});

test('tty mode: cli-progress bar with the fields, log() lines, stop()', () => {
  let t = 0;
  const out = sink(true);
  const p = createTrainProgress(100, 40, { stream: out, now: () => t });
  t = 1500; p.update(41, fields(0.5));
  p.log('hello there');
  p.stop();
  assert.match(out.text, /41\/100 41\.0% \| epoch 2 \| Loss_D 0\.5000 Loss_G 2\.5000 \| D\(x\) 0\.7500 D\(G\(z\)\) 0\.1250 \| 00:02<01:29 1\.50 s\/step/);
  assert.match(out.text, /\u2588+\u2591+ 41\/100/);
  assert.match(out.text, /\r\x1b\[2Khello there\n/);
  assert.ok(out.text.endsWith('\n'));
});

test('tty mode on a narrow terminal: compact status, ETA kept', () => {
  let t = 0;
  const out = sink(true);
  out.columns = 60;
  const p = createTrainProgress(100000, 0, { stream: out, now: () => t });
  t = 2000; p.update(1, fields(0.5));
  p.stop();
  assert.match(out.text, /1\/100000 0\.0% 00:02<2d 07:33:18 \| e2 D 0\.5000 G 2\.5000 /);
  const last = out.text.split('\x1b[1G').at(-1)!;
  assert.doesNotMatch(last, /\u2588|\u2591/);
  assert.ok(last.indexOf('\x1b[0K') <= 59);
});
