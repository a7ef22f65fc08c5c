/**
 * The official CIFAR-10 binary release: `cifar-10-binary.tar.gz`, which holds
 * `cifar-10-batches-bin/{data_batch_1..5.bin,test_batch.bin,batches.meta.txt}`. Each batch is
 * a sequence of 3073-byte records: 1 label byte, then 32x32 red, 32x32 green, 32x32 blue bytes
 * (planar, row-major).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { readArchiveFiles } from './archive.js';
import {
  CIFAR10_CLASSES,
  CIFAR10_FOLDER_NAME,
  CIFAR10_META,
  CIFAR10_TEST_BATCHES,
  CIFAR10_TRAIN_BATCHES,
} from './classes.js';
import { DataError, isNotFound, reason } from './errors.js';
import { statOrNull } from './fsutil.js';

export const CIFAR_SIZE = 32;
export const IMAGE_BYTES = CIFAR_SIZE * CIFAR_SIZE * 3;
export const RECORD_BYTES = 1 + IMAGE_BYTES;

export type Split = 'train' | 'test';

export function batchFilesFor(split: Split): string[] {
  return split === 'train' ? CIFAR10_TRAIN_BATCHES : CIFAR10_TEST_BATCHES;
}

/** Class names from batches.meta.txt: one per non-empty line. */
export function parseMeta(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export interface ParsedBatch {
  file: string;
  n: number;
  labels: Uint8Array;
  /** the whole file; record i's image is planar at [i*RECORD_BYTES+1, (i+1)*RECORD_BYTES) */
  raw: Uint8Array;
}

/** Validate and index one batch file's bytes. */
export function parseBatch(raw: Uint8Array, file: string, nClasses: number): ParsedBatch {
  if (raw.length === 0) throw new DataError(`${file}: batch file holds no records`, { file });
  if (raw.length % RECORD_BYTES !== 0) {
    throw new DataError(
      `${file}: ${raw.length} bytes is not a whole number of ${RECORD_BYTES}-byte records (1 label byte + ${IMAGE_BYTES} image bytes); last record is ${raw.length % RECORD_BYTES} bytes`,
      { file },
    );
  }
  const n = raw.length / RECORD_BYTES;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = raw[i * RECORD_BYTES]!;
    if (l >= nClasses) throw new DataError(`${file}: record ${i} has label ${l}, but only ${nClasses} classes are named`, { file });
    labels[i] = l;
  }
  return { file, n, labels, raw };
}

/** Copy record `i` of a parsed batch into `dest` at `offset` as HWC RGB. */
export function recordToHwc(batch: ParsedBatch, i: number, dest: Uint8Array, offset: number): void {
  const src = batch.raw;
  const base = i * RECORD_BYTES + 1;
  const plane = CIFAR_SIZE * CIFAR_SIZE;
  for (let p = 0; p < plane; p++) {
    const o = offset + p * 3;
    dest[o] = src[base + p]!;
    dest[o + 1] = src[base + plane + p]!;
    dest[o + 2] = src[base + 2 * plane + p]!;
  }
}

/** Encode HWC RGB images + labels as official records (used by tests and tools). */
export function encodeRecords(images: Uint8Array, labels: ArrayLike<number>): Buffer {
  const n = labels.length;
  const out = Buffer.alloc(n * RECORD_BYTES);
  const plane = CIFAR_SIZE * CIFAR_SIZE;
  for (let i = 0; i < n; i++) {
    const base = i * RECORD_BYTES;
    out[base] = labels[i]!;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[base + 1 + c * plane + p] = images[i * IMAGE_BYTES + p * 3 + c]!;
    }
  }
  return out;
}

export type BinaryKind = 'archive' | 'folder';

export interface BinarySource {
  kind: BinaryKind;
  /** absolute path of the .tar.gz or of the cifar-10-batches-bin folder */
  path: string;
}

