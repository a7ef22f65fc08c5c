// Image outputs: [-1, 1] NHWC float batches (what the generator's tanh produces) to PNG grids,
// single images, strips and animated GIF/WebP, encoded by sharp and written atomically.
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from './atomic.js';
import { byteOf } from './pixels.js';

/** Batch shape, NHWC: [n, h, w, c] with c = 1 (grayscale) or 3 (RGB). */
export type ImageShape = readonly [n: number, h: number, w: number, c: number];

/** An 8-bit interleaved RGB raster. */
export interface RgbImage { data: Uint8Array; width: number; height: number; channels: 3 }

export interface GridOptions {
  /** Images per row; default ceil(sqrt(n)), and never more than n. */
  cols?: number;
  /** Output pixels between images and around the border; default 2. */
  pad?: number;
  /** Integer nearest-neighbour upscale of every image; default 1. */
  scale?: number;
  /** Gray level 0..255 of the padding and of empty cells; default 0 (black). */
  background?: number;
}

export interface AnimationOptions {
  /** Integer nearest-neighbour upscale; default 1. */
  scale?: number;
  /** Delay of each frame in milliseconds (0..65535); default 100. */
  delayMs?: number;
  /** Number of loops, 0 = forever; default 0. */
  loop?: number;
}

const isPosInt = (v: number) => Number.isInteger(v) && v > 0;

function checkShape(images: Float32Array, shape: ImageShape, what = 'images'): void {
  const [n, h, w, c] = shape;
  if (!isPosInt(n) || !isPosInt(h) || !isPosInt(w) || !isPosInt(c)) {
    throw new Error(`${what}: shape [${shape.join(', ')}] must be positive integers [n, h, w, c]`);
  }
  if (c !== 1 && c !== 3) throw new Error(`${what}: channels must be 1 or 3, got ${c}`);
  const want = n * h * w * c;
  if (images.length !== want) {
    throw new Error(`${what}: ${images.length} values do not match shape [${shape.join(', ')}] (${want})`);
  }
}

function checkInt(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

export { byteOf } from './pixels.js';

/** [-1, 1] NHWC floats to bytes of the same layout. */
export function toUint8(images: Float32Array, n: number, h: number, w: number, c: number): Uint8Array {
  checkShape(images, [n, h, w, c]);
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = byteOf(images[i]!);
  return out;
}

/**
 * Tiles a batch into one RGB image, torchvision make_grid style: `pad` pixels between images and
 * around the border, row-major order, grayscale expanded to RGB, each image upscaled by `scale`.
 */
export function gridImage(images: Float32Array, shape: ImageShape, opts: GridOptions = {}): RgbImage {
  checkShape(images, shape);
  const [n, h, w, c] = shape;
  const cols = Math.min(n, checkInt('cols', opts.cols ?? Math.ceil(Math.sqrt(n)), 1));
  const pad = checkInt('pad', opts.pad ?? 2, 0);
  const s = checkInt('scale', opts.scale ?? 1, 1);
  const bg = checkInt('background', opts.background ?? 0, 0, 255);
  const rows = Math.ceil(n / cols);
  const tw = w * s, th = h * s;
  const width = cols * tw + (cols + 1) * pad;
  const height = rows * th + (rows + 1) * pad;
  const data = new Uint8Array(width * height * 3);
  if (bg !== 0) data.fill(bg);
  const line = new Uint8Array(tw * 3); // one scaled output row of one tile
  for (let i = 0; i < n; i++) {
    const x0 = pad + (i % cols) * (tw + pad);
    const y0 = pad + Math.floor(i / cols) * (th + pad);
    for (let y = 0; y < h; y++) {
      const src = ((i * h + y) * w) * c;
      for (let x = 0; x < w; x++) {
        const p = src + x * c;
        const r = byteOf(images[p]!);
        const g = c === 3 ? byteOf(images[p + 1]!) : r;
        const b = c === 3 ? byteOf(images[p + 2]!) : r;
        for (let k = 0; k < s; k++) {
          const q = (x * s + k) * 3;
          line[q] = r; line[q + 1] = g; line[q + 2] = b;
        }
      }
      for (let k = 0; k < s; k++) data.set(line, ((y0 + y * s + k) * width + x0) * 3);
    }
  }
  return { data, width, height, channels: 3 };
}

/** PNG bytes of an RGB raster. */
export function encodePng(img: RgbImage): Promise<Buffer> {
  return rawSharp(img).png({ compressionLevel: 6 }).toBuffer();
}

function rawSharp(img: RgbImage, pageHeight?: number): sharp.Sharp {
  if (img.data.length !== img.width * img.height * 3) throw new Error('RgbImage: data length does not match width x height x 3');
  const raw = { width: img.width, height: img.height, channels: 3 as const, ...(pageHeight ? { pageHeight } : {}) };
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw });
}

