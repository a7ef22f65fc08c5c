// Conv shapes and reference checks shared by the wasm and native kernel tests: odd sizes, stride 1,
// 2 and 3, 'same', 'valid' and explicit padding, non-square images and filters, channel counts
// that are not powers of 2.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Pad } from './conv-geometry.js';
import { takeData } from '../read.js';

export interface ConvCase { name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: Pad }

export const CONV_CASES: ConvCase[] = [
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
export const rnd = (shape: number[]): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', seed++);

export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, ref = 0;
  for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i]! - b[i]!)); ref = Math.max(ref, Math.abs(b[i]!)); }
  return err / (ref || 1);
}

export const convOf = (c: ConvCase) => (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as 'same');

/**
 * Forward, dX and dW of a case through tfjs ops on `backend` against the tfjs CPU backend.
 * Returns the largest relative error. Reads are asynchronous, so any backend (WebGPU too) works.
 */
export async function compareWithCpu(c: ConvCase, backend: string): Promise<number> {
  tf.setBackend('cpu');
  const x = rnd(c.x), w = rnd(c.f);
  const y = convOf(c)(x, w);
  const dy = rnd(y.shape);
  const [rx, rw] = tf.grads(convOf(c))([x, w], dy);
  const ref = [y, rx!, rw!].map((t) => t.dataSync().slice());
  const [xv, wv, dyv] = [x, w, dy].map((t) => t.dataSync().slice());
  tf.dispose([x, w, y, dy, rx!, rw!]);
  tf.setBackend(backend);
  const [x2, w2, dy2] = [tf.tensor(xv!, c.x), tf.tensor(wv!, c.f), tf.tensor(dyv!, y.shape)];
  const y2 = convOf(c)(x2, w2);
  const [gx, gw] = tf.grads(convOf(c))([x2, w2], dy2);
  const got = await Promise.all([y2, gx!, gw!].map((t) => t.data()));
  assert.deepEqual(y2.shape, y.shape);
  assert.deepEqual(gx!.shape, c.x);
  assert.deepEqual(gw!.shape, c.f);
  tf.dispose([x2, w2, dy2, y2, gx!, gw!]);
  return Math.max(...got.map((d, i) => maxRelErr(d, ref[i]!)));
}

/**
 * L(x, w) = sum(conv(x, w) * dy) is linear in each argument, so a central difference is exact up
 * to rounding: a check of the gradients that trusts no other implementation.
 */
export async function checkFiniteDifferences(c: ConvCase): Promise<void> {
  const x = rnd(c.x), w = rnd(c.f);
  const y = convOf(c)(x, w);
  const dy = rnd(y.shape);
  y.dispose();
  const loss = async (a: tf.Tensor, b: tf.Tensor) => (await takeData(tf.tidy(() => tf.sum(tf.mul(convOf(c)(a, b), dy)))))[0]!;
  const [gx, gw] = tf.grads(convOf(c))([x, w], dy) as [tf.Tensor, tf.Tensor];
  const eps = 0.5;
  for (const [t, g, which] of [[x, gx, 0], [w, gw, 1]] as const) {
    const flat = await t.data();
    const grad = await g.data();
    for (const i of [0, Math.floor(flat.length / 3), flat.length - 1]) {
      const bump = (d: number) => { const v = flat.slice(); v[i]! += d; return tf.tensor(v, t.shape); };
      const [bp, bm] = [bump(eps), bump(-eps)];
      const [p, m] = which === 0 ? [await loss(bp, w), await loss(bm, w)] : [await loss(x, bp), await loss(x, bm)];
      tf.dispose([bp, bm]);
      const fd = (p - m) / (2 * eps);
      assert.ok(Math.abs(fd - grad[i]!) < 1e-3 * Math.max(1, Math.abs(fd)), `${c.name} ${which ? 'dW' : 'dX'}[${i}]: fd ${fd} vs ${grad[i]}`);
    }
  }
  tf.dispose([x, w, dy, gx, gw]);
}
