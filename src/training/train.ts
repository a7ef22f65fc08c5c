// The training loop: data -> steps -> log, samples, plot, checkpoints. Resumable exactly: the data
// order and every random draw are functions of (seed, step), the rest is in the checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createLoader, loadDataset, type LabeledImages, type Loader } from '../data/index.js';
import { resolveDataSource } from '../data/source.js';
import { writeGridPng } from '../outputs/images.js';
import { writeTrainingPlot } from '../outputs/plot.js';
import { appendLogRow, readLog, truncateLogAfter, type TrainLogRow } from '../outputs/log.js';
import { createTrainProgress, ganProgressFields } from '../outputs/progress.js';
import { writeFileAtomicSync } from '../outputs/atomic.js';
import { loadCheckpoint } from './checkpoint.js';
import { runName, type Config } from './config.js';
import { fixedGrid } from './sample.js';
import { checkpointConfig, createSession, initFromCheckpoint, restoreSession, saveSession, type Session } from './session.js';
import { trainStep, type RealBatch, type StepStats } from './step.js';
import { createTrainingEvaluator, type TrainingEvaluator } from '../evaluation/during-training.js';

export interface TrainOptions {
  config: Config;
  /** Run folder; default from the config. */
  runDir?: string;
  /** Continue the run in runDir from its checkpoint. */
  resume?: boolean;
  /** Images already loaded (tests); otherwise the config's data source is loaded. */
  data?: LabeledImages;
  /** Progress bar / lines on stdout. */
  progress?: boolean;
  log?: (line: string) => void;
  /** Called after every step (the page's live view listens here). */
  onStep?: (step: number, stats: StepStats) => void;
}

export interface TrainResult { runDir: string; steps: number; lastStats: StepStats | null; waitMs: number; seconds: number }

export const CHECKPOINT_FILE = 'checkpoint.ckpt';

