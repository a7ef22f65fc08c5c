// The pegasus score of a generated image, from the classifier's view of it:
//
//   pegasus = sqrt(p_horse * p_wing) * (1 - p_other) * realism
//
//   p_horse, p_wing  the classifier's probabilities of the horse class and the wing class: their
//                    geometric mean is high only when it sees both at once (max 0.5 when each is 0.5);
//   p_other          the mass on the other 8 classes, a penalty for images that are neither;
//   realism          min(1, r / d_k(x)): d_k(x) is the distance in feature space from the image to
//                    its k-th nearest real image (of the two classes), r the median of that distance
//                    among the real images themselves (k = 5). An image inside the real data's
//                    typical neighbourhood scores 1 (the "precision" idea of Kynkäänniemi et al. 2019).
//
// The score is in [0, 0.5]. `horseness` = p_horse / (p_horse + p_wing) says where between the two
// classes an image lies (0.5 = as much one as the other).
import type { ClassifierView } from './evaluate.js';
import type { Features } from './metrics.js';

export interface PegasusScore { score: number; pHorse: number; pWing: number; pOther: number; realism: number; horseness: number }

function sqDist(a: Features, i: number, b: Features, j: number): number {
  let s = 0;
  for (let t = 0; t < a.d; t++) {
    const v = a.data[i * a.d + t]! - b.data[j * b.d + t]!;
    s += v * v;
  }
  return s;
}

/** Distance from each row of `q` to its k-th nearest row of `ref` (skipping itself when q is ref). */
export function kthNeighbourDistance(q: Features, ref: Features, k: number, self = false): Float64Array {
  const out = new Float64Array(q.n);
  const best = new Float64Array(k);
  for (let i = 0; i < q.n; i++) {
    best.fill(Infinity);
    for (let j = 0; j < ref.n; j++) {
      if (self && i === j) continue;
      const d = sqDist(q, i, ref, j);
      if (d >= best[k - 1]!) continue;
      let p = k - 1;
      while (p > 0 && best[p - 1]! > d) { best[p] = best[p - 1]!; p--; }
      best[p] = d;
    }
    out[i] = Math.sqrt(best[k - 1]!);
  }
  return out;
}

export interface RealNeighbourhood { ref: Features; k: number; radius: number }

/**
 * The real images' typical k-NN radius (median), the scale of `realism`. At most `maxRef` real
 * images, evenly spaced through the set, serve as the reference (k-NN search is quadratic).
 */
/** At most `max` rows of f, evenly spaced (sets are ordered by class, so every class keeps its share). */
export function evenlySpacedRows(f: Features, max: number): Features {
  if (f.n <= max) return f;
  const data = new Float32Array(max * f.d);
  for (let i = 0; i < max; i++) {
    const r = Math.floor((i * f.n) / max);
    data.set(f.data.subarray(r * f.d, (r + 1) * f.d), i * f.d);
  }
  return { data, n: max, d: f.d };
}

export function realNeighbourhood(real: Features, k = 5, maxRef = 3000): RealNeighbourhood {
  const ref = evenlySpacedRows(real, maxRef);
  const d = Array.from(kthNeighbourDistance(ref, ref, k, true)).sort((a, b) => a - b);
  return { ref, k, radius: d[Math.floor(d.length / 2)]! };
}

export function pegasusScores(view: ClassifierView, horse: number, wing: number, hood: RealNeighbourhood): PegasusScore[] {
  const dk = kthNeighbourDistance(view.features, hood.ref, hood.k);
  return Array.from({ length: view.features.n }, (_, i) => {
    const c = classifierScore(view.probs.subarray(i * view.classes, (i + 1) * view.classes), horse, wing);
    const realism = dk[i]! > 0 ? Math.min(1, hood.radius / dk[i]!) : 1;
    return { ...c, score: c.score * realism, realism };
  });
}

/**
 * The classifier part of the score, sqrt(p_horse * p_wing) * (1 - p_other), from one image's class
 * probabilities: the pegasus score without its realism term (which needs real reference features).
 */
export function classifierScore(p: ArrayLike<number>, horse: number, wing: number): Omit<PegasusScore, 'realism'> {
  const pHorse = p[horse]!, pWing = p[wing]!;
  const pOther = Math.max(0, 1 - pHorse - pWing);
  return { score: Math.sqrt(pHorse * pWing) * (1 - pOther), pHorse, pWing, pOther, horseness: pHorse / (pHorse + pWing || 1) };
}
