// A GAN with its optimizers, and how it goes to and from a checkpoint. Shared by training,
// sampling and evaluation so that they all restore a model the same way.
import { buildGan, type Gan } from '../models/index.js';
import { Adam } from './adam.js';
import { loadCheckpoint, prefixed, saveCheckpoint, unprefixed, type Checkpoint, type TensorMap } from './checkpoint.js';
import { parseConfig, type Config } from './config.js';
import type { Optimizers } from './step.js';

export interface Session {
  config: Config;
  gan: Gan;
  opts: Optimizers;
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
  return {
    config, gan, opts, step: 0,
    dispose() {
      opts.d.dispose();
      opts.g.dispose();
      gan.dispose();
    },
  };
}

export function sessionTensors(s: Session): TensorMap {
  return new Map([
    ...prefixed('G/', s.gan.g.params.snapshot()),
    ...prefixed('D/', s.gan.d.params.snapshot()),
    ...prefixed('optG/', s.opts.g.state()),
    ...prefixed('optD/', s.opts.d.state()),
  ]);
}

export async function saveSession(file: string, s: Session, extra: Record<string, unknown> = {}): Promise<void> {
  const meta = { config: s.config, optGStep: s.opts.g.step, optDStep: s.opts.d.step, ...extra };
  await saveCheckpoint(file, s.step, meta, sessionTensors(s));
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
    s.step = ck.step;
  }
}

/** A session restored from a checkpoint file, with the config saved in it. */
export function openCheckpoint(file: string): Session {
  const ck = loadCheckpoint(file);
  const s = createSession(checkpointConfig(ck, file));
  restoreSession(s, ck, file);
  return s;
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
