// Generator outputs ([-1, 1] floats) to bytes, with no Node APIs: PNG files (images.ts) and the
// page's canvas use the same rounding, so their pixels can be compared exactly.

/** One value in [-1, 1] to a byte: round((v + 1) * 127.5), clamped to 0..255; NaN becomes 0. */
export function byteOf(v: number): number {
  const b = Math.round((v + 1) * 127.5);
  return b > 255 ? 255 : b >= 0 ? b : 0; // NaN fails both tests -> 0
}

/** One [h, w, 3] image in [-1, 1] to canvas RGBA bytes (opaque). */
export function rgbaOf(rgb: ArrayLike<number>, h: number, w: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    out[4 * i] = byteOf(rgb[3 * i]!);
    out[4 * i + 1] = byteOf(rgb[3 * i + 1]!);
    out[4 * i + 2] = byteOf(rgb[3 * i + 2]!);
    out[4 * i + 3] = 255;
  }
  return out;
}