/** Is `p` an official archive or (a folder holding) the extracted batches folder? */
export async function detectBinarySource(p: string): Promise<BinarySource | null> {
  const abs = path.resolve(p);
  const st = await statOrNull(abs);
  if (!st) return null;
  if (st.isFile()) {
    if (/\.(tar\.gz|tgz)$/i.test(abs)) return { kind: 'archive', path: abs };
    return null;
  }
  if (!st.isDirectory()) return null;
  const names = await fsp.readdir(abs);
  const batchNames = [...CIFAR10_TRAIN_BATCHES, ...CIFAR10_TEST_BATCHES, CIFAR10_META];
  if (names.some((n) => batchNames.includes(n))) return { kind: 'folder', path: abs };
  if (names.includes(CIFAR10_FOLDER_NAME)) {
    const inner = path.join(abs, CIFAR10_FOLDER_NAME);
    if ((await statOrNull(inner))?.isDirectory()) return { kind: 'folder', path: inner };
  }
  for (const n of names) {
    if (n === 'cifar-10-binary.tar.gz') return { kind: 'archive', path: path.join(abs, n) };
  }
  return null;
}

/** Something that identifies the content (for the cache key): sizes and mtimes of the files used. */
export async function binaryFingerprint(src: BinarySource, splits: Split[]): Promise<string> {
  if (src.kind === 'archive') {
    const st = await statOrNull(src.path);
    return `archive:${src.path}:${st?.size}:${st?.mtimeMs}`;
  }
  const parts = [`folder:${src.path}`];
  for (const f of [CIFAR10_META, ...splits.flatMap(batchFilesFor)]) {
    const st = await statOrNull(path.join(src.path, f));
    parts.push(`${f}:${st?.size}:${st?.mtimeMs}`);
  }
  return parts.join('|');
}

export interface BinaryContents {
  classes: string[];
  /** batches per split in the official order */
  batches: { split: Split; batch: ParsedBatch }[];
}

/** Read class names and the batches of the given splits, from an archive or an extracted folder. */
export async function readBinary(src: BinarySource, splits: Split[], required: string[] = []): Promise<BinaryContents> {
  const wanted = [...splits.flatMap(batchFilesFor), CIFAR10_META];
  let get: (name: string) => Promise<{ data: Uint8Array; file: string } | null>;
  if (src.kind === 'archive') {
    const bodies = await readArchiveFiles(src.path, (p) => wanted.includes(path.posix.basename(p)));
    const byName = new Map<string, { data: Uint8Array; file: string }>();
    for (const [p, data] of bodies) byName.set(path.posix.basename(p), { data, file: `${src.path}:${p}` });
    get = async (name) => byName.get(name) ?? null;
  } else {
    get = async (name) => {
      const file = path.join(src.path, name);
      try {
        return { data: await fsp.readFile(file), file };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw new DataError(`${file}: cannot read (${reason(err)})`, { file, cause: err });
      }
    };
  }
  const meta = await get(CIFAR10_META);
  let classes: string[] = [...CIFAR10_CLASSES];
  if (meta) {
    classes = parseMeta(Buffer.from(meta.data).toString('utf8'));
    if (classes.length === 0 || classes.length > 256) throw new DataError(`${meta.file}: expected class names, one a line; found ${classes.length}`, { file: meta.file });
  }
  for (const c of required) {
    if (!classes.includes(c)) throw new DataError(`${src.path}: unknown class "${c}"; known classes: ${classes.join(', ')}`, { file: src.path });
  }
  const batches: BinaryContents['batches'] = [];
  for (const split of splits) {
    for (const name of batchFilesFor(split)) {
      const f = await get(name);
      const where = src.kind === 'archive' ? `${src.path}:${CIFAR10_FOLDER_NAME}/${name}` : path.join(src.path, name);
      if (!f) throw new DataError(`${where}: batch file missing`, { file: where });
      batches.push({ split, batch: parseBatch(f.data, f.file, classes.length) });
    }
  }
  return { classes, batches };
}
