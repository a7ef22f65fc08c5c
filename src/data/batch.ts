/**
 * makeBatch: the batch of a global step, a pure function of (images, labels, options, step).
 * Shared by the loader's worker thread and its in-thread fallback.
 */
import { buildPlan, flips, locate, permutation, type Mixing, type Plan } from './schedule.js';
import { grayscaleInPlace, normalizeInto, resizeBilinear } from './transform.js';

export interface LoaderOptions {
  batchSize: number;
  imageSize: 32 | 64;
  flip: boolean;
  grayscale: boolean;
  seed: number;
  mixing: Mixing;
  /** batches prepared ahead of the one asked for (default 2) */
  prefetch?: number;
  /** prepare batches in a worker thread (default true); false computes them in this thread */
  worker?: boolean;
  /** the step the first get() will ask for (default 0): its batches are started at once */
  startStep?: number;
}

export interface Batch {
  /** [batch, imageSize, imageSize, 3] NHWC in [-1, 1] */
  x: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
  epoch: number;
  phase: number | null;
  step: number;
}

export interface BatchContext {
  images: Uint8Array;
  labels: Uint8Array;
  srcSize: number;
  opts: LoaderOptions;
  plan: Plan;
  perm: { key: string; p: Uint32Array } | null;
  scratch: { img: Uint8Array; tmp: Uint8Array; out: Uint8Array };
}

export function createBatchContext(images: Uint8Array, labels: Uint8Array, classes: string[], srcSize: number, opts: LoaderOptions): BatchContext {
  const plan = buildPlan(labels, classes, opts.batchSize, opts.mixing);
  const S = opts.imageSize;
  return {
    images,
    labels,
    srcSize,
    opts,
    plan,
    perm: null,
    scratch: {
      img: new Uint8Array(srcSize * srcSize * 3),
      tmp: new Uint8Array(srcSize * S * 3),
      out: new Uint8Array(S * S * 3),
    },
  };
}

/** The data-set indices of the images in a step's batch (no pixel work). */
export function batchIndices(ctx: BatchContext, step: number): { indices: Uint32Array; epoch: number; phase: number | null; pool: number } {
  const pos = locate(ctx.plan, step);
  const pool = ctx.plan.pools[pos.pool]!;
  const key = `${pos.epoch}:${pool.name}`;
  if (!ctx.perm || ctx.perm.key !== key) ctx.perm = { key, p: permutation(ctx.opts.seed, pos.epoch, pool.name, pool.indices.length) };
  const B = ctx.opts.batchSize;
  const out = new Uint32Array(B);
  const base = pos.offset * B;
  for (let j = 0; j < B; j++) out[j] = pool.indices[ctx.perm.p[base + j]!]!;
  return { indices: out, epoch: pos.epoch, phase: pos.phase, pool: pos.pool };
}

export function makeBatch(ctx: BatchContext, step: number): Batch {
  const { opts, srcSize } = ctx;
  const B = opts.batchSize;
  const S = opts.imageSize;
  const { indices, epoch, phase } = batchIndices(ctx, step);
  const flip = opts.flip ? flips(opts.seed, step, B) : null;
  const x = new Float32Array(B * S * S * 3);
  const labels = new Int32Array(B);
  const srcBytes = srcSize * srcSize * 3;
  const { img, tmp, out } = ctx.scratch;
  for (let j = 0; j < B; j++) {
    const idx = indices[j]!;
    labels[j] = ctx.labels[idx]!;
    let src = ctx.images;
    let off = idx * srcBytes;
    if (opts.grayscale) {
      img.set(ctx.images.subarray(off, off + srcBytes));
      grayscaleInPlace(img, 0, srcSize * srcSize);
      src = img;
      off = 0;
    }
    if (S !== srcSize) {
      resizeBilinear(src, off, srcSize, S, 3, out, tmp);
      src = out;
      off = 0;
    }
    normalizeInto(src, off, S, flip ? flip[j] === 1 : false, x, j * S * S * 3);
  }
  return { x, labels, shape: [B, S, S, 3], epoch, phase, step };
}
