import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { entryProblem, extractArchive, listArchive } from './archive.js';
import { parseBatch, parseMeta, RECORD_BYTES } from './cifar-binary.js';
import { loadDataset } from './dataset.js';
import { DataError } from './errors.js';
import { cifarEntries, listFilesRecursive, makeRecords, makeTarGz, patternImage, tempDir, writeCifarArchive, writeCifarFolder } from './fixtures.js';

/** Assert a one-line DataError whose message names `file` and matches `problem`. */
async function rejectsWith(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `not a DataError: ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.ok(e.message.includes(file), `"${e.message}" does not name ${file}`);
    assert.match(e.message, problem);
    return true;
  });
}

test('parse: record layout is 1 label byte + planar R, G, B', () => {
  const { buf } = makeRecords(1, 2);
  assert.equal(buf.length, 2 * RECORD_BYTES);
  const b = parseBatch(buf, 'x.bin', 10);
  assert.deepEqual([...b.labels], [0, 1]);
  const img = patternImage(1, 0);
  // record 1, green plane, pixel 5
  assert.equal(buf[RECORD_BYTES + 1 + 1024 + 5], img[5 * 3 + 1]);
  assert.deepEqual(parseMeta('airplane\r\nautomobile\n\n'), ['airplane', 'automobile']);
});

test('load from a tiny official archive and from its extracted folder: same images, cached second time', async () => {
  const dir = tempDir();
  const archive = await writeCifarArchive(path.join(dir, 'cifar-10-binary.tar.gz'), 3);
  const cacheDir = path.join(dir, 'cache');
  const logs: string[] = [];
  const a = await loadDataset({ source: archive, classes: ['horse', 'bird'], cacheDir }, (l) => logs.push(l));
  assert.deepEqual(a.counts, [3 * 6, 3 * 6]); // 3 per class per batch file, 6 files
  assert.deepEqual(a.splitCounts, { horse: { train: 15, test: 3 }, bird: { train: 15, test: 3 } });
  assert.equal(a.images.length, 36 * 3072);
  // first horse image is patternImage(7, 0) in HWC
  assert.deepEqual(a.images.subarray(0, 3072), patternImage(7, 0));
  assert.equal(a.labels[0], 0);
  assert.equal(a.labels[35], 1);
  assert.match(logs.join('\n'), /parsed archive/);
  const again = await loadDataset({ source: archive, classes: ['horse', 'bird'], cacheDir }, (l) => logs.push(l));
  assert.deepEqual(again.images, a.images);
  assert.match(logs.at(-2)!, /from cache/);

  const folder = await writeCifarFolder(path.join(dir, 'x'), 3);
  const f = await loadDataset({ source: folder, classes: ['horse', 'bird'], cacheDir });
  assert.deepEqual(f.images, a.images);
  const parent = await loadDataset({ source: path.join(dir, 'x'), classes: ['horse'], splits: ['test'], cacheDir });
  assert.deepEqual(parent.counts, [3]);
  assert.match(parent.source, /cifar-10-batches-bin \(test\)/);
});

test('bad binary input: wrong record length, label out of range, missing batch, unknown class; nothing cached', async () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  const short = Buffer.concat([makeRecords(1).buf, Buffer.alloc(100)]);
  const f1 = await writeCifarFolder(path.join(dir, 'a'), 1, { override: { 'data_batch_2.bin': short } });
  await rejectsWith(loadDataset({ source: f1, classes: ['horse'], cacheDir }), 'data_batch_2.bin', /not a whole number of 3073-byte records/);

  const badLabel = makeRecords(1).buf;
  badLabel[RECORD_BYTES * 3] = 42;
  const f2 = await writeCifarFolder(path.join(dir, 'b'), 1, { override: { 'test_batch.bin': badLabel } });
  await rejectsWith(loadDataset({ source: f2, classes: ['horse'], cacheDir }), 'test_batch.bin', /record 3 has label 42/);

  const f3 = await writeCifarFolder(path.join(dir, 'c'), 1);
  await fsp.rm(path.join(f3, 'data_batch_4.bin'));
  await rejectsWith(loadDataset({ source: f3, classes: ['horse'], cacheDir }), 'data_batch_4.bin', /batch file missing/);

  await rejectsWith(loadDataset({ source: path.join(dir, 'a', 'cifar-10-batches-bin'), classes: ['pegasus'], cacheDir }), 'cifar-10-batches-bin', /unknown class "pegasus"; known classes: airplane, automobile, bird/);

  const f4 = await writeCifarFolder(path.join(dir, 'd'), 1, { meta: 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nunused\n' });
  await rejectsWith(loadDataset({ source: f4, classes: ['unused'], cacheDir }), f4, /empty class "unused"/);

  assert.deepEqual(await listFilesRecursive(cacheDir), []);
});

test('truncated and corrupt archives give one-line errors naming the file', async () => {
  const dir = tempDir();
  const good = await writeCifarArchive(path.join(dir, 'good.tar.gz'), 2);
  const bytes = await fsp.readFile(good);
  const truncated = path.join(dir, 'truncated.tar.gz');
  await fsp.writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await rejectsWith(loadDataset({ source: truncated, classes: ['horse'], cacheDir: path.join(dir, 'cache') }), truncated, /truncated archive/);
  await rejectsWith(extractArchive(truncated, path.join(dir, 'out')), truncated, /truncated archive/);
  const corrupt = path.join(dir, 'corrupt.tar.gz');
  const c = Buffer.from(bytes);
  for (let i = 20; i < 400; i++) c[i] = (c[i]! * 31 + 7) & 255;
  await fsp.writeFile(corrupt, c);
  await rejectsWith(listArchive(corrupt), corrupt, /(corrupt|truncated) archive/);
  const notGzip = path.join(dir, 'plain.tar.gz');
  await fsp.writeFile(notGzip, 'this is not an archive at all, just some text '.repeat(30));
  await rejectsWith(listArchive(notGzip), notGzip, /corrupt archive|cannot read archive/);
  await rejectsWith(listArchive(path.join(dir, 'nope.tar.gz')), 'nope.tar.gz', /archive not found/);
  // nothing extracted, no temporary folder left
  assert.deepEqual(await listFilesRecursive(path.join(dir, 'out')), []);
  assert.deepEqual(await listFilesRecursive(path.join(dir, 'cache')), []);
});

test('safe extraction: "..", absolute paths and escaping links are refused before anything is written', async () => {
  const dir = tempDir();
  const ok = cifarEntries(1);
  const cases: [string, Parameters<typeof makeTarGz>[0], RegExp][] = [
    ['dotdot', [...ok, { path: 'cifar-10-batches-bin/../../evil.txt', data: Buffer.from('x') }], /entry "cifar-10-batches-bin\/..\/..\/evil.txt" contains ".."/],
    ['absolute', [{ path: '/tmp/pegasus-evil.txt', data: Buffer.from('x') }, ...ok], /entry "\/tmp\/pegasus-evil.txt" has an absolute path/],
    ['symlink', [...ok, { path: 'cifar-10-batches-bin/link', type: 'SymbolicLink', linkpath: '../../etc' }], /links to "..\/..\/etc", outside the target folder/],
    ['hardlink', [...ok, { path: 'cifar-10-batches-bin/hl', type: 'Link', linkpath: '/etc/passwd' }], /outside the target folder/],
  ];
  for (const [name, entries, problem] of cases) {
    const file = path.join(dir, `${name}.tar.gz`);
    await fsp.writeFile(file, makeTarGz(entries));
    const dest = path.join(dir, `out-${name}`);
    await rejectsWith(extractArchive(file, dest), `${name}.tar.gz`, problem);
    assert.deepEqual(await listFilesRecursive(dest), [], name);
    await rejectsWith(loadDataset({ source: file, classes: ['horse'], cacheDir: path.join(dir, 'cache') }), `${name}.tar.gz`, problem);
  }
  await assert.rejects(fsp.access(path.join(dir, 'evil.txt')));
  await assert.rejects(fsp.access('/tmp/pegasus-evil.txt'));
  // links inside the target are fine
  assert.equal(entryProblem('a/b/link', 'SymbolicLink', '../c'), null);
  assert.equal(entryProblem('a/dev', 'CharacterDevice'), 'entry "a/dev" has unsupported type CharacterDevice');
});

test('extractArchive of a good archive yields the official folder and replaces an older copy', async () => {
  const dir = tempDir();
  const archive = await writeCifarArchive(path.join(dir, 'cifar-10-binary.tar.gz'), 1);
  const dest = path.join(dir, 'downloads');
  await fsp.mkdir(path.join(dest, 'cifar-10-batches-bin'), { recursive: true });
  await fsp.writeFile(path.join(dest, 'cifar-10-batches-bin', 'stale.bin'), 'old');
  assert.deepEqual(await extractArchive(archive, dest), ['cifar-10-batches-bin']);
  const files = await listFilesRecursive(dest);
  assert.ok(files.includes('cifar-10-batches-bin/data_batch_5.bin'));
  assert.ok(!files.includes('cifar-10-batches-bin/stale.bin'));
  assert.ok(!files.some((f) => f.endsWith('.tmp') || f.includes('.tmp/')), files.join(','));
});
