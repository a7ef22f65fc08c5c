import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHalf, toHalf } from './float16.js';

test('float16: known bit patterns, rounding to nearest even, overflow, subnormals, NaN', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
    [65520, 0x7c00], // rounds up past the largest finite half: infinity
    [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -25, 0x0000], // smallest normal, smallest subnormal, tie to even (0)
    [1 + 2 ** -11, 0x3c00], // exactly half way between 1 and 1 + 2^-10: ties to even
    [1 + 3 * 2 ** -11, 0x3c02], // half way between 1 + 2^-10 and 1 + 2^-9: to even (up)
    [0.1, 0x2e66], [1 / 3, 0x3555],
  ];
  for (const [v, h] of cases) assert.equal(toHalf(v), h, `toHalf(${v}) = 0x${toHalf(v).toString(16)}`);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  for (const h of [0x0001, 0x03ff, 0x0400, 0x3c00, 0x3555, 0x7bff, 0xc000]) assert.equal(toHalf(fromHalf(h)), h, `round trip 0x${h.toString(16)}`);
  assert.equal(fromHalf(0x7c00), Infinity);
  // relative error of a normal value is at most 2^-11
  for (const v of [3.14159, -0.0123, 1234.5, 7e-5]) assert.ok(Math.abs(fromHalf(toHalf(v)) - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `${v}`);
});

test('a float16 checkpoint is half the size and decodes to the rounded values; float32 stays exact', async () => {
  const { decodeCheckpoint, encodeCheckpoint } = await import('./checkpoint.js');
  const data = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 3);
  const tensors = new Map([['a', { shape: [7, 11, 13], data: data.subarray(0, 1001) }]]);
  const full = encodeCheckpoint(5, { note: 'x' }, tensors);
  const half = encodeCheckpoint(5, { note: 'x' }, tensors, 'float16');
  assert.ok(half.length < full.length * 0.51 + 400, `${half.length} vs ${full.length}`);
  const back = decodeCheckpoint(half).tensors.get('a')!;
  assert.deepEqual(back.shape, [7, 11, 13]);
  back.data.forEach((v, i) => assert.equal(v, fromHalf(toHalf(data[i]!))));
  assert.deepEqual(Array.from(decodeCheckpoint(full).tensors.get('a')!.data), Array.from(data));
  assert.throws(() => decodeCheckpoint(half.subarray(0, half.length - 10), 'w.ckpt'), /w\.ckpt: truncated or corrupt tensor a/);
});
