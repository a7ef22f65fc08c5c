// Metrics during training (the cheap setting): every N steps, `samples` images from G against a
// fixed reference of up to `realSamples` real training images, CIFAR-FID and KID (10 subsets).
// Off, with one line saying why, when there is no classifier.
import fs from 'node:fs';
import type { LabeledImages } from '../data/dataset.js';
import type { Gan } from '../models/gan.js';
import { plainBatch } from '../data/augment.js';
import { openClassifier } from './classifier-train.js';
import { classifierView, compareSets, sampleImages, type ClassifierView } from './evaluate.js';
import type { Classifier } from './classifier.js';

export interface TrainingEvalConfig { every: number; samples: number; realSamples: number; classifier: string }

export interface TrainingEvaluator {
  /** { cifarFid, kid } of the generator now. */
  measure(gan: Gan, seed: number, step: number): Promise<Record<string, number>>;
  dispose(): void;
}

export async function createTrainingEvaluator(cfg: TrainingEvalConfig, data: LabeledImages, log: (l: string) => void): Promise<TrainingEvaluator | null> {
  if (cfg.every <= 0) return null;
  if (!fs.existsSync(cfg.classifier)) {
    log(`metrics during training off: no classifier at ${cfg.classifier} (pegasus classifier train / export)`);
    return null;
  }
  const { model, classes } = openClassifier(cfg.classifier);
  const real = await referenceView(model, data, cfg.realSamples);
  log(`metrics every ${cfg.every} steps: ${cfg.samples} samples vs ${real.features.n} real images (classifier ${cfg.classifier})`);
  return {
    async measure(gan, seed, step) {
      const { images, size } = await sampleImages(gan, cfg.samples, seed + 7 * step);
      const m = await compareSets(await classifierView(model, images, size), real, classes, { subsets: 10, subsetSize: Math.min(500, cfg.samples), seed: step });
      return { cifarFid: m.cifarFid, kid: m.kid.mean };
    },
    dispose() {
      model.params.dispose();
    },
  };
}

/** Up to `max` real images, evenly spaced through the set (it is ordered by class). */
function referenceView(model: Classifier, data: LabeledImages, max: number): Promise<ClassifierView> {
  const n = data.labels.length, k = Math.min(n, max);
  const idx = Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
  return classifierView(model, plainBatch(data.images, data.size, idx), data.size);
}
