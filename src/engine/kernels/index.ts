// The project's own kernels, registered over (or in place of) a backend's.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, type BackpropFilterArgs } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput, type BackpropInputArgs } from './conv2d-backprop-input.js';
import { guardBatchMatMul } from './batch-mat-mul.js';
import { sharedIdentity } from './identity.js';

function replaceKernel(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc });
}

/**
 * wasm lacks Conv2DBackpropFilter and its Conv2DBackpropInput is a slow loop; both become XNNPACK
 * convs. Its Identity copies; ours shares the buffer.
 */
export function installWasmKernels(): void {
  replaceKernel('Identity', 'wasm', sharedIdentity as unknown as tf.KernelFunc);
  replaceKernel('Conv2DBackpropFilter', 'wasm', conv2dBackpropFilter as unknown as tf.KernelFunc);
  replaceKernel('Conv2DBackpropInput', 'wasm', conv2dBackpropInput as unknown as tf.KernelFunc);
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (stockMatMul && !guarded.has(stockMatMul.kernelFunc)) {
    const fn = guardBatchMatMul(stockMatMul.kernelFunc);
    guarded.add(fn);
    replaceKernel('BatchMatMul', 'wasm', fn);
  }
}

const guarded = new WeakSet<tf.KernelFunc>();

export { conv2dBackpropFilter, conv2dBackpropInput, sharedIdentity };
export type { BackpropFilterArgs, BackpropInputArgs };
