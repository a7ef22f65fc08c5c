// Adam (Kingma & Ba), PyTorch's formulation, over named parameters so that its state lives in
// checkpoints under the same names as the weights, and a frozen parameter is simply not in the list.
import * as tf from '@tensorflow/tfjs-core';
import type { Param } from '../models/params.js';
import { readTensors } from '../engine/read.js';
import { loadSlot, zeroSlot } from './sgd.js';
import { FUSED_ADAM, fusedAdam, hasFusedKernel, type AdamConstants } from '../engine/fused.js';

export interface AdamConfig { lr: number; beta1: number; beta2: number; eps?: number }

interface Slot { m: tf.Variable; v: tf.Variable }

export class Adam {
  step = 0;
  private readonly slots = new Map<string, Slot>();
  private readonly eps: number;

  constructor(readonly params: Param[], readonly cfg: AdamConfig) {
    this.eps = cfg.eps ?? 1e-8;
    for (const p of params) {
      this.slots.set(p.name, { m: zeroSlot(p.variable), v: zeroSlot(p.variable) });
    }
  }

  /** Applies gradients keyed by parameter name (parameters without one are left alone). */
  apply(grads: Map<string, tf.Tensor>): void {
    this.step++;
    const { lr, beta1, beta2 } = this.cfg;
    const k: AdamConstants = {
      stepSize: lr / (1 - beta1 ** this.step), beta1, oneMinusBeta1: 1 - beta1,
      beta2, oneMinusBeta2: 1 - beta2, c2: 1 - beta2 ** this.step, eps: this.eps,
    };
    const fused = hasFusedKernel(FUSED_ADAM);
    for (const p of this.params) {
      const g = grads.get(p.name);
      const s = this.slots.get(p.name)!;
      if (!g) continue;
      const [w, m, v] = fused ? fusedAdam(p.variable, s.m, s.v, g, k) : adamComposed(p.variable, s.m, s.v, g, k);
      s.m.assign(m);
      s.v.assign(v);
      p.variable.assign(w);
      tf.dispose([m, v, w]);
    }
  }

  state(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    return readTensors([...this.slots].flatMap(([name, s]): [string, tf.Tensor][] => [[`${name}.m`, s.m], [`${name}.v`, s.v]]));
  }

  loadState(step: number, values: Map<string, { shape: number[]; data: Float32Array }>, origin: string): void {
    this.step = step;
    for (const [name, s] of this.slots) {
      for (const [key, variable] of [[`${name}.m`, s.m], [`${name}.v`, s.v]] as const) loadSlot(variable, values.get(key), `${origin}: optimizer state ${key}`);
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    this.slots.clear();
  }
}

/** One Adam step from tfjs ops: the reference the fused kernel must equal bit for bit. */
export function adamComposed(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, k: AdamConstants): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, k.beta1), tf.mul(g, k.oneMinusBeta1));
    const v1 = tf.add(tf.mul(v, k.beta2), tf.mul(tf.square(g), k.oneMinusBeta2));
    // p -= stepSize * m / (sqrt(v / c2) + eps)
    const update = tf.div(tf.mul(m1, k.stepSize), tf.add(tf.sqrt(tf.div(v1, k.c2)), k.eps));
    return [tf.sub(p, update), m1, v1];
  });
}
