import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { md5File, download } from './download.js';
import { DataError } from './errors.js';
import { dataDownload } from './info.js';
import { loadDataset } from './dataset.js';
import { listFilesRecursive, makeTarGz, cifarEntries, tempDir } from './fixtures.js';

const archive = makeTarGz(cifarEntries(2));
const md5 = createHash('md5').update(archive).digest('hex');
let server: http.Server;
let base = '';
/** requests seen per path */
const hits = new Map<string, number>();
/** paths whose next N requests are cut mid-transfer */
const cutNext = new Map<string, number>();

before(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === '/redirect/cifar-10-binary.tar.gz') {
      res.writeHead(302, { location: '/cifar-10-binary.tar.gz' });
      res.end();
      return;
    }
    if (url === '/missing.tar.gz') {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    if (url === '/flaky500.tar.gz' && hits.get(url) === 1) {
      res.writeHead(503);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': archive.length });
    const cuts = cutNext.get(url) ?? 0;
    if (cuts > 0) {
      cutNext.set(url, cuts - 1);
      // send half, then drop the connection
      res.write(archive.subarray(0, Math.floor(archive.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(archive);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const fast = { retries: 0, retryDelayMs: 10, timeoutMs: 5000 };

test('download: writes the file, checks MD5, keeps an existing good copy', async () => {
  const dir = tempDir();
  const dest = path.join(dir, 'a', 'cifar-10-binary.tar.gz');
  assert.equal(await download(`${base}/cifar-10-binary.tar.gz`, dest, md5, fast), dest);
  assert.equal(await md5File(dest), md5);
  const before = hits.get('/cifar-10-binary.tar.gz');
  const logs: string[] = [];
  await download(`${base}/cifar-10-binary.tar.gz`, dest, md5, { ...fast, log: (l) => logs.push(l) });
  assert.equal(hits.get('/cifar-10-binary.tar.gz'), before); // not fetched again
  assert.match(logs.join('\n'), /already present, MD5 ok/);
  // redirects are followed
  const d2 = path.join(dir, 'b.tar.gz');
  await download(`${base}/redirect/cifar-10-binary.tar.gz`, d2, md5, fast);
  assert.equal(await md5File(d2), md5);
});

test('download: a connection cut mid-transfer leaves no file; the next try succeeds', async () => {
  const dir = tempDir();
  const dest = path.join(dir, 'cifar-10-binary.tar.gz');
  cutNext.set('/cut.tar.gz', 1);
  await assert.rejects(download(`${base}/cut.tar.gz`, dest, md5, fast), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, /cut\.tar\.gz: download failed \(connection cut after \d+ of \d+ bytes\); no partial file left/);
    return true;
  });
  assert.deepEqual(await listFilesRecursive(dir), []);
  await download(`${base}/cut.tar.gz`, dest, md5, fast);
  assert.equal(await md5File(dest), md5);
  assert.deepEqual(await listFilesRecursive(dir), ['cifar-10-binary.tar.gz']);
});

test('download: retries on its own after a cut or a 5xx', async () => {
  const dir = tempDir();
  cutNext.set('/retry.tar.gz', 2);
  const logs: string[] = [];
  const dest = path.join(dir, 'r.tar.gz');
  await download(`${base}/retry.tar.gz`, dest, md5, { ...fast, retries: 2, log: (l) => logs.push(l) });
  assert.equal(await md5File(dest), md5);
  assert.equal(logs.filter((l) => /retrying/.test(l)).length, 2);
  await download(`${base}/flaky500.tar.gz`, path.join(dir, 'f.tar.gz'), md5, { ...fast, retries: 1 });
  assert.deepEqual(await listFilesRecursive(dir), ['f.tar.gz', 'r.tar.gz']);
});

test('download: MD5 mismatch, HTTP 404, bad URL and refused connection are one-line errors; no file left', async () => {
  const dir = tempDir();
  const dest = path.join(dir, 'x.tar.gz');
  await assert.rejects(download(`${base}/cifar-10-binary.tar.gz`, dest, '0'.repeat(32), { ...fast, retries: 3 }), /cifar-10-binary\.tar\.gz: MD5 mismatch \(got [0-9a-f]{32}, expected 0{32}\); nothing saved/);
  await assert.rejects(download(`${base}/missing.tar.gz`, dest, md5, { ...fast, retries: 3 }), /missing\.tar\.gz: HTTP 404/);
  await assert.rejects(download('ftp://example.invalid/x', dest, md5, fast), /ftp:\/\/example\.invalid\/x: only http and https/);
  await assert.rejects(download('http://127.0.0.1:1/x.tar.gz', dest, md5, fast), (e: unknown) => e instanceof DataError && /127\.0\.0\.1:1\/x\.tar\.gz: download failed \(.*ECONNREFUSED/.test((e as Error).message));
  assert.deepEqual(await listFilesRecursive(dir), []);
});

test('dataDownload: fetch, extract safely, return the batches folder that loadDataset reads', async () => {
  const dir = tempDir();
  const dest = path.join(dir, 'downloads');
  const folder = await dataDownload({ url: `${base}/cifar-10-binary.tar.gz`, dest, md5 }, fast);
  assert.equal(folder, path.join(dest, 'cifar-10-batches-bin'));
  assert.ok(existsSync(path.join(folder, 'data_batch_1.bin')));
  const d = await loadDataset({ source: folder, classes: ['horse', 'airplane'], cacheDir: path.join(dir, 'cache') });
  assert.deepEqual(d.counts, [12, 12]);
  // again: archive kept (MD5 ok), folder re-extracted cleanly
  assert.equal(await dataDownload({ url: `${base}/cifar-10-binary.tar.gz`, dest, md5 }, fast), folder);
  const files = await listFilesRecursive(dest);
  assert.ok(!files.some((f) => f.includes('.tmp')), files.join(','));
  // a bad archive behind a good MD5 is reported, not extracted
  const bad = makeTarGz([{ path: '../escape.txt', data: Buffer.from('x') }]);
  const srv = http.createServer((_q, r) => r.end(bad));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const u = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/evil.tar.gz`;
    const d2 = path.join(dir, 'evil');
    await assert.rejects(dataDownload({ url: u, dest: d2, md5: 'none' }, fast), /evil\.tar\.gz: entry "..\/escape.txt" contains "\.\."/);
    assert.ok(!existsSync(path.join(dir, 'escape.txt')));
    assert.deepEqual(await fsp.readdir(d2), ['evil.tar.gz']);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
