import assert from 'node:assert/strict';
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadDataset } from './dataset.js';
import { DataError } from './errors.js';
import { listFilesRecursive, tempDir, writeImage } from './fixtures.js';

async function rejectsWith(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `not a DataError: ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.ok(e.message.includes(file), `"${e.message}" does not name ${file}`);
    assert.match(e.message, problem);
    return true;
  });
}

/** root/{train,test}/{horse,airplane,bird}/NNNN.png, solid colours per class. */
async function makeSplitFolder(root: string): Promise<void> {
  const colours: Record<string, [number, number, number]> = { horse: [200, 100, 50], airplane: [20, 60, 240], bird: [0, 255, 0] };
  for (const [split, n] of [['train', 3], ['test', 2]] as const) {
    for (const [cls, rgb] of Object.entries(colours)) {
      for (let i = 0; i < n; i++) await writeImage(path.join(root, split, cls, `${String(i).padStart(4, '0')}.png`), 32, 32, rgb);
    }
  }
  await fsp.writeFile(path.join(root, 'train', 'horse', 'notes.txt'), 'not an image');
}

test('image folders: splits merged, classes picked by name in the order asked, cache keyed by source', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'cifar');
  await makeSplitFolder(root);
  const cacheDir = path.join(dir, 'cache');
  const logs: string[] = [];
  const d = await loadDataset({ source: root, classes: ['bird', 'horse'], cacheDir }, (l) => logs.push(l));
  assert.deepEqual(d.classes, ['bird', 'horse']);
  assert.deepEqual(d.counts, [5, 5]);
  assert.deepEqual(d.splitCounts, { bird: { train: 3, test: 2 }, horse: { train: 3, test: 2 } });
  assert.deepEqual([...d.labels], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual([...d.images.subarray(0, 3)], [0, 255, 0]);
  assert.deepEqual([...d.images.subarray(5 * 3072, 5 * 3072 + 3)], [200, 100, 50]);
  assert.ok(d.images.buffer instanceof SharedArrayBuffer);
  assert.match(logs.join('\n'), /decoded/);
  assert.match(logs.at(-1)!, /data: bird 5 \(train 3 \+ test 2\), horse 5 \(train 3 \+ test 2\); 10 images 32x32/);
  const cached = await listFilesRecursive(cacheDir);
  assert.equal(cached.length, 4);
  assert.ok(cached.every((f) => f.endsWith('.u8')));

  logs.length = 0;
  const again = await loadDataset({ source: root, classes: ['bird', 'horse'], cacheDir }, (l) => logs.push(l));
  assert.deepEqual(again.images, d.images);
  assert.equal(logs.filter((l) => /from cache/.test(l)).length, 4);

  // one split only; the split folder itself as a plain class-folder source
  const test1 = await loadDataset({ source: root, classes: ['horse'], splits: ['test'], cacheDir });
  assert.deepEqual(test1.counts, [2]);
  const plain = await loadDataset({ source: path.join(root, 'train'), classes: ['airplane'], cacheDir });
  assert.deepEqual(plain.counts, [3]);
  assert.deepEqual([...plain.images.subarray(0, 3)], [20, 60, 240]);

  // a changed file invalidates that class's cache entry
  await writeImage(path.join(root, 'train', 'horse', '0000.png'), 32, 32, [1, 2, 3]);
  const changed = await loadDataset({ source: root, classes: ['horse'], splits: ['train'], cacheDir });
  assert.deepEqual([...changed.images.subarray(0, 3)], [1, 2, 3]);

  // a damaged cache file is ignored and rewritten
  for (const f of await listFilesRecursive(cacheDir)) await fsp.writeFile(path.join(cacheDir, f), 'garbage');
  const healed = await loadDataset({ source: root, classes: ['bird', 'horse'], splits: ['test'], cacheDir });
  assert.deepEqual(healed.counts, [2, 2]);
  assert.deepEqual([...healed.images.subarray(0, 3)], [0, 255, 0]);
});

test('images that are not 32x32 (and JPEG, grayscale, alpha) are decoded to 32x32 RGB', async () => {
  const dir = tempDir();
  const root = path.join(dir, 'imgs');
  await writeImage(path.join(root, 'horse', 'a.png'), 64, 48, [10, 20, 30]);
  await writeImage(path.join(root, 'horse', 'b.jpg'), 100, 100, [250, 250, 250], 'jpeg');
  await writeImage(path.join(root, 'horse', 'c.png'), 16, 16, [0, 0, 0]);
  const sharp = (await import('sharp')).default;
  await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 9, g: 8, b: 7, alpha: 0.5 } } }).png().toFile(path.join(root, 'horse', 'd.png'));
  await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 77, g: 77, b: 77 } } }).grayscale().toColourspace('b-w').png().toFile(path.join(root, 'horse', 'e.png'));
  const d = await loadDataset({ source: root, classes: ['horse'], cacheDir: path.join(dir, 'cache') });
  assert.equal(d.size, 32);
  assert.deepEqual(d.counts, [5]);
  assert.equal(d.images.length, 5 * 3072);
  const px = (i: number) => [...d.images.subarray(i * 3072 + 16 * 96 + 48, i * 3072 + 16 * 96 + 51)];
  assert.deepEqual(px(0), [10, 20, 30]);
  assert.ok(px(1).every((v) => Math.abs(v - 250) <= 2));
  assert.deepEqual(px(2), [0, 0, 0]);
  assert.deepEqual(px(3), [9, 8, 7]);
  assert.deepEqual(px(4), [77, 77, 77]);
});

test('bad folders: missing folder, empty class, unknown class, unreadable image, missing split; nothing half-written in the cache', async () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  const missing = path.join(dir, 'does-not-exist');
  await rejectsWith(loadDataset({ source: missing, classes: ['horse'], cacheDir }), missing, /data folder not found/);

  const root = path.join(dir, 'imgs');
  await writeImage(path.join(root, 'horse', '0.png'), 32, 32, [1, 1, 1]);
  await fsp.mkdir(path.join(root, 'airplane'), { recursive: true });
  await fsp.writeFile(path.join(root, 'airplane', 'README'), 'no images here');
  await rejectsWith(loadDataset({ source: root, classes: ['horse', 'airplane'], cacheDir }), path.join(root, 'airplane'), /empty class/);
  await rejectsWith(loadDataset({ source: root, classes: ['pegasus'], cacheDir }), root, /unknown class "pegasus"; known classes: airplane, horse/);
  await rejectsWith(loadDataset({ source: root, classes: ['horse', 'horse'], cacheDir }), root, /picked twice/);

  await writeImage(path.join(root, 'bird', '0.png'), 32, 32, [1, 1, 1]);
  await writeImage(path.join(root, 'bird', '1.png'), 32, 32, [1, 1, 1]);
  const broken = path.join(root, 'bird', '2.jpg');
  await fsp.writeFile(broken, Buffer.from('\xff\xd8\xff\xe0 definitely not a jpeg', 'latin1'));
  await rejectsWith(loadDataset({ source: root, classes: ['horse', 'bird'], cacheDir }), broken, /cannot decode image/);

  const truncated = path.join(root, 'bird', '3.png');
  await writeImage(truncated, 32, 32, [5, 5, 5]);
  const bytes = await fsp.readFile(truncated);
  await fsp.writeFile(truncated, bytes.subarray(0, 40));
  await fsp.rm(broken);
  await rejectsWith(loadDataset({ source: root, classes: ['bird'], cacheDir }), truncated, /cannot decode image/);

  const file = path.join(root, 'horse', '0.png');
  await rejectsWith(loadDataset({ source: file, classes: ['horse'], cacheDir }), file, /not a folder of class folders/);

  const splitRoot = path.join(dir, 'split');
  await writeImage(path.join(splitRoot, 'train', 'horse', '0.png'), 32, 32, [1, 1, 1]);
  await rejectsWith(loadDataset({ source: splitRoot, classes: ['horse'], splits: ['test'], cacheDir }), path.join(splitRoot, 'test'), /split folder not found/);

  // only the horse class that loaded fine is cached; no temporary files
  const cached = await listFilesRecursive(cacheDir);
  assert.ok(cached.every((f) => f.startsWith('horse-all-') && f.endsWith('.u8')), cached.join(', '));
  assert.ok(!existsSync(path.join(cacheDir, 'bird-all')));
});

const REAL = path.resolve('../shared/data/cifar10');
test('the real CIFAR-10 folder: horse test split decodes to 1000 images 32x32', { skip: !existsSync(REAL) && 'no ../shared/data/cifar10' }, async () => {
  const dir = tempDir();
  const d = await loadDataset({ source: REAL, classes: ['horse'], splits: ['test'], cacheDir: path.join(dir, 'cache') });
  assert.deepEqual(d.counts, [1000]);
  assert.equal(d.size, 32);
  let sum = 0;
  for (let i = 0; i < d.images.length; i += 97) sum += d.images[i]!;
  assert.ok(sum > 0);
  await fsp.rm(dir, { recursive: true, force: true });
});
