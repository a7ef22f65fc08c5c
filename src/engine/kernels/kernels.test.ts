// Own conv kernels against the tfjs CPU backend and against finite differences, on odd shapes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './index.js';
import type { Pad } from './conv-geometry.js';

interface Case { name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: Pad }
const CASES: Case[] = [
  { name: 'DCGAN D1 s2 same', x: [2, 16, 16, 3], f: [4, 4, 3, 8], s: 2, pad: 'same' },
  { name: 'G first layer 1x1 valid', x: [3, 4, 4, 12], f: [4, 4, 12, 5], s: 1, pad: 'valid' },
  { name: 'D last layer valid', x: [2, 4, 4, 7], f: [4, 4, 7, 1], s: 1, pad: 'valid' },
  { name: 'odd 7x9 k3 s2 same', x: [3, 7, 9, 5], f: [3, 3, 5, 6], s: 2, pad: 'same' },
  { name: 'odd 10x10 k3 s1 pad 1', x: [2, 10, 10, 3], f: [3, 3, 3, 3], s: 1, pad: 1 },
  { name: 'odd 11x11 k5 s3 valid', x: [2, 11, 11, 4], f: [5, 5, 4, 3], s: 3, pad: 'valid' },
  { name: 'non-square 6x10 k4 s2 valid', x: [2, 6, 10, 3], f: [4, 4, 3, 5], s: 2, pad: 'valid' },
  { name: 'non-square 9x5 k2x3 s(2,1) same', x: [1, 9, 5, 6], f: [2, 3, 6, 7], s: [2, 1], pad: 'same' },
  { name: 'stride 3 > kernel 2', x: [1, 9, 9, 2], f: [2, 2, 2, 3], s: 3, pad: 'valid' },
  { name: 'explicit pad', x: [1, 8, 7, 3], f: [3, 3, 3, 2], s: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
];

let seed = 1;
const rnd = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', seed++);

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, ref = 0;
  for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i]! - b[i]!)); ref = Math.max(ref, Math.abs(b[i]!)); }
  return err / (ref || 1);
}

before(async () => { await initBackend('wasm', 2); });

for (const c of CASES) {
  test(`wasm kernels match the CPU backend: ${c.name}`, () => {
    tf.setBackend('cpu');
    const x = rnd(c.x) as tf.Tensor4D, w = rnd(c.f) as tf.Tensor4D;
    const y = tf.conv2d(x, w, c.s, c.pad as 'same');
    const dy = rnd(y.shape) as tf.Tensor4D;
    const strides = typeof c.s === 'number' ? [c.s, c.s] : c.s;
    const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as 'same'))([x, w], dy);
    const refDx = ref[0]!.dataSync().slice(), refDw = ref[1]!.dataSync().slice();
    const [xv, wv, dyv] = [x.dataSync().slice(), w.dataSync().slice(), dy.dataSync().slice()];
    tf.setBackend('wasm');
    const attrs = { strides: strides as [number, number], pad: c.pad };
    const dw = conv2dBackpropFilter({ inputs: { x: tf.tensor4d(xv, c.x), dy: tf.tensor4d(dyv, dy.shape) }, attrs: { ...attrs, filterShape: c.f } });
    const dx = conv2dBackpropInput({ inputs: { dy: tf.tensor4d(dyv, dy.shape), filter: tf.tensor4d(wv, c.f) }, attrs: { ...attrs, inputShape: c.x } });
    assert.deepEqual(dw.shape, c.f);
    assert.deepEqual(dx.shape, c.x);
    assert.ok(maxRelErr(dw.dataSync(), refDw) < 1e-5, `dW rel err ${maxRelErr(dw.dataSync(), refDw)}`);
    assert.ok(maxRelErr(dx.dataSync(), refDx) < 1e-5, `dX rel err ${maxRelErr(dx.dataSync(), refDx)}`);
  });
}

// L(x, w) = sum(conv(x, w) * dy) is linear in each argument, so a central difference is exact up to
// rounding: a check of the kernels that does not trust any other implementation.
test('wasm kernels match finite differences through tf.grads on the wasm backend', () => {
  tf.setBackend('wasm');
  for (const c of CASES) {
    tf.tidy(() => {
      const x = rnd(c.x) as tf.Tensor4D, w = rnd(c.f) as tf.Tensor4D;
      const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as 'same');
      const dy = rnd(conv(x, w).shape);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)).dataSync()[0]!;
      const [gx, gw] = tf.grads(conv)([x, w], dy) as [tf.Tensor, tf.Tensor];
      const eps = 0.5;
      for (const [t, g, which] of [[x, gx, 0], [w, gw, 1]] as const) {
        const flat = t.dataSync();
        const grad = g.dataSync();
        for (const i of [0, Math.floor(flat.length / 3), flat.length - 1]) {
          const bump = (d: number) => { const v = flat.slice(); v[i]! += d; return tf.tensor(v, t.shape); };
          const [p, m] = which === 0 ? [loss(bump(eps), w), loss(bump(-eps), w)] : [loss(x, bump(eps)), loss(x, bump(-eps))];
          const fd = (p - m) / (2 * eps);
          assert.ok(Math.abs(fd - grad[i]!) < 1e-3 * Math.max(1, Math.abs(fd)), `${c.name} ${which ? 'dW' : 'dX'}[${i}]: fd ${fd} vs ${grad[i]}`);
        }
      }
    });
  }
});

test('conv2dTranspose forward (Conv2DBackpropInput) matches the CPU backend', () => {
  tf.setBackend('cpu');
  const x = rnd([2, 4, 4, 6]) as tf.Tensor4D, w = rnd([4, 4, 5, 6]) as tf.Tensor4D;
  const ref = tf.conv2dTranspose(x, w, [2, 8, 8, 5], 2, 'same').dataSync().slice();
  const [xv, wv] = [x.dataSync().slice(), w.dataSync().slice()];
  tf.setBackend('wasm');
  const out = tf.conv2dTranspose(tf.tensor4d(xv, x.shape), tf.tensor4d(wv, w.shape), [2, 8, 8, 5], 2, 'same');
  assert.ok(maxRelErr(out.dataSync(), ref) < 1e-5);
});

test('kernels leak no tensors', () => {
  tf.setBackend('wasm');
  const x = rnd([2, 8, 8, 3]) as tf.Tensor4D, w = rnd([4, 4, 3, 4]) as tf.Tensor4D;
  const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))([x, w]).map((g) => g.dataSync()));
  step();
  const n = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, n);
});

test('BatchMatMul on wasm: the same data reshaped as b in two shapes gives right answers (tfjs-wasm cache bug)', () => {
  const u = rnd([3]), v = rnd([8]), m = rnd([1, 3]);
  const first = tf.matMul(m as tf.Tensor2D, tf.reshape(u, [3, 1]) as tf.Tensor2D);
  const got = tf.matMul(tf.reshape(v, [8, 1]) as tf.Tensor2D, tf.reshape(u, [1, 3]) as tf.Tensor2D);
  const uu = u.dataSync(), vv = v.dataSync(), g = got.dataSync();
  for (let i = 0; i < 8; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(g[i * 3 + j]! - vv[i]! * uu[j]!) < 1e-5);
  tf.dispose([u, v, m, first, got]);
});
