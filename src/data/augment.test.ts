import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropFlipBatch, plainBatch } from './augment.js';
import { NORMALIZE_LUT } from './transform.js';

// A 4x4 image whose red channel is its column and green its row: every output pixel tells where it came from.
function coordImage(size: number): Uint8Array {
  const img = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) img.set([x, y, 7], (y * size + x) * 3);
  return img;
}
const back = (v: number) => NORMALIZE_LUT.indexOf(v);

test('pad 0 without flips is the plain normalised image; plainBatch is NORMALIZE_LUT per byte', () => {
  const img = coordImage(4);
  const plain = plainBatch(img, 4, [0]);
  assert.deepEqual(Array.from(plain), Array.from(img, (v) => NORMALIZE_LUT[v]!));
  // with pad 0 the only randomness left is the flip: each output row is the row or its mirror
  for (let step = 0; step < 8; step++) {
    const x = cropFlipBatch(img, 4, [0], 0, 1, step);
    const cols = [0, 1, 2, 3].map((c) => back(x[c * 3]!));
    assert.ok(JSON.stringify(cols) === '[0,1,2,3]' || JSON.stringify(cols) === '[3,2,1,0]', JSON.stringify(cols));
  }
});

test('crops are shifts by at most pad with reflection, seeded by (seed, step)', () => {
  const img = coordImage(8);
  const shifts = new Set<string>();
  for (let step = 0; step < 60; step++) {
    const x = cropFlipBatch(img, 8, [0], 2, 3, step);
    const col = (c: number) => back(x[(3 * 8 + c) * 3]!), row = back(x[(3 * 8 + 3) * 3 + 1]!);
    const dir = col(4) - col(3); // +1 plain, -1 mirrored
    assert.equal(Math.abs(dir), 1);
    const dx = dir === 1 ? col(3) - 3 : col(4) - 3; // source column of output column 3 (plain) or 4 (mirrored)
    const dy = row - 3;
    assert.ok(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, `shift ${dx},${dy}`);
    shifts.add(`${dx},${dy},${dir}`);
    // reflection at the top edge: output row 0 with dy = -2 reads source row 2
    assert.equal(back(x[1]!), dy < 0 ? -dy : dy);
  }
  assert.ok(shifts.size > 20, `${shifts.size} distinct crops`);
  assert.deepEqual(cropFlipBatch(img, 8, [0, 0], 2, 3, 5), cropFlipBatch(img, 8, [0, 0], 2, 3, 5));
  assert.notDeepEqual(cropFlipBatch(img, 8, [0, 0], 2, 3, 5), cropFlipBatch(img, 8, [0, 0], 2, 4, 5));
});
