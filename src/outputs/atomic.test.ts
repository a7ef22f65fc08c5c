import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-atomic-'));
}
const tmpFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

for (const [name, write] of [
  ['async', (f: string, d: Buffer | string) => writeFileAtomic(f, d)],
  ['sync', async (f: string, d: Buffer | string) => writeFileAtomicSync(f, d)],
] as const) {
  test(`${name}: creates parent dirs, writes, replaces`, async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'a', 'b', 'x.txt');
    await write(file, 'first');
    assert.equal(fs.readFileSync(file, 'utf8'), 'first');
    await write(file, Buffer.from([1, 2, 3]));
    assert.deepEqual([...fs.readFileSync(file)], [1, 2, 3]);
    assert.deepEqual(tmpFiles(path.dirname(file)), []);
    fs.rmSync(dir, { recursive: true });
  });

  test(`${name}: a failed write leaves no temp file and the old target intact`, async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'x.json');
    fs.writeFileSync(file, 'old');
    // Invalid data makes the write throw after the temp file was created.
    await assert.rejects(write(file, 12345 as unknown as string));
    assert.equal(fs.readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(tmpFiles(dir), []);
    fs.rmSync(dir, { recursive: true });
  });

  test(`${name}: a failed rename (target is a non-empty directory) leaves no temp file`, async () => {
    const dir = tmpDir();
    const target = path.join(dir, 'taken');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'k');
    await assert.rejects(write(target, 'data'));
    assert.deepEqual(tmpFiles(dir), []);
    assert.equal(fs.readFileSync(path.join(target, 'keep'), 'utf8'), 'k');
    fs.rmSync(dir, { recursive: true });
  });
}
