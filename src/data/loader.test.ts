import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Batch, LoaderOptions } from './batch.js';
import { DataError } from './errors.js';
import { createLoader } from './loader.js';
import { syntheticData } from './fixtures.js';
import { resizeBilinear } from './transform.js';

const base: LoaderOptions = { batchSize: 8, imageSize: 32, flip: false, grayscale: false, seed: 7, mixing: { kind: 'combined' } };
const toByte = (v: number) => Math.round((v * 0.5 + 0.5) * 255);

/** Recover (label, index, flipped) of image j of a 32px batch from its first pixel. */
function ident(b: Batch, j: number): { label: number; index: number; flipped: boolean } {
  const S = b.shape[1];
  const o = j * S * S * 3;
  const r = toByte(b.x[o]!);
  const g = toByte(b.x[o + 1]!);
  const bl = toByte(b.x[o + 2]!);
  const flipped = bl >= 200;
  const hi = flipped ? bl - 217 : bl;
  return { label: r / 20, index: g + 256 * hi, flipped };
}

test('batch form: NHWC float32 in [-1, 1], labels of the images, shape and step', async () => {
  const data = syntheticData([40, 30], ['horse', 'airplane']);
  const L = createLoader(data, base);
  try {
    const b = await L.get(0);
    assert.deepEqual(b.shape, [8, 32, 32, 3]);
    assert.equal(b.x.length, 8 * 32 * 32 * 3);
    assert.ok(b.x instanceof Float32Array && b.labels instanceof Int32Array);
    assert.equal(b.step, 0);
    assert.equal(b.phase, null);
    for (const v of b.x) assert.ok(v >= -1 && v <= 1);
    for (let j = 0; j < 8; j++) {
      const id = ident(b, j);
      assert.equal(id.label, b.labels[j]);
      assert.equal(data.labels[id.index], b.labels[j]);
    }
    assert.equal(L.stepsPerEpoch, 8); // 70 / 8
    assert.equal(L.totalSteps, null);
    assert.match(L.describe(), /^combined: horse\+airplane 70 images, 8 steps\/epoch/);
  } finally {
    await L.close();
  }
});

test('combined: every image at most once per epoch, shuffled differently each epoch', async () => {
  const data = syntheticData([40, 30]);
  const L = createLoader(data, base);
  try {
    const epochs: number[][] = [[], []];
    for (let s = 0; s < 16; s++) {
      const b = await L.get(s);
      assert.equal(b.epoch, Math.floor(s / 8));
      for (let j = 0; j < 8; j++) epochs[b.epoch]!.push(ident(b, j).index);
    }
    for (const e of epochs) assert.equal(new Set(e).size, 64);
    assert.notDeepEqual(epochs[0], epochs[1]);
  } finally {
    await L.close();
  }
});

test('deterministic: same seed -> same batches; resuming at step k gives the same batch; worker == in-thread', async () => {
  const data = syntheticData([40, 30]);
  const opts: LoaderOptions = { ...base, flip: true, mixing: { kind: 'alternate' } };
  const a = createLoader(data, opts);
  const b = createLoader(data, opts);
  const c = createLoader(data, { ...opts, worker: false });
  const d = createLoader(data, { ...opts, seed: 8 });
  try {
    const seq: Batch[] = [];
    for (let s = 0; s < 12; s++) seq.push(await a.get(s));
    const resumed = await b.get(9);
    assert.deepEqual(resumed.x, seq[9]!.x);
    assert.deepEqual(resumed.labels, seq[9]!.labels);
    assert.deepEqual((await b.get(10)).x, seq[10]!.x);
    assert.deepEqual((await b.get(3)).x, seq[3]!.x); // going back works too
    for (const s of [0, 5, 11]) assert.deepEqual((await c.get(s)).x, seq[s]!.x);
    assert.notDeepEqual((await d.get(0)).x, seq[0]!.x);
  } finally {
    await Promise.all([a.close(), b.close(), c.close(), d.close()]);
  }
});

test('alternate: every batch is of class epoch % nClasses', async () => {
  const data = syntheticData([40, 24], ['horse', 'airplane']);
  const L = createLoader(data, { ...base, mixing: { kind: 'alternate' } });
  try {
    assert.match(L.describe(), /alternate: horse 5 steps\/epoch, airplane 3 steps\/epoch/);
    const seen: string[] = [];
    for (let s = 0; s < 16; s++) {
      const b = await L.get(s);
      const cls = b.epoch % 2;
      for (const l of b.labels) assert.equal(l, cls);
      assert.equal(L.epochAt(s), b.epoch);
      seen.push('ha'[cls]!);
    }
    assert.equal(seen.join(''), 'hhhhhaaahhhhhaaa');
  } finally {
    await L.close();
  }
});

