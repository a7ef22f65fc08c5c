// `pegasus ship`: a run's generator as the shipped model that `npm start` and the page load.
import fs from 'node:fs';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { DEFAULT_CLASSIFIER } from '../evaluation/run-eval.js';
import { SHIPPED_MODEL, shipGenerator } from '../evaluation/shipped.js';

function readCard(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read the model card (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: the model card must be a JSON object`);
  return v as Record<string, unknown>;
}

export const shipCommand = defineCommand({
  meta: { name: 'ship', description: `Write a run's generator (EMA weights when kept) as float16 with real reference features: the shipped model (${SHIPPED_MODEL})` },
  args: {
    checkpoint: { type: 'positional', required: true, description: 'checkpoint.ckpt of a run, or a shipped model to ship again with another classifier' },
    out: { type: 'string', default: SHIPPED_MODEL, description: 'where to write it' },
    card: { type: 'string', description: 'model card (JSON object: command, wall time, metrics, ...) stored in the file' },
    classifier: { type: 'string', default: DEFAULT_CLASSIFIER, description: 'classifier whose features of real images are stored for the realism score' },
    data: { type: 'string', default: 'auto', description: 'CIFAR-10 source of those real images' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    const card = readCard(args.card);
    await initBackend(parseBackend(args.backend));
    const r = await shipGenerator({ checkpoint: args.checkpoint, out: args.out, classifier: args.classifier, data: args.data, card });
    console.log(`${r.file}: ${(r.bytes / 1e6).toFixed(2)} MB (float16 weights, features of ${r.referenceImages} real images); float16 changes pixels by at most ${r.float16MaxPixelDiff.toFixed(4)} (of 2)`);
  },
});
