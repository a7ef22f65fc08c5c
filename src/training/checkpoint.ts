// Checkpoints: one binary file, written atomically (temp file + rename).
//   bytes 0..7   "PGSCKPT1"
//   bytes 8..11  header length L (uint32 LE), then L bytes of JSON header, zero-padded to 4 bytes
//   then the float32 data of every tensor listed in the header, in order.
// The header carries the config, the step, the optimizer step counts and each tensor's name,
// shape and offset. Tensors: "G/<param>", "D/<param>" (weights and buffers: batch-norm running
// stats, spectral-norm u and v), "optG/<param>.m|v", "optD/<param>.m|v". Randomness is a function
// of (seed, step) and data order of (seed, step), so nothing else is needed to resume exactly.
import fs from 'node:fs';
import { writeFileAtomic } from '../outputs/atomic.js';
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

export function encodeCheckpoint(step: number, meta: Record<string, unknown>, tensors: TensorMap, dtype: 'float32' | 'float16' = 'float32'): Buffer {
  const entries: CheckpointHeader['tensors'] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  const header: CheckpointHeader = { format: 1, ...(dtype === 'float16' ? { dtype } : {}), step, meta, tensors: entries };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 4) * 4;
  const bytes = dtype === 'float16' ? 2 : 4;
  const buf = Buffer.alloc(12 + padded + offset * bytes);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(padded, 8);
  json.copy(buf, 12);
  buf.fill(0x20, 12 + json.length, 12 + padded); // pad with spaces: still valid JSON
  const data = dtype === 'float16' ? new Uint16Array(buf.buffer, buf.byteOffset + 12 + padded, offset) : new Float32Array(buf.buffer, buf.byteOffset + 12 + padded, offset);
  for (const [i, t] of [...tensors.values()].entries()) data.set(dtype === 'float16' ? encodeHalf(t.data) : t.data, entries[i]!.offset);
  return buf;
}

export function decodeCheckpoint(buf: Uint8Array, file = 'checkpoint'): Checkpoint {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file}: not a pegasus checkpoint (bad magic)`);
  const len = b.readUInt32LE(8);
  if (12 + len > b.length) throw new Error(`${file}: truncated header`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(b.toString('utf8', 12, 12 + len)) as CheckpointHeader;
  } catch {
    throw new Error(`${file}: corrupt header`);
  }
  const start = 12 + len;
  const bytes = header.dtype === 'float16' ? 2 : 4;
  const floats = Math.floor((b.length - start) / bytes);
  // Copy into an aligned buffer: the file's bytes need not be aligned in memory.
  let all: Float32Array;
  if (bytes === 2) {
    const half = new Uint16Array(floats);
    new Uint8Array(half.buffer).set(b.subarray(start, start + floats * 2));
    all = decodeHalf(half);
  } else {
    all = new Float32Array(floats);
    new Uint8Array(all.buffer).set(b.subarray(start, start + floats * 4));
  }
  const tensors: TensorMap = new Map();
  for (const t of header.tensors) {
    if (t.offset + t.length > floats || t.shape.reduce((a, c) => a * c, 1) !== t.length) throw new Error(`${file}: truncated or corrupt tensor ${t.name}`);
    tensors.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) });
  }
  return { step: header.step, meta: header.meta, tensors };
}

export async function saveCheckpoint(file: string, step: number, meta: Record<string, unknown>, tensors: TensorMap, dtype: 'float32' | 'float16' = 'float32'): Promise<void> {
  await writeFileAtomic(file, encodeCheckpoint(step, meta, tensors, dtype));
}

export function loadCheckpoint(file: string): Checkpoint {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read checkpoint (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return decodeCheckpoint(buf, file);
}

/** Prefixes every name of a map ("G/" + name), and the inverse selection. */
export function prefixed(prefix: string, m: TensorMap): TensorMap {
  return new Map([...m].map(([k, v]) => [`${prefix}${k}`, v]));
}

export function unprefixed(prefix: string, m: TensorMap): TensorMap {
  return new Map([...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}
