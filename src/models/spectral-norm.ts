// Spectral normalisation (Miyato et al. 2018): W / sigma(W), sigma estimated by power iteration
// on W reshaped to [k*k*in, out]. The vectors u [out] and v [k*k*in] are buffers kept in
// checkpoints. As in PyTorch, u and v are constants to the gradient: we advance them in a
// separate step (outside any gradient tape), then sigma = v^T W u is differentiated through W only.
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, seedFor } from './params.js';

export interface SpectralNormState { u: tf.Variable; v: tf.Variable }

const EPS = 1e-12;

function normalize(x: tf.Tensor1D): tf.Tensor1D {
  return tf.div(x, tf.add(tf.norm(x), EPS));
}

export function spectralNormState(store: ParamStore, name: string, w: tf.Variable, seed: number): SpectralNormState {
  const cout = w.shape[w.rank - 1]!;
  const rows = w.size / cout;
  const u = store.add(`${name}.u`, normalize(tf.randomNormal([cout], 0, 1, 'float32', seedFor(seed, `${name}.u`))), false);
  const v = store.add(`${name}.v`, tf.tidy(() => normalize(tf.matMul(tf.reshape(w, [rows, cout]), tf.reshape(u, [cout, 1])).reshape([rows]))), false);
  return { u, v };
}

/** One power iteration: v <- normalize(W u), u <- normalize(W^T v). */
export function powerIterate(w: tf.Tensor, s: SpectralNormState, iterations = 1): void {
  const cout = w.shape[w.rank - 1]!;
  const rows = w.size / cout;
  for (let i = 0; i < iterations; i++) {
    const [u, v] = tf.tidy(() => {
      const w2 = tf.reshape(w, [rows, cout]);
      const v1 = normalize(tf.reshape(tf.matMul(w2, tf.reshape(s.u, [cout, 1])), [rows]));
      const u1 = normalize(tf.reshape(tf.matMul(tf.reshape(v1, [1, rows]), w2), [cout]));
      return [u1, v1];
    });
    s.u.assign(u);
    s.v.assign(v);
    u.dispose();
    v.dispose();
  }
}

/** sigma = v^T W u (differentiable in W). */
export function sigma(w: tf.Tensor, s: SpectralNormState): tf.Scalar {
  const cout = w.shape[w.rank - 1]!;
  const rows = w.size / cout;
  return tf.tidy(() => tf.reshape(tf.matMul(tf.matMul(tf.reshape(s.v, [1, rows]), tf.reshape(w, [rows, cout])), tf.reshape(s.u, [cout, 1])), []));
}

/** The normalised weight W / sigma. */
export function spectralNormalize<T extends tf.Tensor>(w: T, s: SpectralNormState): T {
  return tf.div(w, sigma(w, s));
}
