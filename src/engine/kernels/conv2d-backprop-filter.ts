// dW of a conv2d as ONE forward conv (fast XNNPACK path), because the wasm backend has no kernel:
//   dW[kh, kw, ci, co] = sum_{n, oy, ox} x[n, oy*s + kh - pad, ox*s + kw - pad, ci] * dy[n, oy, ox, co]
// which is a stride-1 correlation of x^T [Ci, H, W, N] (batch = Ci, channels = N) with the
// filter dy^T [OH, OW, N, Co], dilated by the original stride.
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';

export interface BackpropFilterArgs {
  inputs: { x: tf.Tensor4D; dy: tf.Tensor4D };
  attrs: ConvAttrs & { filterShape: [number, number, number, number] };
}

export function conv2dBackpropFilter({ inputs, attrs }: BackpropFilterArgs): tf.Tensor4D {
  const { x, dy } = inputs;
  const [kh, kw] = attrs.filterShape;
  const g = convGeometry(x.shape, attrs.filterShape, attrs);
  const { top, bottom, left, right } = g.padInfo;
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
    let r = tf.conv2d(xT, dyT, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC',
      [g.strideHeight, g.strideWidth]); // [Ci, >=KH, >=KW, Co]
    // 'valid' with a stride that does not divide the input leaves extra rows/cols: drop them.
    if (r.shape[1] !== kh || r.shape[2] !== kw) r = tf.slice(r, [0, 0, 0, 0], [r.shape[0], kh, kw, r.shape[3]]);
    return tf.transpose(r, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
  });
}
