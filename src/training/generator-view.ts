// A generator restored from checkpoint bytes and the one image the page shows, with no Node APIs:
// the browser page and Node (tests, CLI) build G and draw an image through these same functions.
import * as tf from '@tensorflow/tfjs-core';
import { ARCHS, buildGan, type Arch, type Gan, type ModelConfig } from '../models/index.js';
import { unprefixed, type Checkpoint, type TensorMap } from './checkpoint-format.js';
import { slerp } from './interpolate.js';
import { noise } from './randomness.js';
import { generate } from './sample.js';

/** What a checkpoint must say about its generator: the model, the seed (init) and the classes. */
export interface GeneratorSpec { model: ModelConfig; seed: number; classes: string[] }

const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** The generator part of a checkpoint's saved config, checked (the full schema lives in config.ts). */
export function generatorSpec(ck: Checkpoint, file: string): GeneratorSpec {
  const cfg = ck.meta.config as { model?: Record<string, unknown>; seed?: unknown; data?: { classes?: unknown } } | undefined;
  const m = cfg?.model;
  if (!m || !ARCHS.includes(m.arch as Arch)) throw new Error(`${file}: not a GAN checkpoint (no model.arch in its saved config)`);
  if (m.imageSize !== 32 && m.imageSize !== 64) throw new Error(`${file}: model.imageSize ${String(m.imageSize)} is not 32 or 64`);
  if (!posInt(m.nz) || !posInt(m.ngf) || !posInt(m.ndf)) throw new Error(`${file}: model.nz, ngf, ndf must be positive integers`);
  const classes = Array.isArray(cfg.data?.classes) ? cfg.data.classes.map(String) : ['horse', 'airplane'];
  const seed = typeof cfg.seed === 'number' ? cfg.seed : 1;
  return { model: { arch: m.arch as Arch, imageSize: m.imageSize, nz: m.nz, ngf: m.ngf, ndf: m.ndf }, seed, classes };
}

/** G's tensors; with an EMA in the checkpoint, the averaged weights replace the live ones unless `live`. */
export function generatorWeights(ck: Checkpoint, live = false): { weights: TensorMap; averaged: boolean } {
  const weights = unprefixed('G/', ck.tensors);
  const ema = live ? new Map() : unprefixed('Gema/', ck.tensors);
  for (const [k, v] of ema) weights.set(k, v);
  return { weights, averaged: ema.size > 0 };
}

export interface LoadedGenerator { gan: Gan; spec: GeneratorSpec; step: number; averaged: boolean }

/** Builds the run's GAN with the shared model code and loads G (D keeps its init: it is never used). */
export function loadGenerator(ck: Checkpoint, file: string, o: { live?: boolean } = {}): LoadedGenerator {
  const spec = generatorSpec(ck, file);
  const { weights, averaged } = generatorWeights(ck, o.live);
  const gan = buildGan(spec.model, spec.seed);
  try {
    gan.g.params.load(weights, file);
  } catch (e) {
    gan.dispose();
    throw e;
  }
  return { gan, spec, step: ck.step, averaged };
}

/** What the page shows: z = slerp(z_a, z_b, t) with z_a, z_b drawn from two seeds; the class bit for conditional models. */
export interface View { seedA: number; seedB: number; t: number; bit: number }

export function viewLatent(nz: number, v: View): tf.Tensor2D {
  return tf.tidy(() => slerp(noise(1, nz, v.seedA, 0, 'page-z'), noise(1, nz, v.seedB, 0, 'page-z'), v.t));
}

/** The view's image [1, size, size, 3] in [-1, 1]; batch-norm on running statistics (one image is its own batch). */
export function renderView(gan: Gan, v: View): tf.Tensor4D {
  return tf.tidy(() => {
    const z = viewLatent(gan.g.nz, v);
    const c = gan.conditional ? tf.fill([1, 1], v.bit) as tf.Tensor2D : undefined;
    return generate(gan, z, c, true);
  });
}
