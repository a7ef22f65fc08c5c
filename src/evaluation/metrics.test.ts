import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../engine/backend.js';
import { Matrix } from 'ml-matrix';
import seedrandom from 'seedrandom';
import { features, frechetDistance, gaussian, kid, mmd2Unbiased, sqrtPsd, traceSqrtProduct } from './metrics.js';

before(async () => { await initBackend('auto', 2); });

const close = (a: number, b: number, tol = 1e-9, what = '') => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

function normalSet(n: number, d: number, seed: string, shift = 0, scale = 1): Float32Array {
  const rng = seedrandom(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(rng(), 1e-12), v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = shift + scale * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = shift + scale * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

test('gaussian: mean and unbiased covariance of a hand case', () => {
  // rows (1, 2), (3, 6), (5, 7): mean (3, 5); deviations (-2,-3), (0,1), (2,2)
  const g = gaussian(features(Float32Array.from([1, 2, 3, 6, 5, 7]), 2));
  assert.deepEqual(Array.from(g.mean), [3, 5]);
  assert.deepEqual(g.cov.to2DArray(), [[4, 5], [5, 7]]); // (4+0+4)/2, (6+0+4)/2, (9+1+4)/2
  assert.throws(() => features(new Float32Array(5), 2), /5 values are not rows of 2/);
});

test('matrix square root: sqrt(A)^2 = A for a PSD matrix; rounding-negative eigenvalues are clipped', () => {
  const a = new Matrix([[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]]);
  const r = sqrtPsd(a);
  const back = r.mmul(r);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(back.get(i, j), a.get(i, j), 1e-12);
  const singular = new Matrix([[1, 1], [1, 1 - 1e-17]]); // eigenvalues 2 and ~-5e-18
  const s = sqrtPsd(singular);
  assert.ok(s.to1DArray().every(Number.isFinite));
});

test('Fréchet distance: closed forms (diagonal, and 2x2 via tr sqrt M = sqrt(tr M + 2 sqrt det M))', () => {
  const diag = (v: number[]) => Matrix.diag(v);
  const g1 = { mean: Float64Array.from([0, 1, 2]), cov: diag([1, 4, 9]) };
  const g2 = { mean: Float64Array.from([1, 1, 0]), cov: diag([4, 4, 1]) };
  // |dmu|^2 = 1 + 0 + 4; sum (sqrt a - sqrt b)^2 = 1 + 0 + 4
  close(frechetDistance(g1, g2), 10, 1e-12, 'diagonal');
  // non-commuting 2x2 covariances
  const c1 = new Matrix([[2, 1], [1, 2]]), c2 = new Matrix([[3, 0], [0, 1]]);
  const a = sqrtPsd(c1), m = a.mmul(c2).mmul(a);
  const det = m.get(0, 0) * m.get(1, 1) - m.get(0, 1) * m.get(1, 0);
  close(traceSqrtProduct(c1, c2), Math.sqrt(m.trace() + 2 * Math.sqrt(det)), 1e-12, '2x2');
  // and the same value as tr sqrt(C2^1/2 C1 C2^1/2): the formula is symmetric
  close(traceSqrtProduct(c1, c2), traceSqrtProduct(c2, c1), 1e-12, 'symmetry');
});

test('Fréchet distance of a set with itself is ~0; a shifted or rescaled set is farther', () => {
  const d = 16;
  const x = features(normalSet(2000, d, 'x'), d);
  const same = frechetDistance(gaussian(x), gaussian(x));
  assert.ok(Math.abs(same) < 1e-9, `self ${same}`);
  const y = features(normalSet(2000, d, 'y'), d); // same distribution, other draw
  const shifted = features(normalSet(2000, d, 'y', 0.5), d);
  const wider = features(normalSet(2000, d, 'y', 0, 1.5), d);
  const fy = frechetDistance(gaussian(x), gaussian(y));
  const fs = frechetDistance(gaussian(x), gaussian(shifted));
  const fw = frechetDistance(gaussian(x), gaussian(wider));
  assert.ok(fy < 0.3, `two draws ${fy}`);
  close(fs, d * 0.25 + fy, 0.15, 'shift adds |dmu|^2 = 4'); // ~ 16 * 0.5^2
  assert.ok(fw > d * 0.2, `wider ${fw}`); // ~ 16 * (1.5 - 1)^2 = 4
});

test('KID: hand-computed MMD^2 on two points each; ~0 for one distribution, larger when shifted', async () => {
  // d = 1, x = {0, 1}, y = {2, 3}: k(a, b) = (ab + 1)^3
  const x = features(Float32Array.from([0, 1]), 1), y = features(Float32Array.from([2, 3]), 1);
  const kxx = 1, kyy = 7 ** 3; // k(0,1) = 1, k(2,3) = 343
  const kxy = (1 + 1 + 27 + 64) / 4; // k(0,2)=1, k(0,3)=1, k(1,2)=27, k(1,3)=64
  close(await mmd2Unbiased(x, y, [0, 1], [0, 1]), kxx + kyy - 2 * kxy, 1e-12);
  const d = 8;
  const a = features(normalSet(1500, d, 'a'), d), b = features(normalSet(1500, d, 'b'), d), c = features(normalSet(1500, d, 'b', 0.5), d);
  const same = await kid(a, b, { subsets: 20, subsetSize: 300, seed: 1 });
  const far = await kid(a, c, { subsets: 20, subsetSize: 300, seed: 1 });
  assert.ok(Math.abs(same.mean) < 3 * same.stderr + 1e-3, `same ${same.mean} +- ${same.stderr}`);
  assert.ok(far.mean > 10 * far.stderr && far.mean > 0.01, `far ${far.mean} +- ${far.stderr}`);
  assert.equal(same.subsetSize, 300);
  assert.deepEqual(await kid(a, b, { subsets: 5, subsetSize: 100, seed: 2 }), await kid(a, b, { subsets: 5, subsetSize: 100, seed: 2 }));
});
