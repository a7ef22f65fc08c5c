// Classifier augmentation: random crop of a reflect-padded image and random horizontal flip,
// drawn per (seed, step, image) so a resumed run sees the same batches. Output is normalised to
// [-1, 1] exactly as the GAN's real batches, so the classifier judges G's images on their scale.
import seedrandom from 'seedrandom';
import { NORMALIZE_LUT } from './transform.js';

/** reflect(i) into 0..n-1 without repeating the edge (PyTorch's 'reflect' padding). */
function reflect(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

/**
 * images [N, size, size, 3] uint8 -> x [indices.length, size, size, 3] float32 in [-1, 1]:
 * each image shifted by up to `pad` pixels (reflect padding) and mirrored with probability 1/2.
 */
export function cropFlipBatch(images: Uint8Array, size: number, indices: ArrayLike<number>, pad: number, seed: number, step: number): Float32Array {
  const rng = seedrandom(`pegasus:cropflip:${seed}:${step}`);
  const n = indices.length, px = size * size * 3;
  const x = new Float32Array(n * px);
  for (let j = 0; j < n; j++) {
    const dy = Math.floor(rng() * (2 * pad + 1)) - pad;
    const dx = Math.floor(rng() * (2 * pad + 1)) - pad;
    const flip = rng() < 0.5;
    const src = indices[j]! * px;
    const dst = j * px;
    for (let y = 0; y < size; y++) {
      const sy = reflect(y + dy, size);
      for (let xx = 0; xx < size; xx++) {
        const sx = reflect((flip ? size - 1 - xx : xx) + dx, size);
        const s = src + (sy * size + sx) * 3, d = dst + (y * size + xx) * 3;
        x[d] = NORMALIZE_LUT[images[s]!]!;
        x[d + 1] = NORMALIZE_LUT[images[s + 1]!]!;
        x[d + 2] = NORMALIZE_LUT[images[s + 2]!]!;
      }
    }
  }
  return x;
}

/** The same images without augmentation (evaluation). */
export function plainBatch(images: Uint8Array, size: number, indices: ArrayLike<number>): Float32Array {
  const px = size * size * 3;
  const x = new Float32Array(indices.length * px);
  for (let j = 0; j < indices.length; j++) {
    const src = indices[j]! * px;
    for (let i = 0; i < px; i++) x[j * px + i] = NORMALIZE_LUT[images[src + i]!]!;
  }
  return x;
}
