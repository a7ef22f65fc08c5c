// Reading tensors out of the backend, always asynchronously: every backend can (WebGPU in Node
// has no synchronous read).
import * as tf from '@tensorflow/tfjs-core';

/** A tensor's values, and the tensor disposed. */
export async function takeData(t: tf.Tensor): Promise<Float32Array> {
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

/** Named tensors copied out of the backend (the tensors stay). */
export async function readTensors(named: Iterable<[string, tf.Tensor]>): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const list = [...named];
  const data = await Promise.all(list.map(([, t]) => t.data() as Promise<Float32Array>));
  return new Map(list.map(([name, t], i) => [name, { shape: t.shape.slice(), data: data[i]! }]));
}
