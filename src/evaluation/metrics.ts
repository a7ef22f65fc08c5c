// Distances between two sets of feature vectors (rows of n x d float arrays):
//   Fréchet distance  ||mu1 - mu2||^2 + tr(C1 + C2 - 2 (C1^1/2 C2 C1^1/2)^1/2)
//     with the matrix square roots from symmetric eigendecompositions, so no imaginary parts can
//     appear (negative eigenvalues from rounding are clipped to 0). On this project's classifier
//     features it is "CIFAR-FID": the same formula as FID, not comparable with Inception FID.
//   KID               unbiased MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3,
//     averaged over random subsets (mean, standard deviation and standard error), as in
//     Binkowski et al. 2018.
import * as tf from '@tensorflow/tfjs-core';
import { takeData } from '../engine/read.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import seedrandom from 'seedrandom';

export interface Features { data: Float32Array; n: number; d: number }

export interface Gaussian { mean: Float64Array; cov: Matrix }

export function features(data: Float32Array, d: number): Features {
  if (d <= 0 || data.length % d !== 0) throw new Error(`features: ${data.length} values are not rows of ${d}`);
  return { data, n: data.length / d, d };
}

/** Mean and unbiased covariance (divided by n - 1), in float64. */
export function gaussian(f: Features): Gaussian {
  const { data, n, d } = f;
  if (n < 2) throw new Error(`gaussian: needs at least 2 samples, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      const o = a * d;
      for (let b = a; b < d; b++) cov[o + b]! += ra * row[b]!;
    }
  }
  const m = new Matrix(d, d);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) {
    const v = cov[a * d + b]! / (n - 1);
    m.set(a, b, v);
    m.set(b, a, v);
  }
  return { mean, cov: m };
}

/** Eigenvalues and eigenvectors of a symmetric matrix (symmetrised first against rounding). */
function eigSym(m: Matrix): { values: number[]; vectors: Matrix } {
  const s = m.add(m.transpose()).mul(0.5);
  const e = new EigenvalueDecomposition(s, { assumeSymmetric: true });
  return { values: e.realEigenvalues, vectors: e.eigenvectorMatrix };
}

/** The symmetric PSD square root V diag(sqrt(max(l, 0))) V^T. */
export function sqrtPsd(m: Matrix): Matrix {
  const { values, vectors } = eigSym(m);
  const scaled = vectors.clone();
  for (let j = 0; j < values.length; j++) {
    const r = Math.sqrt(Math.max(0, values[j]!));
    for (let i = 0; i < scaled.rows; i++) scaled.set(i, j, scaled.get(i, j) * r);
  }
  return scaled.mmul(vectors.transpose());
}

/** tr((C1^1/2 C2 C1^1/2)^1/2) = the sum of square roots of that PSD matrix's eigenvalues. */
export function traceSqrtProduct(c1: Matrix, c2: Matrix): number {
  const a = sqrtPsd(c1);
  const { values } = eigSym(a.mmul(c2).mmul(a));
  return values.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
}

export function frechetDistance(g1: Gaussian, g2: Gaussian): number {
  if (g1.mean.length !== g2.mean.length) throw new Error(`frechetDistance: dimensions ${g1.mean.length} and ${g2.mean.length} differ`);
  let diff = 0;
  for (let j = 0; j < g1.mean.length; j++) diff += (g1.mean[j]! - g2.mean[j]!) ** 2;
  const tr = g1.cov.trace() + g2.cov.trace() - 2 * traceSqrtProduct(g1.cov, g2.cov);
  return diff + tr;
}

export interface Kid { mean: number; std: number; stderr: number; subsets: number; subsetSize: number }

/**
 * Unbiased MMD^2 between rows xi of x and yi of y (equal counts), cubic polynomial kernel. The
 * kernel matrices are matrix products on the compute backend.
 */
export async function mmd2Unbiased(x: Features, y: Features, xi: ArrayLike<number>, yi: ArrayLike<number>): Promise<number> {
  const d = x.d, m = xi.length;
  const v = tf.tidy(() => {
    const X = tf.tensor2d(gatherRows(x, xi), [m, d]), Y = tf.tensor2d(gatherRows(y, yi), [m, d]);
    const k = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.pow(tf.add(tf.div(tf.matMul(a, b, false, true), d), 1), 3);
    // sum over i != j of k(a_i, a_j): the whole matrix less its diagonal k(a_i, a_i)
    const offDiagonalSum = (A: tf.Tensor2D) => tf.sub(tf.sum(k(A, A)), tf.sum(tf.pow(tf.add(tf.div(tf.sum(tf.square(A), 1), d), 1), 3)));
    return tf.sub(tf.div(tf.add(offDiagonalSum(X), offDiagonalSum(Y)), m * (m - 1)), tf.div(tf.mul(tf.sum(k(X, Y)), 2), m * m));
  });
  return (await takeData(v))[0]!;
}

function gatherRows(f: Features, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * f.d);
  for (let i = 0; i < rows.length; i++) out.set(f.data.subarray(rows[i]! * f.d, (rows[i]! + 1) * f.d), i * f.d);
  return out;
}

/** KID over `subsets` random subsets of `subsetSize` rows of each set (without replacement within a subset). */
export async function kid(x: Features, y: Features, opts: { subsets?: number; subsetSize?: number; seed?: number } = {}): Promise<Kid> {
  if (x.d !== y.d) throw new Error(`kid: dimensions ${x.d} and ${y.d} differ`);
  const subsetSize = Math.min(opts.subsetSize ?? 1000, x.n, y.n);
  const subsets = opts.subsets ?? 100;
  if (subsetSize < 2) throw new Error('kid: needs at least 2 samples in each set');
  const rng = seedrandom(`pegasus:kid:${opts.seed ?? 0}`);
  const pick = (n: number) => {
    const p = Uint32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < subsetSize; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const t = p[i]!; p[i] = p[j]!; p[j] = t;
    }
    return p.subarray(0, subsetSize);
  };
  const vals: number[] = [];
  for (let s = 0; s < subsets; s++) vals.push(await mmd2Unbiased(x, y, pick(x.n), pick(y.n)));
  const mean = vals.reduce((a, b) => a + b, 0) / subsets;
  const std = subsets > 1 ? Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / (subsets - 1)) : 0;
  return { mean, std, stderr: std / Math.sqrt(subsets), subsets, subsetSize };
}
