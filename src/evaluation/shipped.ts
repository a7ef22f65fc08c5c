// The shipped generator (models/pegasus.ckpt): G's weights in float16 (the run's EMA average when it
// kept one), the run's config, its model card, and the classifier features of up to 2,000 real
// images of its classes, so that the pegasus score's realism term works with no data set on disk.
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadCheckpoint, prefixed, saveCheckpoint, type Checkpoint } from '../training/checkpoint.js';
import { loadGenerator, type LoadedGenerator } from '../training/generator-view.js';
import { noise } from '../training/randomness.js';
import { generate } from '../training/sample.js';
import type { Features } from './metrics.js';
import { loadEvaluator, realReference } from './run-eval.js';
import { evenlySpacedRows } from './pegasus-score.js';
import { classifierDigest } from './digest.js';

export const SHIPPED_MODEL = 'models/pegasus.ckpt';
const REFERENCE = 'ref/features';

/** Largest pixel difference between G with float32 and float16 weights on 64 samples (what shipping in float16 costs). */
function float16Cost(ck: Checkpoint, file: string, shipped: Checkpoint): number {
  const a = loadGenerator(ck, file), b = loadGenerator(shipped, file);
  try {
    return tf.tidy(() => {
      const z = noise(64, a.gan.g.nz, 1, 0, 'float16-check');
      const c = a.gan.conditional ? tf.fill([64, 1], 0.5) as tf.Tensor2D : undefined;
      return tf.max(tf.abs(tf.sub(generate(a.gan, z, c, true), generate(b.gan, z, c, true)))).dataSync()[0]!;
    });
  } finally {
    a.gan.dispose();
    b.gan.dispose();
  }
}

export interface ShipResult { file: string; bytes: number; float16MaxPixelDiff: number; referenceImages: number }

/**
 * Writes the shipped model from a run's checkpoint (atomically); `card` is stored as the model card.
 * Given a shipped model instead, it ships the same weights again with reference features of
 * `classifier` (what a new classifier needs) and keeps its card unless `card` is given.
 */
export async function shipGenerator(o: { checkpoint: string; out: string; classifier?: string; data: string; card?: Record<string, unknown>; referenceImages?: number }): Promise<ShipResult> {
  const ck = loadCheckpoint(o.checkpoint);
  const reship = ck.meta.kind === 'generator';
  const gen = loadGenerator(ck, o.checkpoint);
  const ev = loadEvaluator(o.classifier);
  try {
    const weights = await gen.gan.g.params.snapshot();
    const ref = evenlySpacedRows((await realReference(ev, o.data, gen.spec.classes)).features, o.referenceImages ?? 2000);
    const meta = {
      kind: 'generator', config: ck.meta.config,
      trainedSteps: ck.step, // a shipped file keeps its run's step as its own
      averaged: reship ? ck.meta.averaged : gen.averaged,
      reference: { classifier: classifierDigest(ev.file), classes: gen.spec.classes, images: ref.n },
      card: o.card ?? (reship ? ck.meta.card : {}),
    };
    const tensors = new Map([...prefixed('G/', weights), [REFERENCE, { shape: [ref.n, ref.d], data: ref.data }]]);
    await saveCheckpoint(o.out, ck.step, meta, tensors, 'float16');
    const diff = float16Cost(ck, o.checkpoint, loadCheckpoint(o.out));
    return { file: o.out, bytes: fs.statSync(o.out).size, float16MaxPixelDiff: diff, referenceImages: ref.n };
  } finally {
    gen.gan.dispose();
    ev.model.params.dispose();
  }
}

export interface ShippedModel extends LoadedGenerator { reference: Features; card: Record<string, unknown>; meta: Record<string, unknown> }

/** Opens a shipped model and checks that its reference features belong to `classifierFile`. */
export function openShipped(file: string, classifierFile: string): ShippedModel {
  const ck = loadCheckpoint(file);
  if (ck.meta.kind !== 'generator') throw new Error(`${file}: not a shipped generator (make one with \`pegasus ship\`)`);
  const ref = ck.tensors.get(REFERENCE);
  if (!ref || ref.shape.length !== 2) throw new Error(`${file}: no reference features`);
  const want = (ck.meta.reference as { classifier?: string } | undefined)?.classifier;
  if (want !== classifierDigest(classifierFile)) throw new Error(`${file}: its reference features were made with another classifier than ${classifierFile}; ship it again`);
  const gen = loadGenerator(ck, file);
  return { ...gen, reference: { data: ref.data, n: ref.shape[0]!, d: ref.shape[1]! }, card: (ck.meta.card ?? {}) as Record<string, unknown>, meta: ck.meta };
}
