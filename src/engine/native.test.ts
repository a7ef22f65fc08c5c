// Native conv kernels (native/) against the tfjs CPU backend and finite differences, through the
// same tfjs ops the models call. Skipped only where the addon is not built and
// PEGASUS_REQUIRE_NATIVE is not set (CI sets it).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.js';
import { loadNative, nativeLoadError } from './native.js';
import { FUSED_ADAM, FUSED_BN_LEAKY, FUSED_LEAKY, FUSED_TANH, fusedAdam, hasFusedKernel } from './fused.js';
import { ParamStore } from '../models/params.js';
import { batchNormLeakyRelu, batchNormParams, leakyRelu, tanh } from '../models/layers.js';
import { adamComposed } from '../training/adam.js';
import { CONV_CASES, checkFiniteDifferences, compareWithCpu, rnd, type ConvCase } from './kernels/cases.js';

const addon = loadNative();
if (!addon && process.env.PEGASUS_REQUIRE_NATIVE === '1') throw new Error(`PEGASUS_REQUIRE_NATIVE=1 but the native addon is not loadable: ${nativeLoadError()}`);
const skip = addon ? false : `native addon not built (${nativeLoadError()})`;

// Larger than one block in every GEMM dimension: K > KC (192), M > MC (144), N > NC (2048), with
// ragged edges (M, N not multiples of MR = 12, NR = 32).
const BLOCKING: ConvCase[] = [
  { name: 'blocking K, M: 13x13x37 k3 -> 70', x: [3, 13, 13, 37], f: [3, 3, 37, 70], s: 1, pad: 'same' },
  { name: 'blocking N for dX: k4 x 130 channels', x: [2, 6, 6, 130], f: [4, 4, 130, 9], s: 2, pad: 'same' },
  { name: 'wide output: 2100 filters', x: [1, 3, 3, 5], f: [2, 2, 5, 2100], s: 1, pad: 'valid' },
  // C over 2 MB: the loop order that finishes each row block over all of K (forward:
  // K = 336, two KC panels; dX: K = 200, two panels, col2im columns 336 wide).
  { name: 'C beyond L2: 6x31x31x21 k4 -> 200', x: [6, 31, 31, 21], f: [4, 4, 21, 200], s: 1, pad: 'same' },
];
const L2_CASE = BLOCKING[3]!;

before(async () => {
  if (addon) await initBackend('native', 2);
});

for (const c of [...CONV_CASES, ...BLOCKING]) {
  test(`native kernels match the CPU backend: ${c.name}`, { skip }, async () => {
    const err = await compareWithCpu(c, 'wasm');
    assert.ok(err < 1e-5, `max rel err ${err}`);
  });
}

test('native kernels match finite differences', { skip }, async () => {
  tf.setBackend('wasm');
  for (const c of CONV_CASES) await checkFiniteDifferences(c);
});

test('native forward conv with dilation matches the CPU backend', { skip }, () => {
  tf.setBackend('cpu');
  const x = rnd([2, 9, 8, 3]) as tf.Tensor4D, w = rnd([3, 2, 3, 4]) as tf.Tensor4D;
  const ref = tf.conv2d(x, w, 1, 'same', 'NHWC', [2, 3]).dataSync().slice();
  const [xv, wv] = [x.dataSync().slice(), w.dataSync().slice()];
  tf.setBackend('wasm');
  const got = tf.conv2d(tf.tensor4d(xv, x.shape), tf.tensor4d(wv, w.shape), 1, 'same', 'NHWC', [2, 3]).dataSync();
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(got[i]! - ref[i]!) < 1e-5);
});

for (const c of [BLOCKING[0]!, L2_CASE]) test(`results do not depend on the thread count (bit for bit): ${c.name}`, { skip }, () => {
  tf.setBackend('wasm');
  const x = rnd(c.x), w = rnd(c.f);
  const run = () => tf.tidy(() => {
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([x, w], tf.onesLike(y));
    return [y, gx!, gw!].map((t) => Array.from(t.dataSync()));
  });
  addon!.setThreads(1);
  const one = run();
  addon!.setThreads(3);
  const three = run();
  addon!.setThreads(2);
  assert.deepEqual(three, one);
  tf.dispose([x, w]);
});

