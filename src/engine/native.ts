// The project's native kernels (native/, built by `npm install` with node-gyp) slotted into the
// wasm backend, all working directly on the wasm heap (no copies): Conv2D, Conv2DBackpropInput
// and Conv2DBackpropFilter as packed AVX-512 GEMMs, per-channel Sum / Mean, 2x2 max pooling, and
// the fused kernels of src/engine/fused.ts (Adam, batch-norm + LeakyReLU both ways). Every other op
// stays on wasm. Model code does not change: it calls tfjs ops on the backend named 'wasm'.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvAttrs } from './kernels/conv-geometry.js';
import { FUSED_ADAM, FUSED_BN_LEAKY, FUSED_BN_LEAKY_GRAD, FUSED_LEAKY, FUSED_LEAKY_GRAD, FUSED_TANH, FUSED_TANH_GRAD, type AdamConstants, type BatchNormLeakyAttrs } from './fused.js';

export const NATIVE_ADDON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native', 'build', 'Release', 'pegasus_native.node');

type Conv = (a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array) => void;
interface Addon {
  conv2d: Conv; conv2dBackpropInput: Conv; conv2dBackpropFilter: Conv;
  sumRows(x: Float32Array, rows: number, cols: number, scale: number, out: Float32Array): void;
  maxPool2x2(x: Float32Array, dims: Int32Array, y: Float32Array): void;
  maxPool2x2Grad(x: Float32Array, dy: Float32Array, dims: Int32Array, dx: Float32Array): void;
  adam(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, p1: Float32Array, m1: Float32Array, v1: Float32Array,
    stepSize: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, c2: number, eps: number): void;
  bnLeaky(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array,
    channels: number, eps: number, slope: number): void;
  leakyRelu(x: Float32Array, y: Float32Array, slope: number): void;
  leakyReluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, slope: number): void;
  tanh(x: Float32Array, y: Float32Array): void;
  tanhGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  bnLeakyGrad(dy: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, channels: number, eps: number, slope: number): void;
  setThreads(n: number): void; threads(): number;
  /** GFLOP/s of a register-only FMA loop on the pool's threads (native/src/peak.h) */
  peakGflops(): number;
}

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

let addon: Addon | null | undefined;
let loadError = '';

/** The addon, or null (with `nativeLoadError()` saying why) when it is not built here. */
export function loadNative(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)(NATIVE_ADDON) as Addon;
  } catch (e) {
    addon = null;
    loadError = (e as Error).message.split('\n')[0] ?? String(e);
  }
  return addon;
}

export function nativeLoadError(): string {
  return loadError;
}

function geometry(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    info.dilationHeight, info.dilationWidth,
  ]);
}

function float32(...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`native conv kernels take float32 tensors, got ${t.dtype}`);
}

interface KernelArgs<I> { inputs: I; attrs: ConvAttrs & Record<string, unknown>; backend: WasmBackend }

/**
 * Sum / Mean over every axis but the last (batch-norm's statistics and its gradients): the stock
 * wasm kernels transpose the whole tensor first. Any other reduction goes to the stock kernel.
 */
function channelReduction(a: Addon, stock: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; attrs: { axis: number | number[]; keepDims: boolean }; backend: WasmBackend }) => {
    const { inputs: { x }, attrs, backend } = args;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((ax, i) => ax === i);
    if (!leading || x.dtype !== 'float32') return stock(args as unknown as Parameters<tf.KernelFunc>[0]);
    const cols = x.shape[rank - 1]!;
    const rows = tf.util.sizeFromShape(x.shape) / cols;
    if (rows === 0 || cols === 0) return stock(args as unknown as Parameters<tf.KernelFunc>[0]);
    const out = backend.makeOutput(attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols], 'float32');
    a.sumRows(backend.typedArrayFromHeap(x), rows, cols, mean ? 1 / rows : 1, backend.typedArrayFromHeap(out));
    return out;
  }) as unknown as tf.KernelFunc;
}

interface PoolAttrs { filterSize: number | [number, number]; strides: number | [number, number]; pad: unknown; dimRoundingMode?: string }

const pair = (v: number | [number, number]) => (typeof v === 'number' ? [v, v] : v);

/**
 * 2x2 / stride 2 / 'valid' max pooling of a float32 NHWC tensor: the common case. (The stock wasm
 * MaxPoolGrad also drops gradients on odd-sized inputs, which this path does not.)
 */
