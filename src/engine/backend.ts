// The one place that picks the compute backend. Model code only uses tfjs ops and never knows
// which backend runs them; a faster backend slots in here.
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradient functions; the union package's bundle does.
import '@tensorflow/tfjs';
import { setupWasm } from './wasm.js';
import { installWasmKernels } from './kernels/index.js';

export const BACKENDS = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo { name: BackendName; detail: string; threads: number }

let active: BackendInfo | undefined;

/** Initialises the backend once per process; later calls must ask for the same one. */
export async function initBackend(name: BackendName = 'wasm', threads = defaultThreads()): Promise<BackendInfo> {
  if (active) {
    if (active.name !== name) throw new Error(`backend already initialised as ${active.name}, cannot switch to ${name}`);
    return active;
  }
  if (name === 'wasm') {
    const w = await setupWasm(threads);
    installWasmKernels();
    active = { name, detail: `wasm ${w.binary}`, threads: w.threads };
  } else {
    await tf.setBackend('cpu');
    active = { name, detail: 'tfjs cpu (pure JS, reference only)', threads: 1 };
  }
  await tf.ready();
  return active;
}

export function defaultThreads(): number {
  const env = Number(process.env.PEGASUS_THREADS);
  return Number.isInteger(env) && env > 0 ? env : os.availableParallelism();
}

export function activeBackend(): BackendInfo | undefined {
  return active;
}
