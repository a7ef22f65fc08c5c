import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { bilinearCoeffs, grayscaleInPlace, NORMALIZE_LUT, normalizeInto, resizeBilinear } from './transform.js';

function pat(n: number): Uint8Array {
  const b = new Uint8Array(n * n * 3);
  let k = 0;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let c = 0; c < 3; c++) b[k++] = (x * 37 + y * 91 + c * 53 + x * y * 7) % 256;
  return b;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Reference values from Pillow 9.4 Image.resize(..., BILINEAR) / convert('L') on the same pattern.
const PIL: [number, number, string, number[]][] = [
  [32, 64, 'f8f041c5e9c7633af6c9e00199f27bfc450cf91552675e50d629a00283052ec2', [0, 53, 106, 9, 62, 115, 28, 81, 134, 46, 99, 152]],
  [5, 7, '16bdff244d4fa9822f03b46653aa170fe5d34bdff3f79082f4b78de5508ceb7e', [0, 53, 106, 21, 74, 127, 48, 101, 154, 74, 127, 180]],
  [7, 3, '4505583b41939e48ed9b6fb16bf4ecc43c4f09e9a429fdd91c1bc66e2398e789', [103, 133, 143, 123, 128, 146, 134, 135, 125, 120, 134, 131]],
  [32, 16, '90cddde1475e611f2930844d6be2bfb9b9e6489ba2797589dbe72422aae46651', [89, 127, 149, 125, 132, 144, 122, 143, 141, 119, 117, 138]],
];

test('resizeBilinear matches PIL bilinear byte for byte (up and down)', () => {
  for (const [i, o, hash, head] of PIL) {
    const out = new Uint8Array(o * o * 3);
    resizeBilinear(pat(i), 0, i, o, 3, out, new Uint8Array(i * o * 3));
    assert.deepEqual([...out.subarray(0, 12)], head, `${i}->${o}`);
    assert.equal(sha(out), hash, `${i}->${o}`);
  }
});

test('32->64 weights are the half-pixel bilinear 3/4,1/4 with clamped edges', () => {
  const c = bilinearCoeffs(32, 64);
  assert.equal(c.counts[0], 1); // edge: only pixel 0
  assert.deepEqual([c.bounds[1], c.counts[1]], [0, 2]);
  assert.equal(c.k[1 * c.ksize]! / (1 << 22), 0.75);
  assert.equal(c.counts[63], 1);
});

test('grayscale matches PIL convert("L") and replicates channels; then resize', () => {
  const img = pat(32);
  grayscaleInPlace(img, 0, 1024);
  const l = new Uint8Array(1024);
  for (let p = 0; p < 1024; p++) {
    assert.equal(img[p * 3], img[p * 3 + 1]);
    assert.equal(img[p * 3], img[p * 3 + 2]);
    l[p] = img[p * 3]!;
  }
  assert.deepEqual([...l.subarray(0, 8)], [43, 80, 117, 154, 191, 199, 86, 46]);
  assert.equal(sha(l), '60f2aec6ee018c38eb9aa5449cddaa41fd2a8e7d086788da57631494172a047d');
  const out = new Uint8Array(64 * 64 * 3);
  resizeBilinear(img, 0, 32, 64, 3, out, new Uint8Array(32 * 64 * 3));
  assert.equal(sha(out), 'a549f413ccce7dcd3a7655ea923b9bfe15a443d08d5f7361ec89d92f98f690d5');
});

test('normalise: 0 -> -1, 255 -> 1, 128 -> ~0.0039, float32 like ToTensor+Normalize', () => {
  assert.equal(NORMALIZE_LUT[0], -1);
  assert.equal(NORMALIZE_LUT[255], 1);
  assert.equal(NORMALIZE_LUT[128], Math.fround(Math.fround(Math.fround(128 / 255) - 0.5) / 0.5));
  for (let v = 1; v < 256; v++) assert.ok(NORMALIZE_LUT[v]! > NORMALIZE_LUT[v - 1]!);
});

test('normalizeInto mirrors rows when flipping', () => {
  const img = pat(4);
  const a = new Float32Array(48);
  const b = new Float32Array(48);
  normalizeInto(img, 0, 4, false, a, 0);
  normalizeInto(img, 0, 4, true, b, 0);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) assert.equal(b[(y * 4 + x) * 3 + c], a[(y * 4 + 3 - x) * 3 + c]);
});
