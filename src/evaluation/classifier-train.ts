// Training the CIFAR-10 classifier: Page's recipe scaled down (Nesterov SGD, weight decay,
// one-cycle learning rate, label smoothing, crop + flip augmentation), resumable from its
// checkpoint, deterministic in (seed, step). Test accuracy uses flip test-time augmentation.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { cropFlipBatch, plainBatch } from '../data/augment.js';
import type { LabeledImages } from '../data/dataset.js';
import { permutation } from '../data/schedule.js';
import { appendLogRow, stepRow, truncateLogAfter } from '../outputs/log.js';
import { createTrainProgress } from '../outputs/progress.js';
import { loadCheckpoint, prefixed, saveCheckpoint, unprefixed } from '../training/checkpoint.js';
import { Sgd } from '../training/sgd.js';
import { buildClassifier, type Classifier } from './classifier.js';
import { classifierFromCheckpoint, type LoadedClassifier } from './classifier-checkpoint.js';

export interface ClassifierTrainConfig {
  width: number;
  epochs: number;
  batchSize: number;
  /** one-cycle: 0 -> lrPeak over warmupEpochs, then linearly to 0 at the end */
  lrPeak: number;
  warmupEpochs: number;
  momentum: number;
  weightDecay: number;
  labelSmoothing: number;
  /** random-crop padding in pixels */
  pad: number;
  seed: number;
  /** evaluate on the test split every this many epochs (and at the end) */
  evalEvery: number;
}

export const CLASSIFIER_DEFAULTS: ClassifierTrainConfig = {
  // Page's 0.4 at batch 512 scaled linearly to 256 (512 overflows the wasm heap's 4 GB at width 32)
  width: 32, epochs: 10, batchSize: 256, lrPeak: 0.2, warmupEpochs: 2, momentum: 0.9,
  weightDecay: 5e-4, labelSmoothing: 0.2, pad: 4, seed: 1, evalEvery: 2,
};

export const CLASSIFIER_CHECKPOINT = 'classifier.ckpt';

export function learningRate(cfg: ClassifierTrainConfig, epochFloat: number): number {
  const { lrPeak, warmupEpochs: w, epochs } = cfg;
  if (epochFloat <= w) return (lrPeak * epochFloat) / w;
  return Math.max(0, (lrPeak * (epochs - epochFloat)) / (epochs - w));
}

/** Logits of a batch in evaluation mode, averaged with those of the mirrored batch. */
export function evalLogits(model: Classifier, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const a = model.forward(x, { training: false }).logits;
    const b = model.forward(tf.reverse(x, 2) as tf.Tensor4D, { training: false }).logits;
    return tf.div(tf.add(a, b), 2) as tf.Tensor2D;
  });
}

/** Top-1 accuracy on labelled images (flip TTA), in batches. */
export function accuracy(model: Classifier, data: LabeledImages, batch = 500): number {
  let right = 0;
  const n = data.labels.length;
  for (let i = 0; i < n; i += batch) {
    const idx = Array.from({ length: Math.min(batch, n - i) }, (_, j) => i + j);
    const pred = tf.tidy(() => tf.argMax(evalLogits(model, tf.tensor4d(plainBatch(data.images, data.size, idx), [idx.length, data.size, data.size, 3])), 1).dataSync());
    for (let j = 0; j < idx.length; j++) if (pred[j] === data.labels[i + j]) right++;
  }
  return right / n;
}

export interface ClassifierTrainOptions {
  config: ClassifierTrainConfig;
  train: LabeledImages;
  test: LabeledImages;
  outDir: string;
  resume?: boolean;
  progress?: boolean;
  log?: (line: string) => void;
  /** Stop (with a checkpoint) once this step is reached; a later --resume goes on. */
  untilStep?: number;
}

export interface ClassifierTrainResult { steps: number; testAccuracy: number; seconds: number; checkpoint: string }

async function save(file: string, step: number, cfg: ClassifierTrainConfig, model: Classifier, opt: Sgd, extra: { classes: string[]; testAccuracy: number }): Promise<void> {
  return saveCheckpoint(file, step, { kind: 'classifier', config: cfg, ...extra },
    new Map([...prefixed('C/', await model.params.snapshot()), ...prefixed('opt/', await opt.state())]));
}

/** The command line that trains a classifier with this config (the defaults' flags spelled out). */
export function trainCommandOf(cfg: ClassifierTrainConfig): string {
  return `npx pegasus classifier train --width ${cfg.width} --epochs ${cfg.epochs} --batch ${cfg.batchSize} --seed ${cfg.seed}`;
}

/**
 * Writes a classifier's weights alone (no optimizer state) as a float16 checkpoint for shipping,
 * with its training config and provenance in the header. Returns the file's size in bytes.
 */
export async function exportClassifier(from: string, to: string, provenance: Record<string, unknown>): Promise<number> {
  const ck = loadCheckpoint(from);
  if (ck.meta.kind !== 'classifier') throw new Error(`${from}: not a classifier checkpoint`);
  const weights = new Map([...ck.tensors].filter(([k]) => k.startsWith('C/')));
  const command = trainCommandOf(ck.meta.config as ClassifierTrainConfig);
  await saveCheckpoint(to, ck.step, { ...ck.meta, provenance: { command, ...provenance } }, weights, 'float16');
  return fs.statSync(to).size;
}

