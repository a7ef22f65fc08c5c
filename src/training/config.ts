// Run configuration: defaults -> preset or JSON file -> command-line flags, validated by one schema.
// The resolved config is saved in every run folder and in every checkpoint.
import fs from 'node:fs';
import { z } from 'zod';
import { ARCHS, isConditional } from '../models/index.js';
import { LOSSES } from './losses.js';
import { BACKENDS } from '../engine/backend.js';

const Mixing = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('combined') }).strict(),
  z.object({ kind: z.literal('alternate') }).strict(),
  z.object({ kind: z.literal('phases'), iterations: z.array(z.number().int().positive()).min(1) }).strict(),
]);

export const ConfigSchema = z.object({
  name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only').optional(),
  description: z.string().optional(),
  seed: z.number().int().min(0).default(1),
  backend: z.enum(BACKENDS).default('auto'),
  threads: z.number().int().positive().optional(),
  data: z.object({
    /** A folder of class folders, cifar-10-binary.tar.gz, its extracted folder, or "auto". */
    source: z.string().default('auto'),
    classes: z.array(z.string()).min(1).default(['horse', 'airplane']),
    splits: z.array(z.enum(['train', 'test'])).min(1).default(['train', 'test']),
    flip: z.boolean().default(true),
    grayscale: z.boolean().default(false),
    mixing: Mixing.default({ kind: 'combined' }),
    cacheDir: z.string().default('data/cache'),
  }).strict().default({}),
  model: z.object({
    arch: z.enum(ARCHS).default('dcgan'),
    imageSize: z.union([z.literal(32), z.literal(64)]).default(64),
    nz: z.number().int().positive().default(100),
    ngf: z.number().int().positive().default(64),
    ndf: z.number().int().positive().default(64),
    // biases on D's convs where no batch-norm follows (spectral-norm D); the seed's D has none
    dBias: z.boolean().default(false),
  }).strict().default({}),
  train: z.object({
    steps: z.number().int().positive().default(2000),
    batchSize: z.number().int().positive().default(64),
    loss: z.enum(LOSSES).default('bce'),
    lrD: z.number().positive().default(2e-4),
    lrG: z.number().positive().default(2e-4),
    beta1: z.number().min(0).max(1).default(0.5),
    beta2: z.number().min(0).max(1).default(0.999),
    /** D updates per G update, each on its own real batch. */
    dSteps: z.number().int().positive().default(1),
    /** Real targets in [0.7, 1], fake in [0, 0.3]. */
    softLabels: z.boolean().default(false),
    /** Probability of flipping each D target. */
    labelFlip: z.number().min(0).max(0.5).default(0),
    /** FreezeD: D's first k layers keep the weights they start with (transfer learning). */
    freezeD: z.number().int().min(0).default(0),
    /** Exponential moving average of G's weights with this decay (0 = off); samples use the average. */
    emaDecay: z.number().min(0).lt(1).default(0),
  }).strict().default({}),
  /** Start from another run's weights (G, D and their buffers; not the optimizer, step 0). */
  init: z.object({ from: z.string().optional() }).strict().default({}),
  /** Metrics during training with the project's classifier (skipped when it is missing). */
  eval: z.object({
    every: z.number().int().min(0).default(500),
    samples: z.number().int().min(10).default(1000),
    realSamples: z.number().int().min(10).default(2000),
    classifier: z.string().default('models/classifier.ckpt'),
  }).strict().default({}),
  output: z.object({
    /** Run folder; default runs/<name or arch-size-classes>. */
    dir: z.string().optional(),
    logEvery: z.number().int().positive().default(10),
    sampleEvery: z.number().int().positive().default(100),
    checkpointEvery: z.number().int().positive().default(250),
  }).strict().default({}),
}).strict().superRefine((c, ctx) => {
  if (isConditional(c.model.arch) && c.data.classes.length !== 2) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['data', 'classes'], message: `${c.model.arch} is conditional on two classes (horse = 0, wing class = 1); got ${c.data.classes.length}` });
  }
  const dLayers = c.model.imageSize === 64 ? 5 : 4;
  if (c.train.freezeD >= dLayers) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['train', 'freezeD'], message: `D has ${dLayers} layers at ${c.model.imageSize} px; freezing ${c.train.freezeD} leaves nothing to train` });
  }
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Deep merge of plain objects; arrays and scalars replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates, with one readable line per problem: "train.lrD: Expected number, received string". */
export function parseConfig(raw: unknown, origin: string): Config {
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`${origin}: invalid config: ${lines.join('; ')}`);
}

export class ConfigError extends Error {}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read config (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const v: unknown = JSON.parse(text);
    if (!isPlainObject(v)) throw new Error('not an object');
    return v;
  } catch (e) {
    throw new ConfigError(`${file}: not a JSON object (${(e as Error).message})`);
  }
}

/** "train.lrD=4e-4" -> { train: { lrD: 4e-4 } }; values parse as JSON when they can, else stay strings. */
export function parseAssignment(text: string): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set ${text}: expected key.path=value`);
  const keys = text.slice(0, eq).split('.');
  const rawValue = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(rawValue);
  } catch {
    value = rawValue;
  }
  return keys.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;
}

/** defaults -> layers (preset/file, then flags) -> validated config. */
export function resolveConfig(layers: { origin: string; values: Record<string, unknown> }[]): Config {
  let merged: Record<string, unknown> = {};
  for (const l of layers) merged = deepMerge(merged, l.values);
  return parseConfig(merged, layers.map((l) => l.origin).join(' + ') || 'defaults');
}

export function runName(cfg: Config): string {
  return cfg.name ?? `${cfg.model.arch}-${cfg.model.imageSize}px-${cfg.data.classes.join('-')}-seed${cfg.seed}`;
}