test('phases: class order odd = first class, even = second; totalSteps; past the end rejects', async () => {
  const data = syntheticData([40, 24], ['horse', 'airplane']);
  const L = createLoader(data, { ...base, mixing: { kind: 'phases', iterations: [3, 2, 2, 1, 1] } });
  try {
    assert.equal(L.totalSteps, 9);
    const got: string[] = [];
    for (let s = 0; s < 9; s++) {
      const b = await L.get(s);
      assert.ok(b.labels.every((l) => l === b.labels[0]));
      assert.equal(b.labels[0], ((b.phase ?? 0) - 1) % 2);
      got.push(`${b.phase}${'ha'[b.labels[0]!]}`);
    }
    assert.equal(got.join(' '), '1h 1h 1h 2a 2a 3h 3h 4a 5h');
    await assert.rejects(L.get(9), (e: unknown) => e instanceof DataError && /past the end/.test((e as Error).message));
  } finally {
    await L.close();
  }
});

test('flip: seeded per (seed, step, image), about half; off means none', async () => {
  const data = syntheticData([300, 300]);
  const on = createLoader(data, { ...base, batchSize: 64, flip: true });
  const off = createLoader(data, { ...base, batchSize: 64, flip: false });
  try {
    let flipped = 0;
    for (let s = 0; s < 4; s++) {
      const b = await on.get(s);
      const ref = await off.get(s);
      for (let j = 0; j < 64; j++) {
        const id = ident(b, j);
        assert.equal(id.index, ident(ref, j).index); // same images, only mirrored
        assert.equal(ident(ref, j).flipped, false);
        if (id.flipped) flipped++;
      }
    }
    assert.ok(flipped > 90 && flipped < 166, `flipped ${flipped} of 256`);
  } finally {
    await Promise.all([on.close(), off.close()]);
  }
});

test('grayscale: the three channels are equal; imageSize 64 is the PIL bilinear resize of the image', async () => {
  const data = syntheticData([20, 20]);
  const g = createLoader(data, { ...base, grayscale: true });
  const big = createLoader(data, { ...base, imageSize: 64 });
  const small = createLoader(data, base);
  try {
    const b = await g.get(0);
    for (let i = 0; i < b.x.length; i += 3) {
      assert.equal(b.x[i], b.x[i + 1]);
      assert.equal(b.x[i], b.x[i + 2]);
    }
    const B = await big.get(2);
    const s = await small.get(2);
    assert.deepEqual(B.shape, [8, 64, 64, 3]);
    const idx = ident(s, 0).index;
    const out = new Uint8Array(64 * 64 * 3);
    resizeBilinear(data.images, idx * 3072, 32, 64, 3, out, new Uint8Array(32 * 64 * 3));
    for (let i = 0; i < out.length; i++) assert.equal(toByte(B.x[i]!), out[i]);
  } finally {
    await Promise.all([g.close(), big.close(), small.close()]);
  }
});

test('prefetch: the next batch is ready while a step runs (waitStats ~0 after the first)', async () => {
  const data = syntheticData([300, 300]);
  const L = createLoader(data, { ...base, batchSize: 64, imageSize: 64, flip: true });
  try {
    await L.get(0);
    const first = L.waitStats();
    assert.equal(first.calls, 1);
    for (let s = 1; s <= 10; s++) {
      const t = performance.now();
      while (performance.now() - t < 40) {
        /* a training step that blocks this thread */
      }
      await L.get(s);
    }
    const st = L.waitStats();
    assert.equal(st.calls, 11);
    const after = st.totalWaitMs - first.totalWaitMs;
    assert.ok(after / 10 < 5, `mean wait after the first ${(after / 10).toFixed(2)} ms`);
  } finally {
    await L.close();
  }
});

test('startStep: a resumed loader prepares step k at once, with the same batch as a straight run', async () => {
  const data = syntheticData([300, 300]);
  const opts: LoaderOptions = { ...base, batchSize: 64, imageSize: 64, flip: true };
  const straight = createLoader(data, { ...opts, worker: false });
  const resumed = createLoader(data, { ...opts, startStep: 7 });
  try {
    // The trainer restores its checkpoint meanwhile. An idle second, not a busy one: on a loaded
    // machine a busy main thread starves the worker of the core it needs (seen as a 25 ms wait).
    await new Promise((r) => setTimeout(r, 1000));
    const b = await resumed.get(7);
    assert.ok(resumed.waitStats().firstWaitMs < 5, `first wait ${resumed.waitStats().firstWaitMs.toFixed(1)} ms`);
    assert.deepEqual(b.x, (await straight.get(7)).x);
    assert.deepEqual((await resumed.get(8)).labels, (await straight.get(8)).labels);
  } finally {
    await Promise.all([straight.close(), resumed.close()]);
  }
});

test('bad options and use after close', async () => {
  const data = syntheticData([20, 4], ['horse', 'airplane']);
  assert.throws(() => createLoader(data, { ...base, imageSize: 48 as 32 }), DataError);
  assert.throws(() => createLoader(data, { ...base, mixing: { kind: 'alternate' } }), /class "airplane" has 4 images, fewer than one batch of 8/);
  const L = createLoader(data, base);
  await L.close();
  await assert.rejects(L.get(0), /after close/);
});