/** A trained classifier from its checkpoint (training or shipped), ready for evaluation. */
export function openClassifier(file: string): LoadedClassifier {
  return classifierFromCheckpoint(loadCheckpoint(file), file);
}

export async function trainClassifier(o: ClassifierTrainOptions): Promise<ClassifierTrainResult> {
  const cfg = o.config;
  const log = o.log ?? ((l: string) => console.log(l));
  const { train, test } = o;
  if (train.size !== 32) throw new Error(`classifier: needs 32x32 images, got ${train.size}`);
  const file = path.join(o.outDir, CLASSIFIER_CHECKPOINT);
  const logFile = path.join(o.outDir, 'log.jsonl');
  fs.mkdirSync(o.outDir, { recursive: true });
  if (!o.resume && fs.existsSync(file)) throw new Error(`${o.outDir}: already holds a classifier; pass --resume to continue it or choose another --out`);
  const model = buildClassifier({ width: cfg.width, classes: train.classes.length }, cfg.seed);
  const opt = new Sgd(model.params.trainable(), { momentum: cfg.momentum, nesterov: true, weightDecay: cfg.weightDecay });
  const N = train.labels.length, B = cfg.batchSize;
  const perEpoch = Math.floor(N / B); // the last partial batch of each epoch is dropped
  const total = perEpoch * cfg.epochs;
  let step = 0;
  try {
    if (o.resume) {
      const ck = loadCheckpoint(file);
      if (JSON.stringify(ck.meta.config) !== JSON.stringify(cfg)) throw new Error(`${file}: was trained with another config (${JSON.stringify(ck.meta.config)})`);
      model.params.load(unprefixed('C/', ck.tensors), file);
      opt.loadState(ck.step, unprefixed('opt/', ck.tensors), file);
      step = ck.step;
      if (fs.existsSync(logFile)) truncateLogAfter(logFile, step, stepRow);
      log(`resuming ${file} at step ${step}`);
    }
    fs.writeFileSync(path.join(o.outDir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
    log(`classifier: width ${cfg.width}, ${model.params.size()} parameters; ${N} training images, ${perEpoch} steps/epoch of ${B}, ${cfg.epochs} epochs`);
    const progress = o.progress ? createTrainProgress(total, step) : null;
    const started = performance.now();
    const startStep = step;
    let lossSum = 0, lossCount = 0, lastAcc = NaN;
    try {
      const stop = Math.min(total, o.untilStep ?? total);
      while (step < stop) {
        const epoch = Math.floor(step / perEpoch), offset = step % perEpoch;
        const perm = permutation(cfg.seed, epoch, 'classifier', N);
        const idx = perm.subarray(offset * B, offset * B + B);
        const lr = learningRate(cfg, (step + 1) / perEpoch);
        const loss = tf.tidy(() => {
          const x = tf.tensor4d(cropFlipBatch(train.images, 32, idx, cfg.pad, cfg.seed, step), [B, 32, 32, 3]);
          const y = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => train.labels[i]!), 'int32'), train.classes.length);
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true }).logits, undefined, cfg.labelSmoothing) as tf.Scalar);
          const byName = new Map(model.params.trainable().map((p) => [p.name, grads[p.variable.name]!]));
          opt.apply(byName, lr);
          return value.dataSync()[0]!;
        });
        step++;
        lossSum += loss;
        lossCount++;
        progress?.update(step, { epoch: step / perEpoch, groups: [[{ name: 'loss', short: 'L', value: loss }, { name: 'lr', short: 'lr', value: lr }], [{ name: 'test acc', short: 'acc', value: lastAcc }]] });
        const epochDone = step % perEpoch === 0;
        if (epochDone || step === stop) {
          const ep = step / perEpoch;
          const evalNow = step === total || (epochDone && ep % cfg.evalEvery === 0);
          if (evalNow) lastAcc = accuracy(model, test);
          const meanLoss = lossSum / lossCount;
          appendLogRow(logFile, { step, epoch: ep, loss: meanLoss, lr, ...(evalNow ? { testAccuracy: lastAcc } : {}), time: (performance.now() - started) / 1000 });
          lossSum = 0; lossCount = 0;
          await save(file, step, cfg, model, opt, { classes: train.classes, testAccuracy: lastAcc });
          const line = `epoch ${ep}: mean loss ${meanLoss.toFixed(4)}${evalNow ? `, test accuracy ${(100 * lastAcc).toFixed(2)}%` : ''}`;
          if (progress) progress.log(line);
          else log(line);
        }
      }
    } finally {
      progress?.stop();
    }
    if (Number.isNaN(lastAcc)) lastAcc = accuracy(model, test);
    const seconds = (performance.now() - started) / 1000;
    log(`${step - startStep} steps in ${seconds.toFixed(0)} s; test accuracy ${(100 * lastAcc).toFixed(2)}% (flip TTA, ${test.labels.length} images)`);
    return { steps: step, testAccuracy: lastAcc, seconds, checkpoint: file };
  } finally {
    opt.dispose();
    model.params.dispose();
  }
}
