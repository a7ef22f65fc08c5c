// The CLI as a user meets it: bad input is one line on stderr naming the file and the problem,
// and a non-zero exit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from './run-cli.js';

function pegasus(...args: string[]) {
  const r = runCli(args);
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

test('bad input: one line on stderr with the file and the problem, exit code 1', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-cli-'));
  const badConfig = path.join(dir, 'bad.json');
  fs.writeFileSync(badConfig, JSON.stringify({ train: { lrD: 'fast' } }));
  const cases: [string[], RegExp][] = [
    [['data', 'info', path.join(dir, 'missing')], /missing/],
    [['train', '--preset', 'nope'], /--preset nope: unknown preset/],
    [['train', '--config', badConfig], /bad\.json.*train\.lrD/],
    [['train', '--size', '48'], /model\.imageSize/],
    [['eval', dir, '--classifier', path.join(dir, 'none.ckpt')], /none\.ckpt: no classifier here/],
    [['bench', '--backend', 'gpu'], /--backend gpu: expected one of auto, native, wasm, webgpu, cpu/],
    [['serve', '--port', 'http'], /--port http: expected an integer in \[0, 65535\]/],
  ];
  for (const [args, message] of cases) {
    const r = pegasus(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}; ${r.err}`);
    const lines = r.err.split('\n').filter((l) => !l.startsWith('backend:'));
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(lines[0]!, /^pegasus: /);
    assert.match(lines[0]!, message);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--help lists every command; presets lists the presets', () => {
  const help = pegasus('--help');
  assert.equal(help.code, 0);
  for (const c of ['start', 'train', 'presets', 'bench', 'data', 'classifier', 'eval', 'pick', 'interpolate', 'sample', 'report', 'serve', 'export', 'ship']) assert.match(help.out, new RegExp(`\\b${c}\\b`));
  const presets = pegasus('presets');
  assert.equal(presets.code, 0);
  assert.match(presets.out, /^quickstart +dcgan 32px horse\+airplane/m);
});
