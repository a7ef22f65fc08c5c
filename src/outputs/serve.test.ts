// The page server: it serves its assets and the run folders it was given and nothing else (raw
// "..", encoded and double-encoded variants, absolute paths, symlinks out), is read-only, answers
// only to loopback host names, and streams a run's new log rows and steps as server-sent events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { safeSegments } from './serve-paths.js';
import { startPageServer, type PageServer } from './serve.js';

const SECRET = 'top-secret-do-not-serve';
let dir = '', server: PageServer, port = 0;

const row = (step: number) => ({ step, epoch: 0, lossD: 1, lossDReal: 0.5, lossDFake: 0.5, lossG: 2, dx: 0.5, dgz1: 0.4, dgz2: 0.3, time: step / 10 });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-serve-'));
  fs.writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  const run = path.join(dir, 'runs', 'a');
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(run, 'config.json'), JSON.stringify({ model: { arch: 'dcgan' }, train: { steps: 100 } }));
  fs.writeFileSync(path.join(run, 'log.jsonl'), `${JSON.stringify(row(10))}\n`);
  fs.writeFileSync(path.join(run, '.hidden'), SECRET);
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(run, 'link-out.txt'));
  fs.symlinkSync(dir, path.join(run, 'dir-out'));
  fs.mkdirSync(path.join(dir, 'runs', 'classifier'));
  fs.writeFileSync(path.join(dir, 'runs', 'classifier', 'config.json'), JSON.stringify({ width: 32 }));
  const assets = path.join(dir, 'assets');
  fs.mkdirSync(path.join(assets, 'chunks'), { recursive: true });
  fs.writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(assets, 'chunks', 'a.js'), 'export {}');
  fs.writeFileSync(path.join(assets, 'x.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  server = await startPageServer({ runs: [path.join(dir, 'runs')], assets, models: path.join(dir, 'no-models'), classifier: path.join(dir, 'none.ckpt'), port: 0, pollMs: 50 });
  port = Number(new URL(server.url).port);
});

after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A raw request: the path goes on the wire as written (http.request does not normalise it). */
function request(rawPath: string, o: { method?: string; host?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: o.method ?? 'GET', headers: { host: o.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves its assets and the run files it was given, with content types', async () => {
  const index = await request('/');
  assert.equal(index.status, 200);
  assert.match(index.type, /text\/html/);
  assert.equal((await request('/assets/chunks/a.js')).type, 'text/javascript; charset=utf-8');
  assert.equal((await request('/assets/x.wasm')).type, 'application/wasm');
  const log = await request('/files/runs/a/log.jsonl');
  assert.equal(log.status, 200);
  assert.equal(JSON.parse(log.body).step, 10);
  assert.equal((await request('/files/runs/a/nope.png')).status, 404);
  assert.equal((await request('/files/runs/a')).status, 404, 'a folder is not a file');
});

test('nothing outside the roots: "..", encoded, double-encoded, backslashes, absolute paths, hidden files, symlinks out', async () => {
  const attempts = [
    '/files/runs/a/../../secret.txt', '/files/runs/../secret.txt', '/assets/../../secret.txt',
    '/files/runs/a/%2e%2e/%2e%2e/secret.txt', '/files/runs/a/%2E%2E/%2E%2E/secret.txt', '/files/runs/%2e%2e/secret.txt',
    '/files/runs/a/..%2f..%2fsecret.txt', '/files/runs/a/%2e%2e%2f%2e%2e%2fsecret.txt', '/files/runs/a/%252e%252e/%252e%252e/secret.txt',
    '/files/runs/a/%252e%252e%252f%252e%252e%252fsecret.txt', '/assets/..%5c..%5csecret.txt', '/files/runs/a/..\\..\\secret.txt',
    `/files/runs/${encodeURIComponent(path.join(dir, 'secret.txt'))}`, `/files${path.join(dir, 'secret.txt')}`, `/assets/%2f${encodeURIComponent(dir.slice(1))}%2fsecret.txt`,
    '//secret.txt', `/${dir}/secret.txt`, '/files//runs/a/log.jsonl', '/files/runs/a/.hidden', '/files/runs/a/%2ehidden',
    '/files/runs/a/link-out.txt', '/files/runs/a/dir-out/secret.txt', '/files/runs/a/secret.txt%00.png', '/files/runs/a/%c0%ae%c0%ae/secret.txt',
    '/files/runs/a/%', '/secret.txt', '/files/secret.txt', `/files/${path.basename(dir)}/secret.txt`,
  ];
  for (const p of attempts) {
    const r = await request(p);
    assert.notEqual(r.status, 200, `${p} was served`);
    assert.ok(!r.body.includes(SECRET), `${p} leaked the file`);
  }
});

test('safeSegments decodes each segment once and refuses what could climb out', () => {
  assert.deepEqual(safeSegments('/files/runs/my%20run/log.jsonl'), ['files', 'runs', 'my run', 'log.jsonl']);
  for (const p of ['/a/../b', '/a/%2e%2e/b', '/a/..%2fb', '/a/%252e%252e', '/a//b', '/a/.git', '/a/b%5cc', '/a/%00', '/a/%zz', 'relative']) assert.equal(safeSegments(p), null, p);
});

test('read-only: other methods get 405 and change nothing', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const r = await request('/files/runs/a/log.jsonl', { method });
    assert.equal(r.status, 405, method);
  }
  assert.equal(fs.readFileSync(path.join(dir, 'runs', 'a', 'log.jsonl'), 'utf8'), `${JSON.stringify(row(10))}\n`);
});

