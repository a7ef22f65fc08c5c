// Exponential moving average of G's weights (Karras et al. 2018; Yazıcı et al. 2019): samples from
// the averaged weights are usually smoother and better than from the last step's weights.
//   avg <- d * avg + (1 - d) * w,  d = min(decay, (1 + t) / (10 + t))
// The warm-up (t = updates so far) keeps the average from being dominated by the random init.
// Only trainable parameters are averaged; buffers (batch-norm running stats) stay G's own.
import * as tf from '@tensorflow/tfjs-core';
import type { Param } from '../models/params.js';
import { readTensors } from '../engine/read.js';
import type { TensorMap } from './checkpoint.js';
import { loadSlot } from './sgd.js';

export class WeightEma {
  updates = 0;
  private readonly avg = new Map<string, tf.Variable>();

  constructor(readonly params: Param[], readonly decay: number) {
    for (const p of params) this.avg.set(p.name, tf.variable(p.variable, false)); // a copy of w
  }

  /** The decay used by the next update. */
  currentDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  update(): void {
    const d = this.currentDecay();
    for (const p of this.params) {
      const a = this.avg.get(p.name)!;
      const next = tf.tidy(() => tf.add(tf.mul(a, d), tf.mul(p.variable, 1 - d)));
      a.assign(next);
      next.dispose();
    }
    this.updates++;
  }

  /** Runs fn with the averaged weights in the model's variables, then puts the live weights back. */
  async withAveraged<T>(fn: () => Promise<T> | T): Promise<T> {
    const live = this.params.map((p) => tf.clone(p.variable));
    this.copyInto();
    try {
      return await fn();
    } finally {
      this.params.forEach((p, i) => p.variable.assign(live[i]!));
      tf.dispose(live);
    }
  }

  /** Overwrites the model's weights with the average for good (inference only). */
  copyInto(): void {
    for (const p of this.params) p.variable.assign(this.avg.get(p.name)!);
  }

  state(): Promise<TensorMap> {
    return readTensors(this.avg);
  }

  loadState(updates: number, values: TensorMap, origin: string): void {
    this.updates = updates;
    for (const [name, a] of this.avg) loadSlot(a, values.get(name), `${origin}: EMA weight ${name}`);
  }

  dispose(): void {
    for (const a of this.avg.values()) a.dispose();
    this.avg.clear();
  }
}
