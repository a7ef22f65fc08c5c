import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DataError, reason } from './errors.js';

/** A sibling temporary name for `file`: same folder (so rename is atomic), ends in .tmp (git-ignored). */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Write `chunks` to `file` through a temporary file and a rename: readers never see half a file. */
export async function writeFileAtomic(file: string, chunks: Uint8Array[]): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  try {
    const fh = await fsp.open(tmp, 'w');
    try {
      for (const c of chunks) await fh.write(c);
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw new DataError(`${file}: cannot write (${reason(err)})`, { file, cause: err });
  }
}

export async function statOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fsp.stat(p);
  } catch {
    return null;
  }
}

export function sha256Hex(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