test('the addon rejects arrays that do not match the geometry, with a message', { skip }, () => {
  const g = Int32Array.from([1, 4, 4, 2, 2, 2, 3, 3, 3, 1, 1, 0, 0, 1, 1]);
  const x = new Float32Array(32), w = new Float32Array(24), y = new Float32Array(27);
  addon!.conv2d(x, w, y, g);
  assert.throws(() => addon!.conv2d(x, w, new Float32Array(26), g), /pegasus native: array lengths do not match the geometry/);
  assert.throws(() => addon!.conv2d(x, w, y, Int32Array.from([1, 2])), /geometry must be an Int32Array of 15/);
  assert.throws(() => addon!.conv2d(x, new Int32Array(24) as unknown as Float32Array, y, g), /input 2 must be a Float32Array/);
});

test('native kernels leak no tensors', { skip }, () => {
  tf.setBackend('wasm');
  const x = rnd([2, 8, 8, 3]) as tf.Tensor4D, w = rnd([4, 4, 3, 4]) as tf.Tensor4D;
  const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))([x, w]).map((g) => g.dataSync()));
  step();
  const n = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, n);
});

test('native per-channel Sum / Mean match the CPU backend; other reductions still work', { skip }, () => {
  const shapes: number[][] = [[64, 8, 8, 37], [3, 5], [2, 3, 4, 1], [130, 70]];
  for (const shape of shapes) {
    tf.setBackend('cpu');
    const x = rnd(shape);
    const lead = shape.slice(0, -1).map((_, i) => i);
    const ref = [tf.sum(x, lead), tf.mean(x, lead, true), tf.sum(x, 0), tf.mean(x), tf.sum(x, -1)].map((t) => ({ shape: t.shape, data: t.dataSync().slice() }));
    const xv = x.dataSync().slice();
    tf.setBackend('wasm');
    const x2 = tf.tensor(xv, shape);
    const got = [tf.sum(x2, lead), tf.mean(x2, lead, true), tf.sum(x2, 0), tf.mean(x2), tf.sum(x2, -1)];
    got.forEach((t, i) => {
      assert.deepEqual(t.shape, ref[i]!.shape, `${shape} reduction ${i}`);
      const d = t.dataSync();
      for (let j = 0; j < d.length; j++) assert.ok(Math.abs(d[j]! - ref[i]!.data[j]!) < 1e-4 * Math.max(1, Math.abs(ref[i]!.data[j]!)), `${shape} reduction ${i}[${j}]`);
    });
    tf.dispose([x2, ...got]);
  }
});

test('native 2x2 max pool and its gradient match the CPU backend (ties: first maximum); other pools still work', { skip }, () => {
  const cases: [number[], number, number, 'valid' | 'same'][] = [[[3, 8, 6, 5], 2, 2, 'valid'], [[2, 6, 6, 3], 3, 2, 'same'], [[1, 5, 7, 2], 2, 2, 'valid']];
  for (const [shape, f, s, pad] of cases) {
    tf.setBackend('cpu');
    // rounded values make ties, where the choice of maximum matters (the stock kernels that the
    // other cases fall back to break ties differently from the CPU backend, so they get none)
    const ours = f === 2 && s === 2 && pad === 'valid';
    const x = ours ? tf.round(tf.mul(rnd(shape), 2)) : rnd(shape);
    const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, f, s, pad);
    const y = pool(x);
    const dy = rnd(y.shape);
    const ref = [y.dataSync().slice(), tf.grad(pool)(x, dy).dataSync().slice()];
    const [xv, dyv] = [x.dataSync().slice(), dy.dataSync().slice()];
    tf.setBackend('wasm');
    const x2 = tf.tensor(xv, shape);
    const got = [pool(x2).dataSync(), tf.grad(pool)(x2, tf.tensor(dyv, y.shape)).dataSync()];
    got.forEach((g, i) => {
      const what = `${shape} f${f} s${s} ${i ? 'grad' : 'forward'}`;
      // ours is exact; the stock kernels' overlapping windows add in another order
      if (ours) assert.deepEqual(Array.from(g), Array.from(ref[i]!), what);
      else g.forEach((v, j) => assert.ok(Math.abs(v - ref[i]![j]!) < 1e-5, `${what}[${j}]`));
    });
  }
});

test('native fused Adam equals the composed tfjs ops bit for bit (serial and threaded sizes)', { skip }, () => {
  tf.setBackend('wasm');
  assert.ok(hasFusedKernel(FUSED_ADAM), 'registered on wasm');
  const beta1 = 0.5, beta2 = 0.999, lr = 2e-4, t = 3;
  const k = { stepSize: lr / (1 - beta1 ** t), beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, c2: 1 - beta2 ** t, eps: 1e-8 };
  for (const n of [7, 3000, 200_003]) {
    const [p, m, g] = [rnd([n]), tf.mul(rnd([n]), 0.01), rnd([n])];
    const v = tf.mul(tf.square(rnd([n])), 0.001);
    const fused = fusedAdam(p, m, v, g, k).map((x) => x.dataSync());
    const composed = adamComposed(p, m, v, g, k).map((x) => x.dataSync());
    ['p', 'm', 'v'].forEach((name, i) => assert.deepEqual(fused[i], composed[i], `${name}, n = ${n}`));
  }
});

