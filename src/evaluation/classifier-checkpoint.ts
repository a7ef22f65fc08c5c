// The classifier restored from checkpoint bytes, with no Node APIs (the page scores images with it).
import { unprefixed, type Checkpoint } from '../training/checkpoint-format.js';
import { buildClassifier, type Classifier } from './classifier.js';

export interface LoadedClassifier { model: Classifier; classes: string[]; testAccuracy: number }

export function classifierFromCheckpoint(ck: Checkpoint, file: string): LoadedClassifier {
  if (ck.meta.kind !== 'classifier') throw new Error(`${file}: not a classifier checkpoint`);
  const cfg = ck.meta.config as { width: number; seed: number };
  const classes = ck.meta.classes as string[];
  const model = buildClassifier({ width: cfg.width, classes: classes.length }, cfg.seed);
  try {
    model.params.load(unprefixed('C/', ck.tensors), file);
  } catch (e) {
    model.params.dispose();
    throw e;
  }
  return { model, classes, testAccuracy: Number(ck.meta.testAccuracy) };
}
