// The checkpoint format, as bytes in and bytes out, with no Node APIs: the CLI and the browser page
// read checkpoints with this one decoder.
//   bytes 0..7   "PGSCKPT1"
//   bytes 8..11  header length L (uint32 LE), then L bytes of JSON header, zero-padded to 4 bytes
//   then the float32 (or float16) data of every tensor listed in the header, in order.
// The header carries the config, the step, the optimizer step counts and each tensor's name,
// shape and offset. Tensors: "G/<param>", "D/<param>" (weights and buffers: batch-norm running
// stats, spectral-norm u and v), "optG/<param>.m|v", "optD/<param>.m|v".
import { decodeHalf, encodeHalf } from './float16.js';

const MAGIC = 'PGSCKPT1';

export type TensorMap = Map<string, { shape: number[]; data: Float32Array }>;

export interface CheckpointHeader {
  format: 1;
  /** Element type of the data section; absent = float32. float16 is for shipped weights. */
  dtype?: 'float32' | 'float16';
  step: number;
  /** Anything JSON the writer wants back (config, optimizer steps, metrics). */
  meta: Record<string, unknown>;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
}

export interface Checkpoint { step: number; meta: Record<string, unknown>; tensors: TensorMap }

export function encodeCheckpoint(step: number, meta: Record<string, unknown>, tensors: TensorMap, dtype: 'float32' | 'float16' = 'float32'): Uint8Array {
  const entries: CheckpointHeader['tensors'] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  const header: CheckpointHeader = { format: 1, ...(dtype === 'float16' ? { dtype } : {}), step, meta, tensors: entries };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 4) * 4;
  const bytes = dtype === 'float16' ? 2 : 4;
  const buf = new Uint8Array(12 + padded + offset * bytes);
  for (let i = 0; i < MAGIC.length; i++) buf[i] = MAGIC.charCodeAt(i);
  new DataView(buf.buffer).setUint32(8, padded, true);
  buf.set(json, 12);
  buf.fill(0x20, 12 + json.length, 12 + padded); // pad with spaces: still valid JSON
  // 12 + padded is a multiple of 4, so the typed views below are aligned (little-endian hosts).
  const data = dtype === 'float16' ? new Uint16Array(buf.buffer, 12 + padded, offset) : new Float32Array(buf.buffer, 12 + padded, offset);
  for (const [i, t] of [...tensors.values()].entries()) data.set(dtype === 'float16' ? encodeHalf(t.data) : t.data, entries[i]!.offset);
  return buf;
}

export function decodeCheckpoint(buf: Uint8Array, file = 'checkpoint'): Checkpoint {
  const magic = String.fromCharCode(...buf.subarray(0, 8));
  if (buf.length < 12 || magic !== MAGIC) throw new Error(`${file}: not a pegasus checkpoint (bad magic)`);
  const len = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(8, true);
  if (12 + len > buf.length) throw new Error(`${file}: truncated header`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(12, 12 + len))) as CheckpointHeader;
  } catch {
    throw new Error(`${file}: corrupt header`);
  }
  const start = 12 + len;
  const bytes = header.dtype === 'float16' ? 2 : 4;
  const floats = Math.floor((buf.length - start) / bytes);
  // Copy into an aligned buffer: the file's bytes need not be aligned in memory.
  let all: Float32Array;
  if (bytes === 2) {
    const half = new Uint16Array(floats);
    new Uint8Array(half.buffer).set(buf.subarray(start, start + floats * 2));
    all = decodeHalf(half);
  } else {
    all = new Float32Array(floats);
    new Uint8Array(all.buffer).set(buf.subarray(start, start + floats * 4));
  }
  const tensors: TensorMap = new Map();
  for (const t of header.tensors) {
    if (t.offset + t.length > floats || t.shape.reduce((a, c) => a * c, 1) !== t.length) throw new Error(`${file}: truncated or corrupt tensor ${t.name}`);
    tensors.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) });
  }
  return { step: header.step, meta: header.meta, tensors };
}

/** Prefixes every name of a map ("G/" + name), and the inverse selection. */
export function prefixed(prefix: string, m: TensorMap): TensorMap {
  return new Map([...m].map(([k, v]) => [`${prefix}${k}`, v]));
}

export function unprefixed(prefix: string, m: TensorMap): TensorMap {
  return new Map([...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}
