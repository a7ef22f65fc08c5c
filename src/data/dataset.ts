/**
 * loadDataset: any supported source -> the picked classes as raw uint8 32x32 HWC RGB images,
 * through a decoded-tensor cache (one file per source/split/class).
 */
import path from 'node:path';
import { cacheFileName, readCache, resolveCacheDir, writeCache } from './cache.js';
import {
  binaryFingerprint,
  CIFAR_SIZE,
  detectBinarySource,
  IMAGE_BYTES,
  readBinary,
  recordToHwc,
  type BinaryContents,
  type BinarySource,
  type Split,
} from './cifar-binary.js';
import { DEFAULT_CLASSES } from './classes.js';
import { DataError } from './errors.js';
import { decodeInto, listImages, scanImageFolder } from './image-folder.js';

export interface DataConfig {
  /** a folder of class folders (or of split folders of class folders), an official cifar-10-binary.tar.gz, or its extracted folder */
  source: string;
  /** class names; default ['horse', 'airplane'] */
  classes?: string[];
  /** default both, merged */
  splits?: Split[];
  /** default 'data/cache' (relative to the working directory) */
  cacheDir?: string;
}

export interface LabeledImages {
  classes: string[];
  size: number;
  channels: 3;
  /** [n, size, size, 3] HWC RGB uint8; backed by a SharedArrayBuffer so loader workers share it */
  images: Uint8Array;
  /** index into classes */
  labels: Uint8Array;
  /** per class */
  counts: number[];
  /** resolved description */
  source: string;
  /** per class and split, e.g. { horse: { train: 5000, test: 1000 } } */
  splitCounts?: Record<string, Record<string, number>>;
}

interface Part {
  classIndex: number;
  split: string;
  n: number;
  data: Uint8Array;
}

function pickClasses(cfg: DataConfig): string[] {
  const classes = cfg.classes && cfg.classes.length > 0 ? cfg.classes : DEFAULT_CLASSES;
  const seen = new Set<string>();
  for (const c of classes) {
    if (seen.has(c)) throw new DataError(`${cfg.source}: class "${c}" picked twice`, { file: cfg.source });
    seen.add(c);
  }
  return [...classes];
}

function unknownClass(where: string, name: string, known: string[]): DataError {
  return new DataError(`${where}: unknown class "${name}"; known classes: ${known.join(', ')}`, { file: where });
}

function assemble(classes: string[], parts: Part[], source: string): LabeledImages {
  const total = parts.reduce((s, p) => s + p.n, 0);
  const images = new Uint8Array(new SharedArrayBuffer(total * IMAGE_BYTES));
  const labels = new Uint8Array(total);
  const counts = classes.map(() => 0);
  const splitCounts: Record<string, Record<string, number>> = {};
  let o = 0;
  for (const p of parts) {
    images.set(p.data.subarray(0, p.n * IMAGE_BYTES), o * IMAGE_BYTES);
    labels.fill(p.classIndex, o, o + p.n);
    o += p.n;
    counts[p.classIndex]! += p.n;
    const name = classes[p.classIndex]!;
    const sc = (splitCounts[name] ??= {});
    sc[p.split] = (sc[p.split] ?? 0) + p.n;
  }
  return { classes, size: CIFAR_SIZE, channels: 3, images, labels, counts, source, splitCounts };
}

function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function fmtMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export async function loadDataset(cfg: DataConfig, log?: (line: string) => void): Promise<LabeledImages> {
  const say = log ?? (() => undefined);
  const classes = pickClasses(cfg);
  const cacheDir = resolveCacheDir(cfg.cacheDir);
  const t0 = performance.now();
  const bin = await detectBinarySource(cfg.source);
  const data = bin ? await loadBinary(bin, classes, cfg.splits ?? ['train', 'test'], cacheDir, say) : await loadFolder(cfg, classes, cacheDir, say);
  const per = data.classes.map((c, i) => {
    const sc = data.splitCounts?.[c];
    const detail = sc && Object.keys(sc).length > 1 ? ` (${Object.entries(sc).map(([s, n]) => `${s} ${n}`).join(' + ')})` : '';
    return `${c} ${data.counts[i]}${detail}`;
  });
  say(`data: ${per.join(', ')}; ${data.labels.length} images ${data.size}x${data.size} from ${data.source} in ${fmtMs(performance.now() - t0)}`);
  return data;
}

