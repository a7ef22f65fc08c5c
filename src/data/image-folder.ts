/**
 * Image folders in the torchvision ImageFolder habit: `root/<class>/*.{png,jpg,jpeg,webp}`, or
 * `root/<split>/<class>/...` where the split folders (train, test) are merged. Decoded with sharp;
 * images that are not 32x32 are resized like torchvision's Resize(32) + CenterCrop(32)
 * (shorter side to 32, bilinear with antialias, centre crop).
 */
import { promises as fsp, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { DataError, isNotFound, reason } from './errors.js';
import type { Split } from './cifar-binary.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];
export const SPLIT_NAMES: Split[] = ['train', 'test'];

function isImageName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

export interface ClassFolder {
  split: string | null;
  dir: string;
}

export interface FolderScan {
  root: string;
  /** split folders found (null: the root holds class folders directly) */
  splits: string[] | null;
  /** class name -> its folders, in split order */
  classes: Map<string, ClassFolder[]>;
}

async function subdirs(dir: string): Promise<string[]> {
  const ents = await fsp.readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of ents) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) out.push(e.name);
    else if (e.isSymbolicLink()) {
      const st = await fsp.stat(path.join(dir, e.name)).catch(() => null);
      if (st?.isDirectory()) out.push(e.name);
    }
  }
  return out.sort();
}

/**
 * Find the class folders under `root`. A root whose sub-folders include `train` or `test` holding
 * folders is a split layout; `splits` picks which splits to merge (default: all of train/test found;
 * an explicitly asked split that is missing is an error).
 */
export async function scanImageFolder(root: string, splits?: Split[]): Promise<FolderScan> {
  const abs = path.resolve(root);
  let st;
  try {
    st = await fsp.stat(abs);
  } catch (err) {
    if (isNotFound(err)) throw new DataError(`${abs}: data folder not found`, { file: abs, cause: err });
    throw new DataError(`${abs}: cannot read (${reason(err)})`, { file: abs, cause: err });
  }
  if (!st.isDirectory()) throw new DataError(`${abs}: not a folder of class folders, nor a CIFAR-10 archive`, { file: abs });
  const top = await subdirs(abs);
  const splitDirs: string[] = [];
  for (const s of SPLIT_NAMES) {
    if (top.includes(s) && (await subdirs(path.join(abs, s))).length > 0) splitDirs.push(s);
  }
  const classes = new Map<string, ClassFolder[]>();
  if (splitDirs.length > 0) {
    const use = splits ?? splitDirs;
    for (const s of use) {
      if (!splitDirs.includes(s)) {
        throw new DataError(`${path.join(abs, s)}: split folder not found (found: ${splitDirs.join(', ')})`, { file: path.join(abs, s) });
      }
    }
    for (const s of use) {
      for (const c of await subdirs(path.join(abs, s))) {
        const list = classes.get(c) ?? [];
        list.push({ split: s, dir: path.join(abs, s, c) });
        classes.set(c, list);
      }
    }
    return { root: abs, splits: use, classes };
  }
  for (const c of top) classes.set(c, [{ split: null, dir: path.join(abs, c) }]);
  if (classes.size === 0) throw new DataError(`${abs}: holds no class folders`, { file: abs });
  return { root: abs, splits: null, classes };
}

export interface ListedFiles {
  files: string[];
  /** names + sizes + mtimes, identifies the content for the cache */
  fingerprint: string;
}

/** The image files of one class folder, sorted by name. Throws if there are none. */
export async function listImages(dir: string, withStats = true): Promise<ListedFiles> {
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter(isImageName).sort();
  } catch (err) {
    throw new DataError(`${dir}: cannot read class folder (${reason(err)})`, { file: dir, cause: err });
  }
  if (names.length === 0) throw new DataError(`${dir}: empty class (no ${IMAGE_EXTENSIONS.join('/')} images)`, { file: dir });
  const files = names.map((n) => path.join(dir, n));
  const parts: string[] = [dir];
  if (withStats) {
    // synchronous stats: far cheaper than thousands of promises, and this runs once per load
    for (const [i, f] of files.entries()) {
      const s = statSync(f);
      parts.push(`${names[i]}:${s.size}:${Math.round(s.mtimeMs)}`);
    }
  } else parts.push(...names);
  return { files, fingerprint: parts.join('|') };
}

/** Decode one image file to `size`x`size` HWC RGB uint8. */
export async function decodeImage(file: string, size = 32): Promise<Uint8Array> {
  try {
    const first = await sharp(file, { failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    let { data, info } = first;
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      const again = await sharp(file, { failOn: 'truncated' })
        .removeAlpha()
        .toColourspace('srgb')
        .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'linear' })
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      data = again.data;
      info = again.info;
    }
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    throw new DataError(`${file}: cannot decode image (${reason(err)})`, { file, cause: err });
  }
}

/** Decode `files` into `dest` (n*size*size*3 bytes), a few at a time. */
export async function decodeInto(files: string[], dest: Uint8Array, size = 32, concurrency = 8, onProgress?: (done: number) => void): Promise<void> {
  const bytes = size * size * 3;
  let done = 0;
  await mapLimit(files, concurrency, async (f, i) => {
    const img = await decodeImage(f, size);
    dest.set(img, i * bytes);
    done++;
    if (onProgress && done % 1000 === 0) onProgress(done);
  });
}

/** Run `fn` over `items` with at most `limit` in flight; results in order; first error wins. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: unknown = null;
  async function worker(): Promise<void> {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        if (failed === null) failed = err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== null) throw failed;
  return out;
}