function isPool2x2(x: TensorInfo, a: PoolAttrs): boolean {
  const [fh, fw] = pair(a.filterSize), [sh, sw] = pair(a.strides);
  return x.dtype === 'float32' && x.shape.length === 4 && fh === 2 && fw === 2 && sh === 2 && sw === 2
    && (a.pad === 'valid' || a.pad === 0) && x.shape[1]! >= 2 && x.shape[2]! >= 2 && x.shape[0]! > 0 && x.shape[3]! > 0;
}

/** MaxPool and MaxPoolGrad for the 2x2 case natively; anything else goes to the stock kernels. */
function maxPoolKernels(a: Addon): Record<string, tf.KernelFunc> {
  type Args<I> = { inputs: I; attrs: PoolAttrs; backend: WasmBackend };
  const stockPool = stock('MaxPool'), stockGrad = stock('MaxPoolGrad');
  const pool = (args: Args<{ x: TensorInfo }>) => {
    const { inputs: { x }, attrs, backend } = args;
    if (!isPool2x2(x, attrs)) return stockPool(args as unknown as Parameters<tf.KernelFunc>[0]);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const out = backend.makeOutput([n, Math.floor(h / 2), Math.floor(w / 2), c], 'float32');
    a.maxPool2x2(backend.typedArrayFromHeap(x), Int32Array.from(x.shape), backend.typedArrayFromHeap(out));
    return out;
  };
  const grad = (args: Args<{ dy: TensorInfo; input: TensorInfo; output: TensorInfo }>) => {
    const { inputs: { dy, input }, attrs, backend } = args;
    if (!isPool2x2(input, attrs) || dy.dtype !== 'float32') return stockGrad(args as unknown as Parameters<tf.KernelFunc>[0]);
    const out = backend.makeOutput(input.shape, 'float32');
    a.maxPool2x2Grad(backend.typedArrayFromHeap(input), backend.typedArrayFromHeap(dy), Int32Array.from(input.shape), backend.typedArrayFromHeap(out));
    return out;
  };
  return { MaxPool: pool as unknown as tf.KernelFunc, MaxPoolGrad: grad as unknown as tf.KernelFunc };
}

/** The fused Adam step (src/engine/fused.ts names its inputs and constants): three new tensors. */
function adamKernel(a: Addon): tf.KernelFunc {
  return (({ inputs: { p, m, v, g }, attrs: h, backend }: { inputs: Record<'p' | 'm' | 'v' | 'g', TensorInfo>; attrs: AdamConstants; backend: WasmBackend }) => {
    float32(p, m, v, g);
    const outs = [p, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
    const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t);
    a.adam(heap(p), heap(m), heap(v), heap(g), heap(outs[0]!), heap(outs[1]!), heap(outs[2]!),
      h.stepSize, h.beta1, h.oneMinusBeta1, h.beta2, h.oneMinusBeta2, h.c2, h.eps);
    return outs;
  }) as unknown as tf.KernelFunc;
}

/** Fused batch-norm + LeakyReLU and its gradient (src/engine/fused.ts names inputs and outputs). */
function batchNormLeakyKernels(a: Addon): Record<string, tf.KernelFunc> {
  type Args<I extends string> = { inputs: Record<I, TensorInfo>; attrs: BatchNormLeakyAttrs; backend: WasmBackend };
  const forward = ({ inputs: { x, gamma, beta }, attrs, backend }: Args<'x' | 'gamma' | 'beta'>) => {
    float32(x, gamma, beta);
    const c = x.shape.at(-1)!;
    const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([c], 'float32'), backend.makeOutput([c], 'float32')];
    const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t);
    a.bnLeaky(heap(x), heap(gamma), heap(beta), heap(outs[0]!), heap(outs[1]!), heap(outs[2]!), c, attrs.eps, attrs.slope);
    return outs;
  };
  const grad = ({ inputs: { dy, x, gamma, beta, mean, variance }, attrs, backend }: Args<'dy' | 'x' | 'gamma' | 'beta' | 'mean' | 'variance'>) => {
    float32(dy, x, gamma, beta, mean, variance);
    const c = x.shape.at(-1)!;
    const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([c], 'float32'), backend.makeOutput([c], 'float32')];
    const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t);
    a.bnLeakyGrad(heap(dy), heap(x), heap(gamma), heap(beta), heap(mean), heap(variance), heap(outs[0]!), heap(outs[1]!), heap(outs[2]!), c, attrs.eps, attrs.slope);
    return outs;
  };
  return { [FUSED_BN_LEAKY]: forward as unknown as tf.KernelFunc, [FUSED_BN_LEAKY_GRAD]: grad as unknown as tf.KernelFunc };
}

