// SGD with (Nesterov) momentum and weight decay, PyTorch's formulation, over named parameters:
//   g += wd * w;  buf = mu * buf + g;  w -= lr * (nesterov ? g + mu * buf : buf)
// The learning rate is given per step (schedules live with the caller).
import * as tf from '@tensorflow/tfjs-core';
import type { Param } from '../models/params.js';
import { readTensors } from '../engine/read.js';

export interface SgdConfig { momentum: number; nesterov: boolean; weightDecay: number }

/** A zero variable shaped like v (tf.variable keeps its initial tensor alive: dispose it). */
export function zeroSlot(v: tf.Variable): tf.Variable {
  const init = tf.zerosLike(v);
  const slot = tf.variable(init, false);
  init.dispose();
  return slot;
}

/** Loads a saved state tensor into a slot variable; a missing or wrongly sized one is an error naming `what`. */
export function loadSlot(slot: tf.Variable, saved: { data: Float32Array } | undefined, what: string): void {
  if (!saved || saved.data.length !== slot.size) throw new Error(`${what} missing or of the wrong size`);
  const t = tf.tensor(saved.data, slot.shape);
  slot.assign(t);
  t.dispose();
}

export class Sgd {
  step = 0;
  private readonly bufs = new Map<string, tf.Variable>();

  constructor(readonly params: Param[], readonly cfg: SgdConfig) {
    for (const p of params) this.bufs.set(p.name, zeroSlot(p.variable));
  }

  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step++;
    const { momentum: mu, nesterov, weightDecay: wd } = this.cfg;
    for (const p of this.params) {
      const g0 = grads.get(p.name);
      if (!g0) continue;
      const buf = this.bufs.get(p.name)!;
      const [b, w] = tf.tidy(() => {
        const g = wd > 0 ? tf.add(g0, tf.mul(p.variable, wd)) : g0;
        const b1 = tf.add(tf.mul(buf, mu), g);
        const dir = nesterov ? tf.add(g, tf.mul(b1, mu)) : b1;
        return [b1, tf.sub(p.variable, tf.mul(dir, lr))];
      });
      buf.assign(b);
      p.variable.assign(w);
      tf.dispose([b, w]);
    }
  }

  state(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    return readTensors([...this.bufs].map(([name, b]): [string, tf.Tensor] => [`${name}.momentum`, b]));
  }

  loadState(step: number, values: Map<string, { shape: number[]; data: Float32Array }>, origin: string): void {
    this.step = step;
    for (const [name, b] of this.bufs) loadSlot(b, values.get(`${name}.momentum`), `${origin}: optimizer state ${name}.momentum`);
  }

  dispose(): void {
    for (const b of this.bufs.values()) b.dispose();
    this.bufs.clear();
  }
}