test('the addon checks the fused Adam arguments', { skip }, () => {
  const a = new Float32Array(4);
  assert.throws(() => addon!.adam(a, a, a, new Float32Array(3), a, a, a, 1, 0.5, 0.5, 0.9, 0.1, 1, 1e-8), /g has another length than p/);
  assert.throws(() => (addon!.adam as unknown as (...x: unknown[]) => void)(a, a, a), /expected \(p, m, v, g/);
});

/** y, the running stats after one update, and the gradients of sum(y * dy) w.r.t. x, gamma, beta. */
function bnLeakyRun(backend: string, shape: number[], values: Float32Array[], slope?: number) {
  tf.setBackend(backend);
  const c = shape.at(-1)!;
  const store = new ParamStore();
  const p = batchNormParams(store, 'bn', c, 1);
  p.gamma.assign(tf.tensor1d(values[1]!));
  p.beta.assign(tf.tensor1d(values[2]!));
  const x = tf.tensor4d(values[0]!, shape as [number, number, number, number]), dy = tf.tensor(values[3]!, shape);
  const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    p.gamma.assign(g as tf.Tensor1D);
    p.beta.assign(b as tf.Tensor1D);
    return batchNormLeakyRelu(xi as tf.Tensor4D, p, { training: true }, slope);
  };
  const y = batchNormLeakyRelu(x, p, { training: true }, slope);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(batchNormLeakyRelu(x, p, { training: true, updateStats: false }, slope), dy)), [p.gamma, p.beta]);
  const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi, p.gamma, p.beta), dy)))(x);
  const out = [y, p.mean, p.variance, dx, grads[p.gamma.name]!, grads[p.beta.name]!].map((t) => t.dataSync().slice() as Float32Array);
  store.dispose();
  return out;
}

test('native fused batch-norm + LeakyReLU (and ReLU): forward, running stats and gradients match the composed ops on the CPU backend', { skip }, () => {
  const cases: [number[], number | undefined][] = [[[8, 5, 5, 7], undefined], [[64, 8, 8, 130], undefined], [[16, 4, 4, 9], 0]];
  for (const [shape, slope] of cases) {
    const c = shape.at(-1)!, n = shape.reduce((a, b) => a * b);
    tf.setBackend('cpu');
    const values = [rnd([n]), tf.add(1, tf.mul(0.5, rnd([c]))), tf.mul(0.5, rnd([c])), rnd([n])].map((t) => t.dataSync().slice() as Float32Array);
    values[0] = values[0]!.map((v, i) => v * 2 + (i % c) * 0.1); // channels with their own mean
    const ref = bnLeakyRun('cpu', shape, values, slope);
    const got = bnLeakyRun('wasm', shape, values, slope);
    assert.ok(hasFusedKernel(FUSED_BN_LEAKY));
    ['y', 'running mean', 'running var', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => {
      let scale = 0, worst = 0;
      ref[i]!.forEach((v, j) => { scale = Math.max(scale, Math.abs(v)); worst = Math.max(worst, Math.abs(got[i]![j]! - v)); });
      const err = worst / scale;
      assert.ok(err < 2e-5, `${shape} slope ${slope} ${name}: max error ${err} of the largest value`);
    });
  }
});

test('native fused batch-norm + LeakyReLU gives the same bits on any thread count', { skip }, () => {
  const shape = [64, 8, 8, 37], n = 64 * 8 * 8 * 37;
  tf.setBackend('cpu');
  const values = [rnd([n]), rnd([37]), rnd([37]), rnd([n])].map((t) => t.dataSync().slice() as Float32Array);
  addon!.setThreads(1);
  const one = bnLeakyRun('wasm', shape, values);
  addon!.setThreads(3);
  const three = bnLeakyRun('wasm', shape, values);
  addon!.setThreads(2);
  assert.deepEqual(three, one);
});

