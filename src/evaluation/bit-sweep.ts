// How strongly a conditional G's class bit steers the class: at each bit value, the classifier's
// mean probability of the two classes over the same n samples (same z for every bit). A G that
// ignores its bit gives flat columns; the seed's claim is a horse at 0 and a bird or plane at 1.
import type { Gan } from '../models/gan.js';
import type { Classifier } from './classifier.js';
import { classifierView, meanProbability, sampleImages } from './evaluate.js';

/** Mean class probabilities at one bit value: first = class at bit 0 (horse), second = class at bit 1. */
export interface BitSweepPoint { bit: number; first: number; second: number }

/** `classes`: the classifier's indices of the class at bit 0 and at bit 1. */
export async function bitSweepProbabilities(gan: Gan, model: Classifier, classes: [number, number], bits: number[], n: number, seed: number): Promise<BitSweepPoint[]> {
  if (!gan.conditional) throw new Error('a class-bit sweep needs a conditional model (cdcgan or cbn-proj)');
  const out: BitSweepPoint[] = [];
  for (const bit of bits) {
    const { images, size } = await sampleImages(gan, n, seed, bit);
    const view = await classifierView(model, images, size);
    out.push({ bit, first: meanProbability(view, classes[0]), second: meanProbability(view, classes[1]) });
  }
  return out;
}
