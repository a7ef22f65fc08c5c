// The shared checkpoint decoder works on plain bytes (no Node Buffer), as the browser page uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCheckpoint, encodeCheckpoint, type TensorMap } from './checkpoint-format.js';

const tensors = (): TensorMap => new Map([
  ['G/a', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, -7]) }],
  ['G/b', { shape: [1], data: Float32Array.from([42]) }],
]);

/** The bytes copied to an odd offset inside a larger ArrayBuffer, as a fetch() slice may be. */
function unaligned(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 1);
  return big.subarray(1, 1 + bytes.length);
}

function withoutBuffer<T>(fn: () => T): T {
  const g = globalThis as { Buffer?: unknown };
  const saved = g.Buffer;
  delete g.Buffer;
  try {
    return fn();
  } finally {
    g.Buffer = saved;
  }
}

test('encode -> decode without Node Buffer, float32 and float16, at an unaligned offset', () => {
  for (const dtype of ['float32', 'float16'] as const) {
    const bytes = withoutBuffer(() => encodeCheckpoint(7, { config: { seed: 3 }, name: 'pégase' }, tensors(), dtype));
    assert.ok(!(bytes instanceof Buffer), 'a plain Uint8Array');
    const ck = withoutBuffer(() => decodeCheckpoint(unaligned(bytes), 'x.ckpt'));
    assert.equal(ck.step, 7);
    assert.deepEqual(ck.meta, { config: { seed: 3 }, name: 'pégase' });
    assert.deepEqual(ck.tensors.get('G/a')!.shape, [2, 3]);
    const a = Array.from(ck.tensors.get('G/a')!.data);
    const want = [1, -2, 3.5, 0, 1e-3, -7];
    a.forEach((v, i) => assert.ok(Math.abs(v - Math.fround(want[i]!)) <= (dtype === 'float16' ? 1e-3 * Math.abs(want[i]!) : 0), `${dtype} ${i}: ${v}`));
    assert.equal(ck.tensors.get('G/b')!.data[0], 42);
  }
});

test('bad bytes: one message naming the file', () => {
  const bytes = encodeCheckpoint(1, {}, tensors());
  assert.throws(() => decodeCheckpoint(new Uint8Array([1, 2, 3]), 'a.ckpt'), /a\.ckpt: not a pegasus checkpoint/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, 20), 'b.ckpt'), /b\.ckpt: truncated header/);
  const corrupt = bytes.slice();
  corrupt[12] = 0xff; // invalid UTF-8 / JSON at the header's first byte
  assert.throws(() => decodeCheckpoint(corrupt, 'c.ckpt'), /c\.ckpt: corrupt header/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'd.ckpt'), /d\.ckpt: truncated or corrupt tensor G\/b/);
});
