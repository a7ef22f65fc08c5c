// The tfjs wasm backend in Node, with its threaded-SIMD binary.
//
// Stock tfjs forces WASM_HAS_MULTITHREAD_SUPPORT off in Node (its pthread worker is passed as a
// Blob URL, which worker_threads cannot load), and the C++ side caps the XNNPACK pool at
// logical cores / 2. So we instantiate the threaded-SIMD Emscripten module ourselves with real
// file paths and report enough cores while it initialises.
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const WASM_OUT = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
const BASENAME = 'tfjs-backend-wasm-threaded-simd';

/** Writes the pthread worker script once per tfjs version (atomically: workers may race). */
function workerScriptPath(): string {
  const { wasmWorkerContents } = require(path.join(WASM_OUT, `${BASENAME}.worker.js`)) as { wasmWorkerContents: string };
  const dir = path.join(os.tmpdir(), `pegasus-tfjs-wasm-${tf.version_core}`);
  const file = path.join(dir, 'pthread-worker.cjs');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    // tfjs does the same replace before building its Blob: the template literal turned "\n" escapes into newlines.
    fs.writeFileSync(tmp, wasmWorkerContents.replace(/\n/g, '\\n'));
    fs.renameSync(tmp, file);
  }
  return file;
}

async function instantiateThreaded(threads: number): Promise<unknown> {
  const factory = require(path.join(WASM_OUT, `${BASENAME}.js`)) as (opts: object) => Promise<Record<string, unknown>>;
  const workerFile = workerScriptPath();
  const wasmFile = path.join(WASM_OUT, `${BASENAME}.wasm`);
  const realCpus = os.cpus;
  // backend.cc reads the core count once, in a static initialiser; report 2 * threads so `threads` is allowed.
  os.cpus = () => {
    const cpus = realCpus();
    while (cpus.length > 0 && cpus.length < 2 * threads) cpus.push(cpus[0]!);
    return cpus;
  };
  let module: Record<string, unknown>;
  try {
    module = await factory({
      locateFile: (p: string, prefix: string) =>
        p.endsWith('.worker.js') ? workerFile : p.endsWith('.wasm') ? wasmFile : prefix + p,
      mainScriptUrlOrBlob: path.join(WASM_OUT, `${BASENAME}.js`),
    });
  } finally {
    os.cpus = realCpus;
  }
  const cwrap = module.cwrap as (name: string, ret: string | null, args: string[]) => unknown;
  module.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, []),
  };
  return module;
}

interface NodeWorker { unref?: () => void }
interface PThreadPool { unusedWorkers: NodeWorker[]; runningWorkers: NodeWorker[] }

/**
 * XNNPACK's pool threads live for the whole process and Emscripten keeps them ref'd while they run,
 * which would keep Node alive after main() ends. The main thread waits on them synchronously
 * during each op, so unref'ing them is safe.
 */
function unrefWorkers(module: unknown): void {
  const pool = (module as { PThread?: PThreadPool }).PThread;
  if (!pool) return;
  for (const w of [...pool.unusedWorkers, ...pool.runningWorkers]) w.unref?.();
}

/** Registers and activates backend 'wasm'. threads > 1 uses the threaded-SIMD binary. */
export async function setupWasm(threads: number): Promise<{ binary: string; threads: number }> {
  wasm.setThreadsCount(threads);
  if (threads <= 1) {
    await tf.setBackend('wasm');
    return { binary: 'simd', threads: wasm.getThreadsCount() };
  }
  const module = await instantiateThreaded(threads);
  tf.removeBackend('wasm');
  // BackendWasm's constructor takes the Emscripten module that tfjs would have built itself.
  tf.registerBackend('wasm', () => new wasm.BackendWasm(module as ConstructorParameters<typeof wasm.BackendWasm>[0]), 2);
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  unrefWorkers(module);
  return { binary: 'threaded-simd', threads: wasm.getThreadsCount() };
}
