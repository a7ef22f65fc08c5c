// The one place that picks the compute backend. Model code only uses tfjs ops and never knows
// which backend runs them; a faster backend slots in here.
//   native: the wasm backend with the project's native conv kernels (native/, AVX-512 GEMMs)
//   wasm:   tfjs-backend-wasm (threaded SIMD) with the project's own wasm conv-gradient kernels
//   webgpu: tfjs-backend-webgpu on Dawn (src/engine/webgpu.ts): the GPU path; software GL without a GPU
//   cpu:    tfjs's pure-JS backend, a reference for tests
//   auto:   native where its addon is built, else wasm
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradient functions; the union package's bundle does.
import '@tensorflow/tfjs';
import { setupWasm } from './wasm.js';
import { setupWebgpu } from './webgpu.js';
import { installWasmKernels } from './kernels/index.js';
import { installNativeKernels, loadNative } from './native.js';

export const BACKENDS = ['auto', 'native', 'wasm', 'webgpu', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type ResolvedBackend = Exclude<BackendName, 'auto'>;

/** A --backend value, checked. */
export function parseBackend(v: string): BackendName {
  if (!(BACKENDS as readonly string[]).includes(v)) throw new Error(`--backend ${v}: expected one of ${BACKENDS.join(', ')}`);
  return v as BackendName;
}

/** threads: CPU threads of the kernels (0 on webgpu); gpu: the kernels run on a real GPU */
export interface BackendInfo { name: ResolvedBackend; detail: string; threads: number; gpu: boolean }

let active: BackendInfo | undefined;

export function resolveBackendName(name: BackendName): ResolvedBackend {
  return name === 'auto' ? (loadNative() ? 'native' : 'wasm') : name;
}

/** Initialises the backend once per process; later calls must ask for the same one. */
export async function initBackend(requested: BackendName = 'auto', threads = defaultThreads()): Promise<BackendInfo> {
  const name = resolveBackendName(requested);
  if (active) {
    if (active.name !== name) throw new Error(`backend already initialised as ${active.name}, cannot switch to ${name}`);
    return active;
  }
  if (name === 'native' || name === 'wasm') {
    const w = await setupWasm(threads);
    installWasmKernels();
    if (name === 'native') installNativeKernels(threads);
    active = { name, detail: name === 'native' ? `native conv kernels + wasm ${w.binary}` : `wasm ${w.binary}`, threads: w.threads, gpu: false };
  } else if (name === 'webgpu') {
    const w = await setupWebgpu();
    active = { name, detail: `webgpu on ${w.adapter}`, threads: 0, gpu: !w.software };
  } else {
    await tf.setBackend('cpu');
    active = { name, detail: 'tfjs cpu (pure JS, reference only)', threads: 1, gpu: false };
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
