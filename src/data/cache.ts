/**
 * Decoded-tensor cache: one file per (source, split, class), raw uint8 HWC images behind a
 * small header. Written through a temporary file + rename, so nothing half-written is ever
 * read back; a file that does not match its header is ignored (and rebuilt by the caller).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { sha256Hex, writeFileAtomic } from './fsutil.js';

const MAGIC = 'PGSDATA1';
const HEADER_BYTES = 32;

export const DEFAULT_CACHE_DIR = 'data/cache';

/** File name of a cache entry: readable prefix + a hash of everything that identifies the content. */
export function cacheFileName(label: string, identity: string[]): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60);
  return `${safe}-${sha256Hex(...identity).slice(0, 20)}.u8`;
}

export interface CachedImages {
  n: number;
  size: number;
  channels: number;
  data: Uint8Array;
}

export async function readCache(file: string): Promise<CachedImages | null> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch {
    return null;
  }
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 8) !== MAGIC) return null;
  const n = buf.readUInt32LE(8);
  const size = buf.readUInt32LE(12);
  const channels = buf.readUInt32LE(16);
  if (buf.length !== HEADER_BYTES + n * size * size * channels) return null;
  return { n, size, channels, data: buf.subarray(HEADER_BYTES) };
}

export async function writeCache(file: string, img: CachedImages): Promise<void> {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(img.n, 8);
  header.writeUInt32LE(img.size, 12);
  header.writeUInt32LE(img.channels, 16);
  await writeFileAtomic(file, [header, img.data]);
}

export function resolveCacheDir(dir: string | undefined): string {
  return path.resolve(dir ?? DEFAULT_CACHE_DIR);
}
