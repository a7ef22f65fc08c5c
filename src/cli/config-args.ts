// Turns `pegasus train` flags into config layers: --preset / --config file first, then the
// shortcuts and every --set key.path=value, in the order given.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCHS } from '../models/index.js';
import { BACKENDS } from '../engine/backend.js';
import { ConfigError, parseAssignment, readConfigFile, resolveConfig, type Config } from '../training/config.js';

export const PRESETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'presets');

export const configArgs = {
  preset: { type: 'string', description: 'a preset by name (see `pegasus presets`)' },
  config: { type: 'string', description: 'a JSON config file (applied after the preset)' },
  set: { type: 'string', description: 'override any key: --set train.lrD=4e-4 (repeatable)' },
  arch: { type: 'string', description: ARCHS.join(' | ') },
  size: { type: 'string', description: 'image size: 32 or 64' },
  steps: { type: 'string', description: 'training steps (one D + one G update each)' },
  classes: { type: 'string', description: 'comma-separated CIFAR-10 class names, e.g. horse,airplane' },
  data: { type: 'string', description: 'data source: folder of class folders, cifar-10-binary.tar.gz or its folder' },
  mixing: { type: 'string', description: 'combined | alternate | phases:N1,N2,... (phase iterations)' },
  seed: { type: 'string', description: 'random seed' },
  batch: { type: 'string', description: 'batch size' },
  out: { type: 'string', description: 'run folder (default runs/<name>)' },
  backend: { type: 'string', description: `${BACKENDS.join(' | ')} (default auto: native kernels where built, else wasm)` },
  threads: { type: 'string', description: 'compute threads (default: all cores)' },
  from: { type: 'string', description: "start from another run's checkpoint (weights only, step 0)" },
  'freeze-d': { type: 'string', description: "FreezeD: keep D's first k layers fixed" },
} as const;

type Flags = Record<string, unknown>;

function num(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`--${name} ${v}: not a number`);
  return n;
}

export function presetFile(name: string): string {
  const file = path.join(PRESETS_DIR, `${name}.json`);
  if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file)) {
    const known = fs.existsSync(PRESETS_DIR) ? fs.readdirSync(PRESETS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
    throw new ConfigError(`--preset ${name}: unknown preset (known: ${known.join(', ') || 'none'})`);
  }
  return file;
}

function mixing(v: string): Record<string, unknown> {
  if (v === 'combined' || v === 'alternate') return { kind: v };
  const m = /^phases:([\d,]+)$/.exec(v);
  if (!m) throw new ConfigError(`--mixing ${v}: expected combined, alternate or phases:N1,N2,...`);
  return { kind: 'phases', iterations: m[1]!.split(',').filter(Boolean).map(Number) };
}

function shortcuts(f: Flags): Record<string, unknown> {
  const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
  const model: Record<string, unknown> = {}, train: Record<string, unknown> = {}, data: Record<string, unknown> = {}, output: Record<string, unknown> = {};
  const top: Record<string, unknown> = {};
  if (s('arch')) model.arch = s('arch');
  if (s('size')) model.imageSize = num('size', s('size')!);
  if (s('steps')) train.steps = num('steps', s('steps')!);
  if (s('batch')) train.batchSize = num('batch', s('batch')!);
  if (s('classes')) data.classes = s('classes')!.split(',').map((c) => c.trim()).filter(Boolean);
  if (s('data')) data.source = s('data');
  if (s('mixing')) data.mixing = mixing(s('mixing')!);
  if (s('out')) output.dir = s('out');
  if (s('seed')) top.seed = num('seed', s('seed')!);
  if (s('from')) top.init = { from: s('from') };
  if (s('freeze-d')) train.freezeD = num('freeze-d', s('freeze-d')!);
  if (s('backend')) top.backend = s('backend');
  if (s('threads')) top.threads = num('threads', s('threads')!);
  for (const [k, v] of Object.entries({ model, train, data, output })) if (Object.keys(v).length) top[k] = v;
  return top;
}

/** Every --set value in order (citty keeps only the last of a repeated flag, so read rawArgs). */
export function setFlags(rawArgs: string[]): string[] {
  const out: string[] = [];
  rawArgs.forEach((a, i) => {
    if (a === '--set' && rawArgs[i + 1] !== undefined) out.push(rawArgs[i + 1]!);
    else if (a.startsWith('--set=')) out.push(a.slice('--set='.length));
  });
  return out;
}

/** Config from flags; `base` (a resumed run's saved config) replaces --preset / --config. */
export function configFromFlags(f: Flags, rawArgs: string[], base?: { origin: string; values: Record<string, unknown> }): Config {
  const layers: { origin: string; values: Record<string, unknown> }[] = [];
  if (base) layers.push(base);
  else if (typeof f.preset === 'string') layers.push({ origin: `preset ${f.preset}`, values: readConfigFile(presetFile(f.preset)) });
  if (!base && typeof f.config === 'string') layers.push({ origin: f.config, values: readConfigFile(f.config) });
  layers.push({ origin: 'flags', values: shortcuts(f) });
  for (const a of setFlags(rawArgs)) layers.push({ origin: `--set ${a}`, values: parseAssignment(a) });
  return resolveConfig(layers);
}
