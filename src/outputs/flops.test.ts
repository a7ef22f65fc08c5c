import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dcganLayers, dcganStepFlops, layerForwardFlops } from './flops.js';

test('layer geometry matches the DCGAN nets', () => {
  const { G, D } = dcganLayers(32);
  assert.deepEqual(G.map((l) => [l.cin, l.cout, l.hin, l.hout]), [[100, 256, 1, 4], [256, 128, 4, 8], [128, 64, 8, 16], [64, 3, 16, 32]]);
  assert.deepEqual(D.map((l) => [l.cin, l.cout, l.hin, l.hout]), [[3, 64, 32, 16], [64, 128, 16, 8], [128, 256, 8, 4], [256, 1, 4, 1]]);
  const g64 = dcganLayers(64);
  assert.deepEqual(g64.G.map((l) => l.cout), [512, 256, 128, 64, 3]);
  assert.deepEqual(g64.D.map((l) => [l.cout, l.hout]), [[64, 32], [128, 16], [256, 8], [512, 4], [1, 1]]);
  assert.throws(() => dcganLayers(48 as 32), /32 or 64/);
});

test('per-layer forward FLOPs: hand cases', () => {
  // G1 at 32 px: 64 * 1 * 1 * 100 * 256 * 16 * 2
  assert.equal(layerForwardFlops(dcganLayers(32).G[0]!, 64), 52_428_800);
  // D last at 64 px: 64 * 1 * 1 * 1 * 512 * 16 * 2
  assert.equal(layerForwardFlops(dcganLayers(64).D[4]!, 64), 1_048_576);
});

test('step FLOPs match shared/probes/flops.py', () => {
  const g = (v: number) => Math.round(v / 1e6) / 1e3; // GFLOP, 3 decimals
  assert.equal(g(dcganStepFlops(32, 64, 64, 64)), 26.886);
  assert.equal(g(dcganStepFlops(64, 64, 64, 64)), 158.865);
  assert.equal(g(dcganStepFlops(32, 64, 64, 64, { variant: 'minimal' })), 24.637);
  assert.equal(g(dcganStepFlops(64, 64, 64, 64, { variant: 'minimal' })), 145.576);
  // Linear in batch.
  assert.equal(dcganStepFlops(32, 128), 2 * dcganStepFlops(32, 64));
});