/** Writes a grid of the batch as a PNG (atomically); returns the image size. */
export async function writeGridPng(file: string, images: Float32Array, shape: ImageShape, opts: GridOptions = {}): Promise<{ width: number; height: number }> {
  const img = gridImage(images, shape, opts);
  await writeFileAtomic(file, await encodePng(img));
  return { width: img.width, height: img.height };
}

/** Writes one [h, w, c] image as a PNG, upscaled by `scale`, without padding. */
export async function writeImagePng(file: string, image: Float32Array, shape: readonly [h: number, w: number, c: number], scale = 1): Promise<{ width: number; height: number }> {
  return writeGridPng(file, image, [1, shape[0], shape[1], shape[2]], { cols: 1, pad: 0, scale });
}

/**
 * Writes n / k rows of k images each (e.g. latent interpolations: one row per pair of endpoints).
 * n must be a multiple of k.
 */
export async function writeStripPng(file: string, images: Float32Array, shape: ImageShape, k: number, opts: Omit<GridOptions, 'cols'> = {}): Promise<{ width: number; height: number }> {
  checkInt('k', k, 1);
  if (shape[0] % k !== 0) throw new Error(`strip: ${shape[0]} images are not a whole number of rows of ${k}`);
  return writeGridPng(file, images, shape, { ...opts, cols: k });
}

/** Animation format from the file extension (.gif or .webp). */
export function animationFormat(file: string): 'gif' | 'webp' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.gif') return 'gif';
  if (ext === '.webp') return 'webp';
  throw new Error(`animation: ${file} must end in .gif or .webp`);
}

/** Writes a batch as an animation, one image per frame, upscaled by `scale`. */
export async function writeAnimation(file: string, frames: Float32Array, shape: ImageShape, opts: AnimationOptions = {}): Promise<void> {
  // Frames stacked vertically (one column, no padding) is exactly sharp's multi-page raw layout.
  const tall = gridImage(frames, shape, { cols: 1, pad: 0, scale: opts.scale ?? 1 });
  await writeTall(file, tall, shape[0], opts);
}

/** Writes already-rendered RGB frames (e.g. one grid per checkpoint) as an animation; all frames must have one size. */
export async function writeAnimationFrames(file: string, frames: readonly RgbImage[], opts: Omit<AnimationOptions, 'scale'> = {}): Promise<void> {
  const first = frames[0];
  if (!first) throw new Error('animation: no frames');
  const { width, height } = first;
  const data = new Uint8Array(width * height * 3 * frames.length);
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new Error(`animation: frame ${i} is ${f.width}x${f.height}, frame 0 is ${width}x${height}`);
    data.set(f.data, i * width * height * 3);
  });
  await writeTall(file, { data, width, height: height * frames.length, channels: 3 }, frames.length, opts);
}

async function writeTall(file: string, tall: RgbImage, pages: number, opts: AnimationOptions): Promise<void> {
  const format = animationFormat(file);
  const delayMs = checkInt('delayMs', opts.delayMs ?? 100, 0, 65535);
  const loop = checkInt('loop', opts.loop ?? 0, 0, 65535);
  const img = rawSharp(tall, tall.height / pages);
  // A single number would only set the first frame's delay (the rest get 0): give one per frame.
  const delay = new Array<number>(pages).fill(delayMs);
  const out = format === 'gif'
    ? img.gif({ loop, delay, effort: 7 })
    : img.webp({ loop, delay, lossless: true, effort: 4 });
  await writeFileAtomic(file, await out.toBuffer());
}
