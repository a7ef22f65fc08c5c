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
  const opts = {
    d: new Adam(gan.d.params.trainable(), { lr: t.lrD, beta1: t.beta1, beta2: t.beta2 }),
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