test('the addon checks the fused batch-norm arguments', { skip }, () => {
  const f = (n: number) => new Float32Array(n);
  addon!.bnLeaky(f(12), f(3), f(3), f(12), f(3), f(3), 3, 1e-5, 0.2);
  assert.throws(() => addon!.bnLeaky(f(12), f(3), f(3), f(12), f(3), f(4), 3, 1e-5, 0.2), /var has the wrong length/);
  assert.throws(() => addon!.bnLeaky(f(10), f(3), f(3), f(10), f(3), f(3), 3, 1e-5, 0.2), /not a positive multiple of the channels/);
  assert.throws(() => addon!.bnLeakyGrad(f(12), f(12), f(3), f(3), f(3), f(3), f(11), f(3), f(3), 3, 1e-5, 0.2), /dx has the wrong length/);
  assert.throws(() => (addon!.bnLeaky as unknown as (...x: unknown[]) => void)(f(12)), /expected \(x, gamma, beta/);
});

// Element-wise activations: layer function, kernel, input scale, tolerance against the CPU backend
// (which computes in double: the slope's product one rounding apart, Math.tanh a rounding or two).
const ACTIVATIONS = [
  { name: 'LeakyReLU', fn: leakyRelu, kernel: FUSED_LEAKY, scale: 1, tol: 1e-7 },
  { name: 'tanh', fn: tanh, kernel: FUSED_TANH, scale: 8, tol: 3e-7 },
];

for (const act of ACTIVATIONS) {
  test(`native fused ${act.name} and its gradient match the CPU backend (zeros too; serial and threaded sizes)`, { skip }, () => {
    for (const n of [1000, 200_003]) {
      tf.setBackend('cpu');
      const xv = tf.mul(rnd([n]), act.scale).dataSync().slice(), dyv = rnd([n]).dataSync().slice();
      for (let i = 0; i < n; i += 7) xv[i] = 0;
      const run = () => {
        const x = tf.tensor(xv), dy = tf.tensor(dyv);
        const y = act.fn(x as unknown as tf.Tensor4D);
        const dx = tf.grad((t: tf.Tensor) => act.fn(t as unknown as tf.Tensor4D))(x, dy);
        return [y.dataSync().slice(), dx.dataSync().slice()];
      };
      const ref = run();
      tf.setBackend('wasm');
      assert.ok(hasFusedKernel(act.kernel));
      const got = run();
      got.forEach((g, k) => g.forEach((v, i) => assert.ok(Math.abs(v - ref[k]![i]!) <= act.tol * Math.max(1, Math.abs(v)), `n = ${n}, ${k ? 'dx' : 'y'}[${i}]: ${v} vs ${ref[k]![i]}`)));
    }
  });
}

test('the addon checks the LeakyReLU arguments', { skip }, () => {
  assert.throws(() => addon!.leakyRelu(new Float32Array(4), new Float32Array(3), 0.2), /y has another length than x/);
  assert.throws(() => addon!.leakyReluGrad(new Float32Array(4), new Float32Array(4), new Float32Array(5), 0.2), /dx has another length than x/);
});

test('the addon checks the tanh arguments', { skip }, () => {
  assert.throws(() => addon!.tanh(new Float32Array(4), new Float32Array(3)), /y has another length than x/);
  assert.throws(() => addon!.tanhGrad(new Float32Array(4), new Float32Array(4), new Float32Array(5)), /dx has another length than y/);
  assert.throws(() => (addon!.tanh as (...a: unknown[]) => void)(new Float32Array(4)), /expected \(x, y\)/);
});

test("the FMA peak bounds what the conv kernel reaches, and no x86 core beats 2 x 512-bit FMA at 6 GHz", { skip }, () => {
  tf.setBackend('wasm');
  // a DCGAN-sized conv: 64 x 16x16x128 k4 s2 -> 256, 2 * M * N * K = 2.1 GFLOP
  const x = rnd([64, 16, 16, 128]) as tf.Tensor4D, w = rnd([4, 4, 128, 256]) as tf.Tensor4D;
  const flop = 2 * 64 * 8 * 8 * 256 * 4 * 4 * 128;
  // interleaved, best of each: another process busy during one measurement cannot fake a result
  let peak = 0, conv = 0;
  for (let i = 0; i < 4; i++) {
    peak = Math.max(peak, addon!.peakGflops());
    const t0 = performance.now();
    tf.conv2d(x, w, 2, 'same').dispose();
    conv = Math.max(conv, flop / (performance.now() - t0) / 1e6);
  }
  assert.ok(peak > 0 && peak / addon!.threads() < 2 * 16 * 2 * 6, `peak ${peak} GFLOP/s on ${addon!.threads()} thread(s)`);
  assert.ok(conv < 1.1 * peak, `the conv ran at ${conv.toFixed(0)} GFLOP/s, over the measured peak ${peak.toFixed(0)}`);
  tf.dispose([x, w]);
});
