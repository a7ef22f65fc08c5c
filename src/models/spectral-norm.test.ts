// Spectral norm against exact singular values on small matrices.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { ParamStore } from './params.js';
import { powerIterate, sigma, spectralNormalize, spectralNormState } from './spectral-norm.js';

before(async () => { await initBackend('auto', 2); });

/** Largest singular value of a row-major [rows, cols] matrix: cyclic Jacobi on A^T A, in float64. */
function exactLargestSingularValue(a: Float32Array | number[], rows: number, cols: number): number {
  const m: number[][] = Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += a[r * cols + i]! * a[r * cols + j]!;
    return s;
  }));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < cols; p++) for (let q = p + 1; q < cols; q++) {
      off += m[p]![q]! ** 2;
      if (Math.abs(m[p]![q]!) < 1e-300) continue;
      const theta = (m[q]![q]! - m[p]![p]!) / (2 * m[p]![q]!);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < cols; k++) { // rotate columns p, q
        const mkp = m[k]![p]!, mkq = m[k]![q]!;
        m[k]![p] = c * mkp - s * mkq; m[k]![q] = s * mkp + c * mkq;
      }
      for (let k = 0; k < cols; k++) { // rotate rows p, q
        const mpk = m[p]![k]!, mqk = m[q]![k]!;
        m[p]![k] = c * mpk - s * mqk; m[q]![k] = s * mpk + c * mqk;
      }
    }
    if (off < 1e-24) break;
  }
  return Math.sqrt(Math.max(...m.map((row, i) => row[i]!)));
}

test('Jacobi reference: diag(3, 2, 1) embedded in a 4x3 matrix has largest singular value 3', () => {
  const a = [3, 0, 0, 0, -2, 0, 0, 0, 1, 0, 0, 0];
  assert.ok(Math.abs(exactLargestSingularValue(a, 4, 3) - 3) < 1e-12);
  // a rotation of it: [[0, 3], [3, 0]] scaled rows -> singular values 3, 3
  assert.ok(Math.abs(exactLargestSingularValue([0, 2, 3, 0], 2, 2) - 3) < 1e-12);
});

for (const [kh, kw, cin, cout] of [[4, 4, 3, 5], [3, 3, 7, 6], [4, 4, 6, 1], [1, 1, 9, 9]] as const) {
  test(`power iteration: W/sigma has largest singular value 1 (filter ${kh}x${kw}x${cin}x${cout})`, () => {
    const store = new ParamStore();
    const w = store.add('w', tf.randomNormal([kh, kw, cin, cout], 0, 0.5, 'float32', 7));
    const s = spectralNormState(store, 'sn', w, 3);
    powerIterate(w, s, 30);
    const rows = kh * kw * cin;
    const exact = exactLargestSingularValue(w.dataSync() as Float32Array, rows, cout);
    const sig = sigma(w, s);
    assert.ok(Math.abs(sig.dataSync()[0]! - exact) / exact < 1e-3, `sigma ${sig.dataSync()[0]} vs exact ${exact}`);
    const normalised = spectralNormalize(w, s);
    const top = exactLargestSingularValue(normalised.dataSync() as Float32Array, rows, cout);
    assert.ok(Math.abs(top - 1) < 1e-2, `largest singular value of W/sigma is ${top}`);
    tf.dispose([sig, normalised]);
    store.dispose();
  });
}

test('spectral norm: gradient flows through W only (u, v are constants), matching d(sigma)/dW = v u^T', () => {
  const store = new ParamStore();
  const w = store.add('w', tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 11));
  const s = spectralNormState(store, 'sn', w, 5);
  powerIterate(w, s, 5);
  const g = tf.grad((x: tf.Tensor) => sigma(x, s))(w);
  const expected = tf.reshape(tf.matMul(tf.reshape(s.v, [8, 1]), tf.reshape(s.u, [1, 3])), w.shape);
  const err = tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0]!;
  assert.ok(err < 1e-6, `max error ${err}`);
  tf.dispose([g, expected]);
  store.dispose();
});
