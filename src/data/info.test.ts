import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCommand } from 'citty';
import sharp from 'sharp';
import { dataCommand } from './commands.js';
import { DataError } from './errors.js';
import { dataInfo, dataSchedule, scheduleTable } from './info.js';
import { tempDir, writeCifarArchive, writeImage } from './fixtures.js';

test('data info on an image folder: classes, counts per split, image size, PNG grid', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'imgs');
  for (const split of ['train', 'test']) {
    for (const [cls, n] of [['horse', 3], ['airplane', 2], ['cat', 1]] as const) {
      for (let i = 0; i < n; i++) await writeImage(path.join(root, split, cls, `${i}.png`), 32, 32, [i * 50, 100, 200]);
    }
  }
  const out = path.join(dir, 'grid.png');
  const text = await dataInfo({ source: root, out, perClass: 3 });
  assert.match(text, /source: image folder .*imgs/);
  assert.match(text, /splits: train, test/);
  assert.match(text, /image size: 32x32 RGB png/);
  assert.match(text, /horse\s+6\s+\(train 3, test 3\)/);
  assert.match(text, /picked: horse 6, airplane 4 = 10 images/);
  assert.match(text, /grid: .*grid\.png \(horse, airplane: a row each, 3 per class\)/);
  const meta = await sharp(out).metadata();
  assert.equal(meta.format, 'png');
  // 3 columns x 2 rows of 64px cells with 2px gaps
  assert.equal(meta.width, 2 + 3 * 66);
  assert.equal(meta.height, 2 + 2 * 66);
  await assert.rejects(dataInfo({ source: root, classes: ['unicorn'] }), (e: unknown) => e instanceof DataError && /unknown class "unicorn"; known classes: airplane, cat, horse/.test((e as Error).message));
});

test('data info on an official archive', async () => {
  const dir = tempDir();
  const archive = await writeCifarArchive(path.join(dir, 'cifar-10-binary.tar.gz'), 2);
  const out = path.join(dir, 'g.png');
  const text = await dataInfo({ source: archive, classes: ['horse', 'bird'], out, perClass: 4 });
  assert.match(text, /source: CIFAR-10 binary archive/);
  assert.match(text, /classes: 10/);
  assert.match(text, /horse\s+12\s+\(train 10, test 2\)/);
  assert.match(text, /total: 120 images/);
  assert.ok(existsSync(out));
});

test('commands: `data info` and `data schedule` run through citty; the command tree has info/download/schedule', async () => {
  const sub = await (typeof dataCommand.subCommands === 'function' ? dataCommand.subCommands() : dataCommand.subCommands);
  assert.deepEqual(Object.keys(sub ?? {}).sort(), ['download', 'info', 'schedule']);
  const dir = tempDir();
  const archive = await writeCifarArchive(path.join(dir, 'cifar-10-binary.tar.gz'), 2);
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await runCommand(dataCommand, { rawArgs: ['info', archive, '--classes', 'horse,bird'] });
    await runCommand(dataCommand, { rawArgs: ['schedule', archive, '--batch-size', '4', '--steps', '12', '--iterations', '5,3,2'] });
  } finally {
    console.log = orig;
  }
  const text = lines.join('\n');
  assert.match(text, /picked: horse 12, bird 12 = 24 images/);
  assert.match(text, /phases \[5,3,2\]:/);
});

test('scheduleTable shows the class order of the three schedules', async () => {
  const t = scheduleTable({ counts: [20, 12], classes: ['horse', 'airplane'], batchSize: 4, steps: 20, iterations: [6, 4, 3] });
  assert.match(t, /combined:\n {2}step 0: epoch 0, horse \d \/ airplane \d/);
  assert.match(t, /alternate:\n {2}steps 0-4: epoch 0, horse\n {2}steps 5-7: epoch 1, airplane\n {2}steps 8-12: epoch 2, horse\n {2}steps 13-15: epoch 3, airplane\n {2}steps 16-19: epoch 4, horse/);
  assert.match(t, /phases \[6,4,3\]:\n {2}steps 0-4: phase 1, epoch 0, horse\n {2}steps 5-5: phase 1, epoch 1, horse\n {2}steps 6-8: phase 2, epoch 2, airplane\n {2}steps 9-9: phase 2, epoch 3, airplane\n {2}steps 10-12: phase 3, epoch 4, horse\n {2}\(schedule ends after step 12; totalSteps 13\)/);
  await assert.rejects(dataSchedule({ source: path.join(tempDir(), 'none') }), /data folder not found/);
});
