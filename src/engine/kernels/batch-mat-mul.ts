// Guard for a tfjs-wasm 4.22 bug: BatchMatMul caches its XNNPACK operator (with b's packed
// weights) by b's data id, ignoring b's shape. A reshape shares the data id, so using
// reshape(u, [3, 1]) and later reshape(u, [1, 3]) as b silently returns garbage (spectral
// norm does exactly that). We remember the shape each b data id was first multiplied with and
// hand the stock kernel a fresh copy when the same data comes back in another shape.
import * as tf from '@tensorflow/tfjs-core';

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
interface WasmBackend {
  readSync(id: object): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(id: object): void;
}
interface Args { inputs: { a: TensorInfo; b: TensorInfo }; attrs: { transposeA: boolean; transposeB: boolean }; backend: WasmBackend }

export function guardBatchMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  const firstShape = new WeakMap<object, string>();
  return ((args: Args) => {
    const { b } = args.inputs;
    const key = `${b.shape.join('x')}/${args.attrs.transposeB}`;
    const seen = firstShape.get(b.dataId);
    if (seen === undefined) firstShape.set(b.dataId, key);
    if (seen === undefined || seen === key) return stock(args as unknown as Parameters<tf.KernelFunc>[0]);
    const copy = args.backend.makeOutput(b.shape, b.dtype);
    args.backend.typedArrayFromHeap(copy).set(args.backend.readSync(b.dataId));
    try {
      return stock({ ...args, inputs: { ...args.inputs, b: copy } } as unknown as Parameters<tf.KernelFunc>[0]);
    } finally {
      args.backend.disposeData(copy.dataId);
    }
  }) as tf.KernelFunc;
}
