// TensorFlow.js in the browser: the first backend that works, in the order WebGPU -> WebGL ->
// wasm -> CPU. A backend counts only once it has computed 1 + 1 (WebGL can register and still
// fail on a GPU-less machine).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

async function works(name: string): Promise<boolean> {
  if (!tf.findBackendFactory(name)) return false; // e.g. webgpu registers only where navigator.gpu exists
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    const t = tf.add(tf.scalar(1), tf.scalar(1));
    const ok = (await t.data())[0] === 2;
    t.dispose();
    return ok;
  } catch {
    return false;
  }
}

/** The backend in use, after trying each of `order` (a `?backend=` URL parameter may name one). */
export async function pickBackend(order: readonly string[] = BACKEND_ORDER): Promise<string> {
  setWasmPaths('/assets/'); // the server's own copies of tfjs-backend-wasm's .wasm files
  for (const name of order) if (await works(name)) return name;
  throw new Error(`no TensorFlow.js backend works here (tried ${order.join(', ')})`);
}
