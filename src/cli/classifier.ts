// `pegasus classifier train | eval`: the project's own CIFAR-10 classifier (evaluation features).
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { CIFAR10_CLASSES, loadDataset } from '../data/index.js';
import { resolveDataSource } from '../data/source.js';
import { accuracy, CLASSIFIER_CHECKPOINT, CLASSIFIER_DEFAULTS, exportClassifier, openClassifier, trainClassifier, type ClassifierTrainConfig } from '../evaluation/classifier-train.js';
import { intArg } from './int-arg.js';

/** An optional integer flag (undefined keeps the default). */
const int = (name: string, v: unknown, min = 1): number | undefined => (v === undefined ? undefined : intArg(name, String(v), min));

async function splits(source: string) {
  const src = resolveDataSource(source);
  const [train, test] = await Promise.all(['train', 'test'].map((s) => loadDataset({ source: src, classes: [...CIFAR10_CLASSES], splits: [s as 'train' | 'test'] })));
  return { train: train!, test: test! };
}

const trainCmd = defineCommand({
  meta: { name: 'train', description: 'Train the CIFAR-10 classifier on the train split (all 10 classes); test accuracy with flip TTA' },
  args: {
    data: { type: 'string', default: 'auto', description: 'CIFAR-10 source (image folders or the official release)' },
    out: { type: 'string', default: 'runs/classifier', description: 'run folder (checkpoint, log)' },
    width: { type: 'string', description: `base width (default ${CLASSIFIER_DEFAULTS.width})` },
    epochs: { type: 'string', description: `epochs (default ${CLASSIFIER_DEFAULTS.epochs})` },
    batch: { type: 'string', description: `batch size (default ${CLASSIFIER_DEFAULTS.batchSize})` },
    seed: { type: 'string', description: `seed (default ${CLASSIFIER_DEFAULTS.seed})` },
    until: { type: 'string', description: 'stop at this step (with a checkpoint); --resume continues' },
    resume: { type: 'boolean', default: false, description: 'continue the run in --out' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
    progress: { type: 'boolean', default: true, description: 'progress bar', negativeDescription: 'no progress output' },
  },
  async run({ args }) {
    const config: ClassifierTrainConfig = { ...CLASSIFIER_DEFAULTS };
    const set = <K extends keyof ClassifierTrainConfig>(k: K, v: ClassifierTrainConfig[K] | undefined) => { if (v !== undefined) config[k] = v; };
    set('width', int('width', args.width));
    set('epochs', int('epochs', args.epochs));
    set('batchSize', int('batch', args.batch));
    set('seed', int('seed', args.seed, 0));
    const b = await initBackend(parseBackend(args.backend));
    console.log(`backend: ${b.detail}, ${b.threads} thread(s)`);
    const { train, test } = await splits(args.data);
    const untilStep = int('until', args.until);
    const r = await trainClassifier({ config, train, test, outDir: args.out, resume: args.resume, progress: args.progress, ...(untilStep ? { untilStep } : {}) });
    console.log(`checkpoint: ${r.checkpoint}`);
  },
});

const evalCmd = defineCommand({
  meta: { name: 'eval', description: "A classifier checkpoint's accuracy on the CIFAR-10 test split (flip TTA)" },
  args: {
    checkpoint: { type: 'positional', required: false, default: path.join('runs/classifier', CLASSIFIER_CHECKPOINT), description: 'classifier checkpoint' },
    data: { type: 'string', default: 'auto', description: 'CIFAR-10 source' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    await initBackend(parseBackend(args.backend));
    const { model, classes } = openClassifier(String(args.checkpoint));
    const { test } = await splits(args.data);
    if (classes.join() !== test.classes.join()) throw new Error(`${String(args.checkpoint)}: trained on classes ${classes.join(',')}, not CIFAR-10's`);
    const t = performance.now();
    const acc = accuracy(model, test);
    console.log(`test accuracy ${(100 * acc).toFixed(2)}% on ${test.labels.length} images (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  },
});

const exportCmd = defineCommand({
  meta: { name: 'export', description: 'Write a trained classifier as float16 weights (the shipped models/classifier.ckpt)' },
  args: {
    checkpoint: { type: 'positional', required: false, default: path.join('runs/classifier', CLASSIFIER_CHECKPOINT), description: 'classifier training checkpoint' },
    out: { type: 'string', default: 'models/classifier.ckpt', description: 'where to write the weights' },
    data: { type: 'string', default: 'auto', description: 'CIFAR-10 source, to measure the exported weights' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    await initBackend(parseBackend(args.backend));
    const from = String(args.checkpoint);
    const log = path.join(path.dirname(from), 'log.jsonl');
    const rows = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
    const bytes = await exportClassifier(from, args.out, { exportedFrom: from, log: rows, trainingSeconds: rows.at(-1)?.time ?? null });
    const { model } = openClassifier(args.out);
    const { test } = await splits(args.data);
    const acc = accuracy(model, test);
    console.log(`${args.out}: ${(bytes / 1e6).toFixed(2)} MB float16; test accuracy of the exported weights ${(100 * acc).toFixed(2)}% (flip TTA)`);
  },
});

export const classifierCommand = defineCommand({
  meta: { name: 'classifier', description: 'The CIFAR-10 classifier behind CIFAR-FID, KID and the pegasus score' },
  subCommands: { train: trainCmd, eval: evalCmd, export: exportCmd },
});
