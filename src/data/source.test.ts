import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveDataSource } from './source.js';

test('"auto": $PEGASUS_DATA, then the downloaded release, then the shared image folders; else one line saying what to do', () => {
  const cwd = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-source-'));
  const saved = process.env.PEGASUS_DATA;
  try {
    // one level down, so that ../shared is inside the temporary folder whatever lies beside it
    fs.mkdirSync(path.join(dir, 'work'));
    process.chdir(path.join(dir, 'work'));
    delete process.env.PEGASUS_DATA;
    assert.equal(resolveDataSource('some/folder'), 'some/folder');
    assert.throws(() => resolveDataSource('auto'), /^Error: data source "auto": none of data\/downloads\/cifar-10-batches-bin, \.\.\/shared\/data\/cifar10 exists; run `pegasus data download`/);
    fs.mkdirSync('data/downloads/cifar-10-batches-bin', { recursive: true });
    assert.equal(resolveDataSource('auto'), path.resolve('data/downloads/cifar-10-batches-bin'));
    process.env.PEGASUS_DATA = '/elsewhere';
    assert.equal(resolveDataSource('auto'), '/elsewhere');
  } finally {
    process.chdir(cwd);
    if (saved === undefined) delete process.env.PEGASUS_DATA;
    else process.env.PEGASUS_DATA = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
