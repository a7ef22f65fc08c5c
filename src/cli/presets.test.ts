import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { configFromFlags, presetFile } from './config-args.js';
import { listPresets } from './presets.js';

test('every preset validates, is named after its file and says what it is', () => {
  const presets = listPresets();
  assert.ok(presets.length >= 8, `${presets.length} presets`);
  for (const p of presets) {
    assert.equal(p.config.name, p.name, `${p.file}: name`);
    assert.ok((p.config.description ?? '').length > 20, `${p.file}: description`);
  }
  const names = presets.map((p) => p.name);
  for (const seedExperiment of ['seed-dcgan-horse-bird-alternate', 'seed-sndcgan-horse-airplane', 'seed-sndcgan-phases', 'seed-cdcgan-horse-bird', 'seed-sndcgan-soft-noisy-labels', 'seed-transfer-1-horse', 'seed-transfer-2-airplane']) {
    assert.ok(names.includes(seedExperiment), seedExperiment);
  }
});

test('flags apply on top of a preset; an unknown preset names the known ones', () => {
  const c = configFromFlags({ preset: 'seed-sndcgan-phases', size: '32' }, []);
  assert.equal(c.model.arch, 'sndcgan');
  assert.equal(c.model.imageSize, 32);
  assert.deepEqual(c.data.mixing, { kind: 'phases', iterations: [1500, 1000, 700, 500, 300] });
  assert.throws(() => presetFile('nope'), /--preset nope: unknown preset \(known: .*quickstart/);
  assert.throws(() => presetFile('../package'), /unknown preset/);
});

test('a broken preset file is an error naming the file and the key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-presets-'));
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ name: 'bad', train: { lrD: 'fast' } }));
  assert.throws(() => listPresets(dir), (e: Error) => e.message.includes('bad.json') && e.message.includes('train.lrD'));
  fs.rmSync(dir, { recursive: true });
});
