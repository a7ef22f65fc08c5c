// Picking the best pegasus and the best batch from scored samples. The batch is greedy by score
// but skips near-duplicates: a candidate closer than `minDistance` (in classifier feature space)
// to an image already chosen is passed over, so the 64 are different pegasi, not one 64 times.
import type { Features } from './metrics.js';

export interface Pick { best: number; batch: number[]; skippedAsDuplicates: number }

function dist(f: Features, i: number, j: number): number {
  let s = 0;
  for (let t = 0; t < f.d; t++) {
    const v = f.data[i * f.d + t]! - f.data[j * f.d + t]!;
    s += v * v;
  }
  return Math.sqrt(s);
}

export function pickBest(scores: number[], feats: Features, count: number, minDistance: number): Pick {
  if (scores.length !== feats.n) throw new Error(`pickBest: ${scores.length} scores for ${feats.n} images`);
  if (scores.length < count) throw new Error(`pickBest: ${scores.length} images cannot fill a batch of ${count}`);
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const batch: number[] = [];
  const passed: number[] = [];
  for (const i of order) {
    if (batch.length === count) break;
    if (batch.every((j) => dist(feats, i, j) >= minDistance)) batch.push(i);
    else passed.push(i);
  }
  // too few distinct images: fill up with the best of those passed over
  for (const i of passed) {
    if (batch.length === count) break;
    batch.push(i);
  }
  return { best: order[0]!, batch, skippedAsDuplicates: passed.length };
}
