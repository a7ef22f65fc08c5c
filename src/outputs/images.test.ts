import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  toUint8, gridImage, writeGridPng, writeImagePng, writeStripPng, writeAnimation, writeAnimationFrames,
} from './images.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-images-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Float value whose byte is exactly b: (b / 127.5) - 1. */
const f = (b: number) => b / 127.5 - 1;

async function readRgb(file: string): Promise<{ data: number[]; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data: [...data], width: info.width, height: info.height, channels: info.channels };
}

test('toUint8: mapping, rounding, clamping, NaN', () => {
  const x = Float32Array.from([-1, 0, 1, -2, 2, NaN, 0.5, -0.996]);
  // (0.5+1)*127.5 = 191.25 -> 191; (-0.996+1)*127.5 = 0.51 -> 1
  assert.deepEqual([...toUint8(x, 1, 2, 4, 1)], [0, 128, 255, 0, 255, 0, 191, 1]);
  assert.throws(() => toUint8(x, 1, 2, 2, 1), /8 values do not match shape \[1, 2, 2, 1\] \(4\)/);
});

test('gridImage: two 2x2 grayscale images, pad 1, gray background, expanded to RGB', () => {
  const imgs = Float32Array.from([0, 50, 100, 150, 200, 250, 255, 30].map(f));
  const g = gridImage(imgs, [2, 2, 2, 1], { pad: 1, background: 9 });
  assert.equal(g.width, 7); // 2 cols * 2 + 3 pads
  assert.equal(g.height, 4); // 1 row * 2 + 2 pads
  const B = 9;
  const gray = [
    B, B, B, B, B, B, B,
    B, 0, 50, B, 200, 250, B,
    B, 100, 150, B, 255, 30, B,
    B, B, B, B, B, B, B,
  ];
  assert.deepEqual([...g.data], gray.flatMap((v) => [v, v, v]));
});

test('gridImage: default cols, empty cells, RGB, nearest-neighbour scale', () => {
  // 3 images of 1x1 RGB -> cols = ceil(sqrt(3)) = 2, rows = 2, 4th cell empty (background 0).
  const imgs = Float32Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255].map(f));
  const g = gridImage(imgs, [3, 1, 1, 3], { pad: 0, scale: 2 });
  assert.deepEqual([g.width, g.height], [4, 4]);
  const R = [255, 0, 0], G = [0, 255, 0], Bl = [0, 0, 255], K = [0, 0, 0];
  const rows = [[R, R, G, G], [R, R, G, G], [Bl, Bl, K, K], [Bl, Bl, K, K]];
  assert.deepEqual([...g.data], rows.flat(2));
});

test('gridImage: shape and option errors', () => {
  const x = new Float32Array(8);
  assert.throws(() => gridImage(x, [2, 2, 2, 2]), /channels must be 1 or 3/);
  assert.throws(() => gridImage(x, [2, 2, 2, 3]), /do not match shape/);
  assert.throws(() => gridImage(x, [0, 2, 2, 2]), /positive integers/);
  assert.throws(() => gridImage(x, [2, 2, 2, 1], { scale: 1.5 }), /scale must be an integer/);
  assert.throws(() => gridImage(x, [2, 2, 2, 1], { cols: 0 }), /cols must be/);
  assert.throws(() => gridImage(x, [2, 2, 2, 1], { background: 256 }), /background must be/);
});

test('writeGridPng / writeImagePng / writeStripPng: exact bytes read back with sharp', async () => {
  const imgs = Float32Array.from([0, 50, 100, 150, 200, 250, 255, 30].map(f));
  const file = path.join(dir, 'sub', 'grid.png');
  const size = await writeGridPng(file, imgs, [2, 2, 2, 1], { pad: 1, background: 9 });
  const back = await readRgb(file);
  assert.deepEqual(size, { width: 7, height: 4 });
  assert.deepEqual([back.width, back.height, back.channels], [7, 4, 3]);
  assert.deepEqual(back.data, [...gridImage(imgs, [2, 2, 2, 1], { pad: 1, background: 9 }).data]);

  const one = path.join(dir, 'one.png');
  await writeImagePng(one, Float32Array.from([10, 20, 30, 40, 50, 60].map(f)), [1, 2, 3], 2);
  const o = await readRgb(one);
  assert.deepEqual([o.width, o.height], [4, 2]);
  assert.deepEqual(o.data.slice(0, 12), [10, 20, 30, 10, 20, 30, 40, 50, 60, 40, 50, 60]);

  const strip = path.join(dir, 'strip.png');
  // 6 images of 1x1: rows of k = 3 -> 2 rows.
  const s = await writeStripPng(strip, Float32Array.from([1, 2, 3, 4, 5, 6].map(f)), [6, 1, 1, 1], 3, { pad: 0 });
  assert.deepEqual(s, { width: 3, height: 2 });
  assert.deepEqual((await readRgb(strip)).data.filter((_, i) => i % 3 === 0), [1, 2, 3, 4, 5, 6]);
  await assert.rejects(writeStripPng(strip, new Float32Array(6), [6, 1, 1, 1], 4), /whole number of rows of 4/);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('writeAnimation: animated GIF and lossless WebP with frames, loop and delay', async () => {
  // 3 frames of 2x2 RGB, constant colours.
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
  const frames = Float32Array.from(colours.flatMap((c) => [c, c, c, c].flat()).map(f));
  for (const ext of ['gif', 'webp']) {
    const file = path.join(dir, `anim.${ext}`);
    await writeAnimation(file, frames, [3, 2, 2, 3], { scale: 2, delayMs: 250, loop: 0 });
    const meta = await sharp(file, { animated: true }).metadata();
    assert.equal(meta.format, ext);
    assert.equal(meta.pages, 3);
    assert.equal(meta.width, 4);
    assert.equal(meta.pageHeight, 4);
    assert.equal(meta.loop, 0);
    assert.deepEqual(meta.delay, [250, 250, 250]);
    // Second frame, first pixel: green (lossless WebP; a 3-colour GIF palette is exact too).
    const { data } = await sharp(file, { page: 1 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([...data.subarray(0, 3)], [0, 255, 0]);
  }
  await assert.rejects(writeAnimation(path.join(dir, 'a.png'), frames, [3, 2, 2, 3]), /must end in \.gif or \.webp/);
});

test('writeAnimationFrames: rendered grids as frames; size mismatch rejected', async () => {
  const a = gridImage(new Float32Array(4).fill(-1), [4, 1, 1, 1], { pad: 1 });
  const b = gridImage(new Float32Array(4).fill(1), [4, 1, 1, 1], { pad: 1 });
  const file = path.join(dir, 'grids.gif');
  await writeAnimationFrames(file, [a, b], { delayMs: 500, loop: 2 });
  const meta = await sharp(file, { animated: true }).metadata();
  assert.deepEqual([meta.pages, meta.width, meta.pageHeight, meta.loop], [2, 5, 5, 2]);
  const c = gridImage(new Float32Array(2), [2, 1, 1, 1]);
  await assert.rejects(writeAnimationFrames(file, [a, c]), /frame 1 is/);
  await assert.rejects(writeAnimationFrames(file, []), /no frames/);
});
