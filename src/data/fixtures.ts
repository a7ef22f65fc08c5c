/** Helpers for the data tests: tiny official-format archives, image folders, temp dirs. */
import { mkdtempSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import * as tar from 'tar';
import { encodeRecords, IMAGE_BYTES } from './cifar-binary.js';
import { CIFAR10_CLASSES, CIFAR10_FOLDER_NAME, CIFAR10_TEST_BATCHES, CIFAR10_TRAIN_BATCHES } from './classes.js';
import type { LabeledImages } from './dataset.js';

export function tempDir(prefix = 'pegasus-data-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A recognisable 32x32 image: every pixel encodes (label, index). */
export function patternImage(label: number, index: number): Uint8Array {
  const img = new Uint8Array(IMAGE_BYTES);
  for (let p = 0; p < 1024; p++) {
    img[p * 3] = label * 20;
    img[p * 3 + 1] = index % 256;
    img[p * 3 + 2] = (p * 7 + (index >> 8)) % 256; // pixel 0: index >> 8
  }
  return img;
}

/** Records of `perClass` images for each of `nClasses` labels, interleaved like the official batches. */
export function makeRecords(perClass: number, nClasses = 10, start = 0): { buf: Buffer; labels: number[] } {
  const labels: number[] = [];
  const images = new Uint8Array(perClass * nClasses * IMAGE_BYTES);
  let k = 0;
  for (let i = 0; i < perClass; i++) {
    for (let l = 0; l < nClasses; l++) {
      images.set(patternImage(l, start + i), k * IMAGE_BYTES);
      labels.push(l);
      k++;
    }
  }
  return { buf: encodeRecords(images, labels), labels };
}

export interface TarEntry {
  path: string;
  data?: Buffer;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  linkpath?: string;
}

/** Build a tar.gz byte for byte with tar's Header (so hostile paths stay as written). */
export function makeTarGz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const type = e.type ?? 'File';
    const h = new tar.Header({
      path: e.path,
      mode: type === 'Directory' ? 0o755 : 0o644,
      size: type === 'File' ? data.length : 0,
      mtime: new Date(1_700_000_000_000),
      type,
      linkpath: e.linkpath ?? '',
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block);
    if (type === 'File' && data.length > 0) {
      blocks.push(data);
      const padLen = (512 - (data.length % 512)) % 512;
      if (padLen) blocks.push(Buffer.alloc(padLen));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** The official layout's entries with `perClass` images per class per batch file. */
export function cifarEntries(perClass = 2, opts: { meta?: string; override?: Record<string, Buffer> } = {}): TarEntry[] {
  const entries: TarEntry[] = [{ path: `${CIFAR10_FOLDER_NAME}/`, type: 'Directory' }];
  entries.push({ path: `${CIFAR10_FOLDER_NAME}/batches.meta.txt`, data: Buffer.from(opts.meta ?? `${CIFAR10_CLASSES.join('\n')}\n\n`) });
  [...CIFAR10_TRAIN_BATCHES, ...CIFAR10_TEST_BATCHES].forEach((name, b) => {
    const data = opts.override?.[name] ?? makeRecords(perClass, 10, b * perClass).buf;
    entries.push({ path: `${CIFAR10_FOLDER_NAME}/${name}`, data });
  });
  entries.push({ path: `${CIFAR10_FOLDER_NAME}/readme.html`, data: Buffer.from('<p>tiny</p>') });
  return entries;
}

export async function writeCifarArchive(file: string, perClass = 2, opts: Parameters<typeof cifarEntries>[1] = {}): Promise<string> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, makeTarGz(cifarEntries(perClass, opts)));
  return file;
}

/** Write the extracted folder directly (no archive). */
export async function writeCifarFolder(dir: string, perClass = 2, opts: Parameters<typeof cifarEntries>[1] = {}): Promise<string> {
  const folder = path.join(dir, CIFAR10_FOLDER_NAME);
  await fsp.mkdir(folder, { recursive: true });
  for (const e of cifarEntries(perClass, opts)) {
    if (e.type === 'Directory') continue;
    await fsp.writeFile(path.join(dir, e.path), e.data ?? Buffer.alloc(0));
  }
  return folder;
}

/** A PNG or JPEG of a solid colour with a marker pixel at (0,0). */
export async function writeImage(file: string, w: number, h: number, rgb: [number, number, number], format: 'png' | 'jpeg' = 'png'): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const raw = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) raw.set(rgb, p * 3);
  const s = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  await fsp.writeFile(file, format === 'png' ? await s.png().toBuffer() : await s.jpeg({ quality: 95 }).toBuffer());
}

/** Synthetic LabeledImages for loader tests: image i of class c has every byte = f(c, i). */
export function syntheticData(counts: number[], classes?: string[]): LabeledImages {
  const names = classes ?? counts.map((_, i) => `c${i}`);
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(new SharedArrayBuffer(n * IMAGE_BYTES));
  const labels = new Uint8Array(n);
  let k = 0;
  counts.forEach((cnt, c) => {
    for (let i = 0; i < cnt; i++) {
      const img = patternImage(c, k);
      images.set(img, k * IMAGE_BYTES);
      labels[k] = c;
      k++;
    }
  });
  return { classes: names, size: 32, channels: 3, images, labels, counts: [...counts], source: 'synthetic' };
}

export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let ents;
    try {
      ents = await fsp.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p));
    }
  }
  await walk(dir);
  return out.sort();
}
