// Named parameters and buffers of a model. Names (e.g. "G.1.bn.gamma") are the identity used by
// optimizers and checkpoints, so two models in one process never collide (tfjs's own variable
// names are global and auto-generated).
import * as tf from '@tensorflow/tfjs-core';
import { readTensors } from '../engine/read.js';

export interface Param {
  readonly name: string;
  readonly variable: tf.Variable;
  /** false for buffers: batch-norm running stats, spectral-norm vectors. */
  readonly trainable: boolean;
}

export class ParamStore {
  private readonly byName = new Map<string, Param>();

  add(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    if (this.byName.has(name)) throw new Error(`parameter ${name} defined twice`);
    const variable = tf.variable(init, trainable);
    init.dispose();
    this.byName.set(name, { name, variable, trainable });
    return variable;
  }

  get(name: string): Param {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no parameter named ${name}`);
    return p;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  all(): Param[] {
    return [...this.byName.values()];
  }

  trainable(): Param[] {
    return this.all().filter((p) => p.trainable);
  }

  /** Number of trainable scalars. */
  size(): number {
    return this.trainable().reduce((n, p) => n + p.variable.size, 0);
  }

  /** Copies every parameter and buffer out of the backend. */
  snapshot(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    return readTensors(this.all().map((p) => [p.name, p.variable]));
  }

  /** Loads values by name; every parameter must be present with the same shape. */
  load(values: Map<string, { shape: number[]; data: Float32Array }>, origin = 'checkpoint'): void {
    for (const p of this.all()) {
      const v = values.get(p.name);
      if (!v) throw new Error(`${origin}: missing ${p.name}`);
      if (v.shape.join('x') !== p.variable.shape.join('x')) {
        throw new Error(`${origin}: ${p.name} has shape ${v.shape.join('x')}, model expects ${p.variable.shape.join('x')}`);
      }
      const t = tf.tensor(v.data, v.shape);
      p.variable.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    for (const p of this.all()) p.variable.dispose();
    this.byName.clear();
  }
}

/** Deterministic per-tensor seeds: the same model seed gives the same weights in any order of creation. */
export function seedFor(seed: number, name: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) % 2147483647;
}
