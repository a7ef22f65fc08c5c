// A GAN with its optimizers, and how it goes to and from a checkpoint. Shared by training,
// sampling and evaluation so that they all restore a model the same way.
import { buildGan, type Gan } from '../models/index.js';
import { Adam } from './adam.js';
import { WeightEma } from './ema.js';
import { loadCheckpoint, prefixed, saveCheckpoint, unprefixed, type Checkpoint, type TensorMap } from './checkpoint.js';
import { parseConfig, type Config } from './config.js';
import type { Optimizers } from './step.js';
import { loadGenerator, type LoadedGenerator } from './generator-view.js';

export interface Session {
  config: Config;
  gan: Gan;
  opts: Optimizers;
  /** Average of G's weights when train.emaDecay > 0. */
  ema: WeightEma | null;
  /** Training steps done (= the next step to run). */
  step: number;
  dispose(): void;
}

export function createSession(config: Config): Session {
  const gan = buildGan(config.model, config.seed);
  const t = config.train;
  // FreezeD: D's first k layers are simply not given to D's optimizer.
  const frozen = gan.d.layerPrefixes.slice(0, t.freezeD).map((p) => `${p}.`);
  const dParams = gan.d.params.trainable().filter((p) => !frozen.some((f) => p.name.startsWith(f)));
  const opts = {
    d: new Adam(dParams, { lr: t.lrD, beta1: t.beta1, beta2: t.beta2 }),
    g: new Adam(gan.g.params.trainable(), { lr: t.lrG, beta1: t.beta1, beta2: t.beta2 }),
  };
  const ema = t.emaDecay > 0 ? new WeightEma(gan.g.params.trainable(), t.emaDecay) : null;
  return {
    config, gan, opts, ema, step: 0,
    dispose() {
      ema?.dispose();
      opts.d.dispose();
      opts.g.dispose();
      gan.dispose();
    },
  };
}

export async function sessionTensors(s: Session): Promise<TensorMap> {
  return new Map([
    ...prefixed('G/', await s.gan.g.params.snapshot()),
    ...prefixed('D/', await s.gan.d.params.snapshot()),
    ...prefixed('optG/', await s.opts.g.state()),
    ...prefixed('optD/', await s.opts.d.state()),
    ...(s.ema ? prefixed('Gema/', await s.ema.state()) : []),
  ]);
}

/** What a checkpoint's header carries besides the tensors. */
export function sessionMeta(s: Session): Record<string, unknown> {
  return { config: s.config, optGStep: s.opts.g.step, optDStep: s.opts.d.step, ...(s.ema ? { emaUpdates: s.ema.updates } : {}) };
}

export async function saveSession(file: string, s: Session, extra: Record<string, unknown> = {}): Promise<void> {
  await saveCheckpoint(file, s.step, { ...sessionMeta(s), ...extra }, await sessionTensors(s));
}

/** The config a checkpoint was trained with. */
export function checkpointConfig(ck: Checkpoint, file: string): Config {
  return parseConfig(ck.meta.config, `${file} (saved config)`);
}

/** Restores weights, buffers, optimizer state and step into a session built from the same config. */
export function restoreSession(s: Session, ck: Checkpoint, file: string, withOptimizers = true): void {
  s.gan.g.params.load(unprefixed('G/', ck.tensors), file);
  s.gan.d.params.load(unprefixed('D/', ck.tensors), file);
  if (withOptimizers) {
    s.opts.g.loadState(Number(ck.meta.optGStep), unprefixed('optG/', ck.tensors), file);
    s.opts.d.loadState(Number(ck.meta.optDStep), unprefixed('optD/', ck.tensors), file);
    s.ema?.loadState(Number(ck.meta.emaUpdates), unprefixed('Gema/', ck.tensors), file);
    s.step = ck.step;
  }
}

/**
 * A session restored from a checkpoint file, with the config saved in it, for drawing samples:
 * G holds the averaged weights when the run kept an EMA (unless `live`), the last step's otherwise.
 */
export function openCheckpoint(file: string, o: { live?: boolean } = {}): Session {
  const ck = loadCheckpoint(file);
  const s = createSession(checkpointConfig(ck, file));
  restoreSession(s, ck, file);
  if (!o.live) s.ema?.copyInto();
  return s;
}

/**
 * G alone, from a run's checkpoint or a shipped model (models/pegasus.ckpt), for drawing samples:
 * the EMA weights when the run kept them, unless `live`.
 */
export function openGenerator(file: string, o: { live?: boolean } = {}): LoadedGenerator {
  return loadGenerator(loadCheckpoint(file), file, o);
}

/** Transfer: G and D weights and buffers from another run's checkpoint, fresh optimizers, step 0. */
export function initFromCheckpoint(s: Session, file: string): void {
  const ck = loadCheckpoint(file);
  const saved = checkpointConfig(ck, file);
  if (JSON.stringify(saved.model) !== JSON.stringify(s.config.model)) {
    throw new Error(`${file}: its model (${JSON.stringify(saved.model)}) differs from this run's (${JSON.stringify(s.config.model)})`);
  }
  restoreSession(s, ck, file, false);
}
