// dX of a conv2d (also the forward pass of a transposed conv) by sub-pixel ("phase") decomposition.
//
// For stride s, output rows i = m*s + r split into s phases r. Phase r only meets the filter taps
// k = k0 + t*s (k0 = (r + pad) mod s), so it is an ordinary stride-1 correlation of dy with those
// taps, flipped. s*s small fast convs (XNNPACK) replace the stock wasm kernel, a plain C++ loop:
//   dX[m*s + r] = sum_t dy[m + c - t] * w[k0 + t*s],   c = floor((r + pad) / s)
// A 1x1 dy with a full-size 'valid' filter (DCGAN's first G layer) is one matmul.
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';

export interface BackpropInputArgs {
  inputs: { dy: tf.Tensor4D; filter: tf.Tensor4D };
  attrs: ConvAttrs & { inputShape: [number, number, number, number] };
}

/** One axis of one phase: which taps it uses and how dy must be padded (negative = cropped). */
interface PhaseAxis { k0: number; taps: number; before: number; after: number }

function phaseAxis(r: number, s: number, pad: number, k: number, outLen: number, m: number): PhaseAxis {
  const k0 = (r + pad) % s;
  const c = Math.floor((r + pad) / s);
  const taps = Math.max(0, Math.ceil((k - k0) / s));
  return { k0, taps, before: taps - 1 - c, after: m - 1 + c - (outLen - 1) };
}

/** Phase filter f[th, tw, co, ci] = w[k0h + (Jh-1-th)*sh, k0w + (Jw-1-tw)*sw, ci, co], built in JS. */
function phaseFilter(w: Float32Array, shape: number[], ah: PhaseAxis, aw: PhaseAxis, sh: number, sw: number): tf.Tensor4D {
  const [, kw, ci, co] = shape as [number, number, number, number];
  const out = new Float32Array(ah.taps * aw.taps * co * ci);
  let o = 0;
  for (let th = 0; th < ah.taps; th++) {
    const kH = ah.k0 + (ah.taps - 1 - th) * sh;
    for (let tw = 0; tw < aw.taps; tw++) {
      const kW = aw.k0 + (aw.taps - 1 - tw) * sw;
      const base = (kH * kw + kW) * ci * co;
      for (let c2 = 0; c2 < co; c2++) for (let c1 = 0; c1 < ci; c1++) out[o++] = w[base + c1 * co + c2]!;
    }
  }
  return tf.tensor4d(out, [ah.taps, aw.taps, co, ci]);
}

/** Pads (or crops, for negative amounts) dy along H and W. */
function padOrCrop(dy: tf.Tensor4D, ah: PhaseAxis, aw: PhaseAxis): tf.Tensor4D {
  const [n, h, w, c] = dy.shape;
  const cropTop = Math.max(0, -ah.before), cropBottom = Math.max(0, -ah.after);
  const cropLeft = Math.max(0, -aw.before), cropRight = Math.max(0, -aw.after);
  let t = dy;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    t = tf.slice(dy, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  const pads: [number, number][] = [[0, 0], [Math.max(0, ah.before), Math.max(0, ah.after)],
    [Math.max(0, aw.before), Math.max(0, aw.after)], [0, 0]];
  return pads.some(([a, b]) => a + b > 0) ? tf.pad(t, pads) : t;
}

export function conv2dBackpropInput({ inputs, attrs }: BackpropInputArgs): tf.Tensor4D {
  const { dy, filter } = inputs;
  const [n, H, W, ci] = attrs.inputShape;
  const [kh, kw, , co] = filter.shape;
  const g = convGeometry(attrs.inputShape, filter.shape, attrs);
  const { strideHeight: sh, strideWidth: sw } = g;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  const pt = g.padInfo.top, pl = g.padInfo.left;
  if (oh === 1 && ow === 1 && pt === 0 && pl === 0 && H === kh && W === kw) {
    return tf.tidy(() => tf.reshape(
      tf.matMul(tf.reshape(dy, [n, co]), tf.reshape(filter, [kh * kw * ci, co]), false, true), attrs.inputShape));
  }
  const mh = Math.ceil(H / sh), mw = Math.ceil(W / sw);
  const w = tf.backend().readSync(filter.dataId) as Float32Array; // wasm: a view, no copy
  return tf.tidy(() => {
    const rows: tf.Tensor[] = [];
    for (let rh = 0; rh < sh; rh++) {
      const ah = phaseAxis(rh, sh, pt, kh, oh, mh);
      const cols: tf.Tensor4D[] = [];
      for (let rw = 0; rw < sw; rw++) {
        const aw = phaseAxis(rw, sw, pl, kw, ow, mw);
        cols.push(ah.taps === 0 || aw.taps === 0
          ? tf.zeros([n, mh, mw, ci])
          : tf.conv2d(padOrCrop(dy, ah, aw), phaseFilter(w, filter.shape, ah, aw, sh, sw), 1, 'valid')); // [N, mh, mw, Ci]
      }
      rows.push(sw === 1 ? cols[0]! : tf.stack(cols, 3)); // [N, mh, mw, sw, Ci]
    }
    const all = sh === 1 ? rows[0]! : tf.stack(rows, 2); // [N, mh, sh, mw, sw, Ci]
    const full = tf.reshape(all, [n, mh * sh, mw * sw, ci]) as tf.Tensor4D;
    return mh * sh === H && mw * sw === W ? full : tf.slice(full, [0, 0, 0, 0], [n, H, W, ci]);
  });
}
