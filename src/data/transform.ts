/**
 * Per-image transforms, written to match the seed's torchvision pipeline on PIL images:
 * Grayscale (PIL "L", replicated to 3 channels), Resize (PIL bilinear with antialias, 8-bit
 * fixed point, horizontal pass then vertical, each rounded to uint8), RandomHorizontalFlip,
 * ToTensor + Normalize(0.5, 0.5) computed in float32.
 */

const PRECISION_BITS = 32 - 8 - 2;

export interface Coeffs {
  outSize: number;
  ksize: number;
  /** first input index per output index */
  bounds: Int32Array;
  /** number of taps per output index */
  counts: Int32Array;
  /** fixed-point weights, ksize per output index */
  k: Int32Array;
}

/** PIL's precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter. */
export function bilinearCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1.0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const k = new Int32Array(outSize * ksize);
  const tmp = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1.0 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      let t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      tmp[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? tmp[x]! / ww : tmp[x]!;
      k[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx] = xmin;
    counts[xx] = xmax;
  }
  return { outSize, ksize, bounds, counts, k };
}

const coeffCache = new Map<string, Coeffs>();
function coeffsFor(inSize: number, outSize: number): Coeffs {
  const key = `${inSize}>${outSize}`;
  let c = coeffCache.get(key);
  if (!c) coeffCache.set(key, (c = bilinearCoeffs(inSize, outSize)));
  return c;
}

function clip8(v: number): number {
  // v is ss in fixed point (fits in int32 for 8-bit inputs)
  const r = v >> PRECISION_BITS;
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * Resize a square uint8 HWC image (`channels` channels) from `inSize` to `outSize` exactly as
 * PIL's Image.resize(..., BILINEAR) does (torchvision Resize on a PIL image, antialias on).
 * `tmp` (inSize*outSize*channels) and `out` (outSize*outSize*channels) are caller buffers.
 */
export function resizeBilinear(src: Uint8Array, srcOffset: number, inSize: number, outSize: number, channels: number, out: Uint8Array, tmp: Uint8Array): void {
  if (inSize === outSize) {
    out.set(src.subarray(srcOffset, srcOffset + inSize * inSize * channels));
    return;
  }
  const c = coeffsFor(inSize, outSize);
  const half = 1 << (PRECISION_BITS - 1);
  // horizontal: inSize rows x outSize cols
  for (let y = 0; y < inSize; y++) {
    const rowIn = srcOffset + y * inSize * channels;
    const rowOut = y * outSize * channels;
    for (let xx = 0; xx < outSize; xx++) {
      const xmin = c.bounds[xx]!;
      const n = c.counts[xx]!;
      const kb = xx * c.ksize;
      for (let ch = 0; ch < channels; ch++) {
        let ss = half;
        for (let x = 0; x < n; x++) ss += src[rowIn + (xmin + x) * channels + ch]! * c.k[kb + x]!;
        tmp[rowOut + xx * channels + ch] = clip8(ss);
      }
    }
  }
  // vertical: outSize rows x outSize cols
  const stride = outSize * channels;
  for (let yy = 0; yy < outSize; yy++) {
    const ymin = c.bounds[yy]!;
    const n = c.counts[yy]!;
    const kb = yy * c.ksize;
    for (let i = 0; i < stride; i++) {
      let ss = half;
      for (let y = 0; y < n; y++) ss += tmp[(ymin + y) * stride + i]! * c.k[kb + y]!;
      out[yy * stride + i] = clip8(ss);
    }
  }
}

/** PIL's RGB -> L: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16, replicated into the 3 channels. */
export function grayscaleInPlace(img: Uint8Array, offset: number, pixels: number): void {
  for (let p = 0; p < pixels; p++) {
    const o = offset + p * 3;
    const l = (img[o]! * 19595 + img[o + 1]! * 38470 + img[o + 2]! * 7471 + 0x8000) >> 16;
    img[o] = l;
    img[o + 1] = l;
    img[o + 2] = l;
  }
}

/** uint8 -> float32 as torchvision ToTensor (v/255) then Normalize(mean 0.5, std 0.5), in float32. */
export const NORMALIZE_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const t = Math.fround(v / 255);
    lut[v] = Math.fround(Math.fround(t - 0.5) / 0.5);
  }
  return lut;
})();

/** Write a size x size x 3 uint8 image into `x` at `xOffset` as normalised floats, mirrored if `flip`. */
export function normalizeInto(img: Uint8Array, imgOffset: number, size: number, flip: boolean, x: Float32Array, xOffset: number): void {
  const lut = NORMALIZE_LUT;
  if (!flip) {
    const n = size * size * 3;
    for (let i = 0; i < n; i++) x[xOffset + i] = lut[img[imgOffset + i]!]!;
    return;
  }
  for (let y = 0; y < size; y++) {
    const row = y * size * 3;
    for (let xx = 0; xx < size; xx++) {
      const s = imgOffset + row + (size - 1 - xx) * 3;
      const d = xOffset + row + xx * 3;
      x[d] = lut[img[s]!]!;
      x[d + 1] = lut[img[s + 1]!]!;
      x[d + 2] = lut[img[s + 2]!]!;
    }
  }
}
