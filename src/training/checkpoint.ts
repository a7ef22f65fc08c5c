// Checkpoints on disk: one binary file (format in checkpoint-format.ts), written atomically
// (temp file + rename). Randomness is a function of (seed, step) and data order of (seed, step),
// so nothing beyond the checkpoint is needed to resume exactly.
import fs from 'node:fs';
import { writeFileAtomic } from '../outputs/atomic.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type TensorMap } from './checkpoint-format.js';

export { decodeCheckpoint, encodeCheckpoint, prefixed, unprefixed } from './checkpoint-format.js';
export type { Checkpoint, CheckpointHeader, TensorMap } from './checkpoint-format.js';

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
