// Own conv kernels against the tfjs CPU backend and against finite differences, on odd shapes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './index.js';
import { CONV_CASES as CASES, checkFiniteDifferences, maxRelErr, rnd } from './cases.js';

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

test('wasm kernels match finite differences through tf.grads on the wasm backend', async () => {
  tf.setBackend('wasm');
  for (const c of CASES) await checkFiniteDifferences(c);
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

test('wasm Identity shares the buffer: clones read the same values, outlive their source, and free it with the last reference', () => {
  tf.setBackend('wasm');
  const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
  const before = buffers();
  const x = tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
  const copy = tf.clone(x);
  assert.equal(buffers(), before + 1, 'no second buffer');
  x.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, -2, 3, 4, 5, -6]);
  copy.dispose();
  assert.equal(buffers(), before);
  // what tfjs clones it for: tensors saved for the backward pass, then a variable updated in place
  const v = tf.variable(tf.tensor1d([1, 2, 3]));
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, v)))(tf.tensor1d([4, 5, 6]));
  v.assign(tf.tensor1d([7, 8, 9]));
  assert.deepEqual(Array.from(g.dataSync()), [1, 2, 3]);
  assert.deepEqual(Array.from(v.dataSync()), [7, 8, 9]);
  tf.dispose([g, v]);
});