async function loadFolder(cfg: DataConfig, classes: string[], cacheDir: string, say: (l: string) => void): Promise<LabeledImages> {
  const scan = await scanImageFolder(cfg.source, cfg.splits);
  const known = [...scan.classes.keys()];
  for (const c of classes) if (!scan.classes.has(c)) throw unknownClass(scan.root, c, known);
  const parts: Part[] = [];
  for (const [ci, c] of classes.entries()) {
    for (const folder of scan.classes.get(c)!) {
      const listed = await listImages(folder.dir);
      const split = folder.split ?? 'all';
      const file = path.join(cacheDir, cacheFileName(`${c}-${split}`, ['imagefolder-v1', String(CIFAR_SIZE), listed.fingerprint]));
      const t = performance.now();
      const hit = await readCache(file);
      if (hit && hit.n === listed.files.length && hit.size === CIFAR_SIZE && hit.channels === 3) {
        parts.push({ classIndex: ci, split, n: hit.n, data: hit.data });
        say(`${c}/${split}: ${hit.n} images from cache in ${fmtMs(performance.now() - t)}`);
        continue;
      }
      const dest = new Uint8Array(listed.files.length * IMAGE_BYTES);
      await decodeInto(listed.files, dest, CIFAR_SIZE, 8);
      await writeCache(file, { n: listed.files.length, size: CIFAR_SIZE, channels: 3, data: dest });
      parts.push({ classIndex: ci, split, n: listed.files.length, data: dest });
      say(`${c}/${split}: ${listed.files.length} images decoded in ${fmtMs(performance.now() - t)} (cached to ${displayPath(file)})`);
    }
  }
  const splitDesc = scan.splits ? ` (${scan.splits.join('+')})` : '';
  return assemble(classes, parts, `image folder ${scan.root}${splitDesc}`);
}

async function loadBinary(src: BinarySource, classes: string[], splits: Split[], cacheDir: string, say: (l: string) => void): Promise<LabeledImages> {
  const fp = await binaryFingerprint(src, splits);
  const fileFor = (c: string, s: Split) => path.join(cacheDir, cacheFileName(`${c}-${s}`, ['cifarbin-v1', fp, s, c]));
  const parts: Part[] = [];
  const desc = `CIFAR-10 binary ${src.kind} ${src.path} (${splits.join('+')})`;
  // all from cache?
  const t = performance.now();
  let allHit = true;
  for (const [ci, c] of classes.entries()) {
    for (const s of splits) {
      const hit = await readCache(fileFor(c, s));
      if (!hit || hit.size !== CIFAR_SIZE || hit.channels !== 3) {
        allHit = false;
        break;
      }
      parts.push({ classIndex: ci, split: s, n: hit.n, data: hit.data });
    }
    if (!allHit) break;
  }
  if (allHit) {
    say(`${classes.join(', ')}: ${parts.reduce((a, p) => a + p.n, 0)} images from cache in ${fmtMs(performance.now() - t)}`);
    return assemble(classes, parts, desc);
  }
  parts.length = 0;
  const contents: BinaryContents = await readBinary(src, splits, classes);
  for (const c of classes) if (!contents.classes.includes(c)) throw unknownClass(src.path, c, contents.classes);
  for (const [ci, c] of classes.entries()) {
    const label = contents.classes.indexOf(c);
    for (const s of splits) {
      const batches = contents.batches.filter((b) => b.split === s).map((b) => b.batch);
      let n = 0;
      for (const b of batches) for (let i = 0; i < b.n; i++) if (b.labels[i] === label) n++;
      const dest = new Uint8Array(n * IMAGE_BYTES);
      let k = 0;
      for (const b of batches) for (let i = 0; i < b.n; i++) if (b.labels[i] === label) recordToHwc(b, i, dest, k++ * IMAGE_BYTES);
      parts.push({ classIndex: ci, split: s, n, data: dest });
    }
    const total = parts.filter((p) => p.classIndex === ci).reduce((a, p) => a + p.n, 0);
    if (total === 0) throw new DataError(`${src.path}: empty class "${c}" (no records with label ${label} in ${splits.join('+')})`, { file: src.path });
  }
  for (const p of parts) await writeCache(fileFor(classes[p.classIndex]!, p.split as Split), { n: p.n, size: CIFAR_SIZE, channels: 3, data: p.data });
  say(`${classes.join(', ')}: parsed ${src.kind} in ${fmtMs(performance.now() - t)} (cached)`);
  return assemble(classes, parts, desc);
}