test('a loopback server refuses foreign Host headers (DNS rebinding)', async () => {
  assert.equal((await request('/api/index', { host: 'evil.example:8080' })).status, 421);
  assert.equal((await request('/api/index', { host: `localhost:${port}` })).status, 200);
});

test('/api/index lists GAN runs only, and no classifier when there is none', async () => {
  const index = JSON.parse((await request('/api/index')).body);
  assert.deepEqual(index.runs.map((r: { id: string }) => r.id), ['runs/a']);
  assert.equal(index.runs[0].files, '/files/runs/a/');
  assert.equal(index.classifier, null);
  assert.deepEqual(index.models, []);
  assert.equal((await request('/classifier.ckpt')).status, 404);
});

/** Reads server-sent events until `until` says stop; returns them. */
function events(id: string, until: (evs: { event: string; data: any }[]) => boolean, onOpen?: () => void): Promise<{ event: string; data: any }[]> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/api/events?run=${encodeURIComponent(id)}` }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream');
      const evs: { event: string; data: any }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1], data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) evs.push({ event: ev, data: JSON.parse(data) });
        }
        if (until(evs)) {
          req.destroy();
          resolve(evs);
        }
      });
      onOpen?.();
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
  });
}

test('live events: the rows so far, then new rows as the log grows, and steps from the training process', async () => {
  const runDir = path.join(dir, 'runs', 'a');
  const evs = await events('runs/a', (e) => e.some((x) => x.event === 'rows' && x.data.rows.some((r: { step: number }) => r.step === 20)) && e.some((x) => x.event === 'step'), () => {
    setTimeout(() => {
      fs.appendFileSync(path.join(runDir, 'log.jsonl'), `${JSON.stringify(row(20))}\n{"step": 30, "partial`);
      server.notifyStep(runDir, 21);
    }, 120);
  });
  const rows = evs.filter((e) => e.event === 'rows');
  assert.deepEqual(rows[0]!.data.rows.map((r: { step: number }) => r.step), [10]);
  assert.equal(rows[0]!.data.reset, true);
  assert.deepEqual(rows.flatMap((e) => e.data.rows.map((r: { step: number }) => r.step)), [10, 20], 'the partial line is not sent');
  assert.equal(evs.find((e) => e.event === 'config')!.data.config.train.steps, 100);
  assert.equal(evs.find((e) => e.event === 'step')!.data.step, 21);
  assert.equal((await request('/api/events?run=runs%2Fnope')).status, 404);
  assert.equal((await request('/api/events?run=..%2F..')).status, 404);
});