/** LeakyReLU and tanh, and their gradients (src/engine/fused.ts), one pass each. */
function activationKernels(a: Addon): Record<string, tf.KernelFunc> {
  type Args<I extends string> = { inputs: Record<I, TensorInfo>; attrs: { slope?: number }; backend: WasmBackend };
  // out = fn(inputs...) over float32 arrays of one shape (the first input's)
  const unary = <I extends string>(order: I[], fn: (arrays: Float32Array[], attrs: { slope?: number }) => void) =>
    (({ inputs, attrs, backend }: Args<I>) => {
      const ins = order.map((k) => inputs[k]);
      float32(...ins);
      const out = backend.makeOutput(ins[0]!.shape, 'float32');
      fn([...ins, out].map((t) => backend.typedArrayFromHeap(t)), attrs);
      return out;
    }) as unknown as tf.KernelFunc;
  return {
    [FUSED_LEAKY]: unary(['x'], ([x, y], { slope }) => a.leakyRelu(x!, y!, slope!)),
    [FUSED_LEAKY_GRAD]: unary(['x', 'dy'], ([x, dy, dx], { slope }) => a.leakyReluGrad(x!, dy!, dx!, slope!)),
    [FUSED_TANH]: unary(['x'], ([x, y]) => a.tanh(x!, y!)),
    [FUSED_TANH_GRAD]: unary(['y', 'dy'], ([y, dy, dx]) => a.tanhGrad(y!, dy!, dx!)),
  };
}

/** The kernels registered on 'wasm' before ours, so that reinstalling never wraps a wrapper. */
const stockKernels = new Map<string, tf.KernelFunc>();

function stock(name: string): tf.KernelFunc {
  let k = stockKernels.get(name);
  if (!k) {
    const found = tf.getKernel(name, 'wasm');
    if (!found) throw new Error(`wasm backend has no ${name} kernel`);
    k = found.kernelFunc;
    stockKernels.set(name, k);
  }
  return k;
}

function kernels(a: Addon): Record<string, tf.KernelFunc> {
  const conv2d = ({ inputs: { x, filter }, attrs, backend }: KernelArgs<{ x: TensorInfo; filter: TensorInfo }>) => {
    float32(x, filter);
    const info = convGeometry(x.shape, filter.shape, attrs, (attrs.dilations as number | [number, number] | undefined) ?? 1);
    const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    a.conv2d(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(filter), backend.typedArrayFromHeap(out), geometry(info));
    return out;
  };
  const backpropInput = ({ inputs: { dy, filter }, attrs, backend }: KernelArgs<{ dy: TensorInfo; filter: TensorInfo }>) => {
    float32(dy, filter);
    const shape = attrs.inputShape as [number, number, number, number];
    const info = convGeometry(shape, filter.shape, attrs);
    const out = backend.makeOutput(shape, 'float32');
    a.conv2dBackpropInput(backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(filter), backend.typedArrayFromHeap(out), geometry(info));
    return out;
  };
  const backpropFilter = ({ inputs: { x, dy }, attrs, backend }: KernelArgs<{ x: TensorInfo; dy: TensorInfo }>) => {
    float32(x, dy);
    const shape = attrs.filterShape as [number, number, number, number];
    const info = convGeometry(x.shape, shape, attrs);
    const out = backend.makeOutput(shape, 'float32');
    a.conv2dBackpropFilter(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(out), geometry(info));
    return out;
  };
  return {
    Conv2D: conv2d as unknown as tf.KernelFunc,
    Conv2DBackpropInput: backpropInput as unknown as tf.KernelFunc,
    Conv2DBackpropFilter: backpropFilter as unknown as tf.KernelFunc,
    Sum: channelReduction(a, stock('Sum'), false),
    Mean: channelReduction(a, stock('Mean'), true),
    ...maxPoolKernels(a),
    [FUSED_ADAM]: adamKernel(a),
    ...batchNormLeakyKernels(a),
    ...activationKernels(a),
  };
}

/** Registers the native conv kernels on 'wasm' (over the stock or the project's wasm ones). */
export function installNativeKernels(threads: number): Addon {
  const a = loadNative();
  if (!a) throw new Error(`native kernels not built (${loadError}); run \`npm run build:native\` or use --backend wasm`);
  a.setThreads(threads);
  for (const [kernelName, kernelFunc] of Object.entries(kernels(a))) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  return a;
}