export function defaultRunDir(cfg: Config): string {
  return cfg.output.dir ?? path.join('runs', runName(cfg));
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const cfg = o.config;
  const log = o.log ?? ((l: string) => console.log(l));
  const runDir = o.runDir ?? defaultRunDir(cfg);
  const ckptFile = path.join(runDir, CHECKPOINT_FILE);
  const logFile = path.join(runDir, 'log.jsonl');
  const session = createSession(cfg);
  try {
    prepareRunDir(runDir, ckptFile, !!o.resume);
    if (o.resume) resumeInto(session, ckptFile, logFile, log);
    else if (cfg.init.from) {
      initFromCheckpoint(session, cfg.init.from);
      log(`initialised from ${cfg.init.from}${cfg.train.freezeD ? `, D's first ${cfg.train.freezeD} layer(s) frozen` : ''}`);
    }
    writeFileAtomicSync(path.join(runDir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');

    const data = o.data ?? (await loadDataset({ source: resolveDataSource(cfg.data.source), classes: cfg.data.classes, splits: cfg.data.splits, cacheDir: cfg.data.cacheDir }, log));
    const loader = createLoader(data, {
      batchSize: cfg.train.batchSize, imageSize: cfg.model.imageSize, flip: cfg.data.flip,
      grayscale: cfg.data.grayscale, seed: cfg.seed, mixing: cfg.data.mixing,
      startStep: session.step * cfg.train.dSteps,
    });
    const evaluator = data.size === 32 || data.size === 64 ? await createTrainingEvaluator(cfg.eval, data, log) : null;
    try {
      return await loop(session, loader, { ...o, runDir, logFile, ckptFile, log, evaluator });
    } finally {
      evaluator?.dispose();
      await loader.close();
    }
  } finally {
    session.dispose();
  }
}

function prepareRunDir(runDir: string, ckptFile: string, resume: boolean): void {
  if (resume && !fs.existsSync(ckptFile)) throw new Error(`${ckptFile}: no checkpoint to resume from`);
  if (!resume && fs.existsSync(ckptFile)) throw new Error(`${runDir}: already holds a run; pass --resume to continue it or choose another --out`);
  fs.mkdirSync(path.join(runDir, 'samples'), { recursive: true });
}

function resumeInto(session: Session, ckptFile: string, logFile: string, log: (l: string) => void): void {
  const ck = loadCheckpoint(ckptFile);
  const saved = checkpointConfig(ck, ckptFile);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(saved.model, session.config.model) || saved.seed !== session.config.seed) {
    throw new Error(`${ckptFile}: was trained with a different model or seed; resume with the run's own config.json`);
  }
  restoreSession(session, ck, ckptFile);
  if (fs.existsSync(logFile)) truncateLogAfter(logFile, session.step);
  log(`resuming ${ckptFile} at step ${session.step}`);
}

interface LoopOptions extends TrainOptions { runDir: string; logFile: string; ckptFile: string; log: (l: string) => void; evaluator: TrainingEvaluator | null }

async function loop(s: Session, loader: Loader, o: LoopOptions): Promise<TrainResult> {
  const cfg = s.config;
  const total = loader.totalSteps !== null ? Math.floor(loader.totalSteps / cfg.train.dSteps) : cfg.train.steps;
  if (loader.totalSteps !== null) o.log(`phase schedule: ${total} steps (train.steps is ignored)`);
  o.log(`${loader.describe()}`);
  const progress = o.progress ? createTrainProgress(total, s.step) : null;
  const started = performance.now();
  const startStep = s.step;
  let window: StepStats[] = [];
  let last: StepStats | null = null;
  let pending: Record<string, number> | null = null;
  try {
    while (s.step < total) {
      const step = s.step;
      const reals = await realBatches(loader, step, cfg.train.dSteps, s.gan.conditional);
      last = await trainStep(s.gan, s.opts, reals, { batchSize: cfg.train.batchSize, loss: cfg.train.loss, labels: { soft: cfg.train.softLabels, flip: cfg.train.labelFlip }, seed: cfg.seed }, step);
      tf.dispose(reals.flatMap((r) => (r.cond ? [r.x, r.cond] : [r.x])));
      s.ema?.update();
      s.step++;
      window.push(last);
      const epoch = loader.epochAt(step * cfg.train.dSteps);
      progress?.update(s.step, ganProgressFields(epoch, { lossD: last.lossD, lossG: last.lossG, dx: last.dx, dgz: last.dgz1 }));
      o.onStep?.(step, last);
      const done = s.step === total;
      const evaluator = o.evaluator;
      if (evaluator && (s.step % cfg.eval.every === 0 || done)) pending = await withSamplingWeights(s, () => evaluator.measure(s.gan, cfg.seed, s.step));
      if (s.step % cfg.output.logEvery === 0 || done) {
        appendLogRow(o.logFile, { step: s.step, epoch, ...mean(window), time: (performance.now() - started) / 1000, ...(pending ? { metrics: pending } : {}) });
        if (pending) progress?.log(`step ${s.step}: ${Object.entries(pending).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
        window = [];
        pending = null;
      }
      if (s.step % cfg.output.sampleEvery === 0 || done) await writeSamples(s, o);
      if (s.step % cfg.output.checkpointEvery === 0 || done) await saveSession(o.ckptFile, s);
    }
  } finally {
    progress?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const wait = loader.waitStats();
  o.log(`${s.step - startStep} steps in ${seconds.toFixed(1)} s (${((1000 * seconds) / Math.max(1, s.step - startStep)).toFixed(0)} ms/step, data wait ${wait.totalWaitMs.toFixed(0)} ms in all); run folder ${o.runDir}`);
  return { runDir: o.runDir, steps: s.step, lastStats: last, waitMs: wait.totalWaitMs, seconds };
}

async function realBatches(loader: Loader, step: number, dSteps: number, conditional: boolean): Promise<RealBatch[]> {
  const out: RealBatch[] = [];
  for (let k = 0; k < dSteps; k++) {
    const b = await loader.get(step * dSteps + k);
    const x = tf.tensor4d(b.x, b.shape);
    // class index 0 (horse) / 1 (wing class) is the conditional models' class bit
    out.push(conditional ? { x, cond: tf.tensor2d(Float32Array.from(b.labels), [b.labels.length, 1]) } : { x });
  }
  return out;
}

function mean(rows: StepStats[]): StepStats {
  const keys = ['lossD', 'lossDReal', 'lossDFake', 'lossG', 'dx', 'dgz1', 'dgz2'] as const;
  const out = {} as StepStats;
  for (const k of keys) out[k] = rows.reduce((a, r) => a + r[k], 0) / rows.length;
  return out;
}

/** Runs fn with the weights that samples come from: G's average when the run keeps one. */
function withSamplingWeights<T>(s: Session, fn: () => Promise<T> | T): Promise<T> {
  return s.ema ? s.ema.withAveraged(fn) : Promise.resolve(fn());
}

/** The seed's fixed-noise 8x8 grid, and the loss plot. */
async function writeSamples(s: Session, o: LoopOptions): Promise<void> {
  const { data, shape } = await withSamplingWeights(s, () => fixedGrid(s.gan, s.config.seed));
  const name = `step-${String(s.step).padStart(6, '0')}.png`;
  await writeGridPng(path.join(o.runDir, 'samples', name), data, shape, { cols: 8, scale: 2 });
  await writeGridPng(path.join(o.runDir, 'samples.png'), data, shape, { cols: 8, scale: 2 });
  const rows: TrainLogRow[] = fs.existsSync(o.logFile) ? readLog(o.logFile) : [];
  if (rows.length > 0) await writeTrainingPlot(path.join(o.runDir, 'loss.png'), rows);
}
