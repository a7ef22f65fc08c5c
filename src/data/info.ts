/** Functions behind `pegasus data info | download | schedule`; each returns the text it reports. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { extractArchive } from './archive.js';
import { createBatchContext, batchIndices, type LoaderOptions } from './batch.js';
import {
  CIFAR_SIZE,
  detectBinarySource,
  IMAGE_BYTES,
  readBinary,
  recordToHwc,
  type Split,
} from './cifar-binary.js';
import { CIFAR10_ARCHIVE_NAME, CIFAR10_FOLDER_NAME, CIFAR10_MD5, CIFAR10_URL, DEFAULT_CLASSES } from './classes.js';
import { DataError, reason } from './errors.js';
import { download, type DownloadOptions } from './download.js';
import { writeFileAtomic } from './fsutil.js';
import { decodeImage, listImages, scanImageFolder } from './image-folder.js';
import { locate, type Mixing } from './schedule.js';
import { DEFAULT_DOWNLOAD_DIR, resolveDataSource } from './source.js';

/** Data sources default to "auto" (see source.ts). */
export const DEFAULT_SOURCE = 'auto';
export { DEFAULT_DOWNLOAD_DIR };

interface SourceSummary {
  description: string;
  splits: string[];
  /** class -> split -> count */
  counts: Map<string, Map<string, number>>;
  imageSize: string;
  /** first `k` images of a class as HWC 32x32 */
  sample(cls: string, k: number): Promise<Uint8Array[]>;
}

async function summarize(source: string): Promise<SourceSummary> {
  const bin = await detectBinarySource(source);
  if (bin) {
    const splits: Split[] = ['train', 'test'];
    const contents = await readBinary(bin, splits);
    const counts = new Map<string, Map<string, number>>();
    for (const c of contents.classes) counts.set(c, new Map(splits.map((s) => [s, 0])));
    for (const { split, batch } of contents.batches) {
      for (let i = 0; i < batch.n; i++) {
        const m = counts.get(contents.classes[batch.labels[i]!]!)!;
        m.set(split, (m.get(split) ?? 0) + 1);
      }
    }
    return {
      description: `CIFAR-10 binary ${bin.kind} ${bin.path}`,
      splits,
      counts,
      imageSize: `${CIFAR_SIZE}x${CIFAR_SIZE} RGB`,
      async sample(cls, k) {
        const label = contents.classes.indexOf(cls);
        const out: Uint8Array[] = [];
        for (const { batch } of contents.batches) {
          for (let i = 0; i < batch.n && out.length < k; i++) {
            if (batch.labels[i] !== label) continue;
            const img = new Uint8Array(IMAGE_BYTES);
            recordToHwc(batch, i, img, 0);
            out.push(img);
          }
        }
        return out;
      },
    };
  }
  const scan = await scanImageFolder(source);
  const counts = new Map<string, Map<string, number>>();
  const firstFiles = new Map<string, string[]>();
  for (const [c, folders] of scan.classes) {
    const m = new Map<string, number>();
    const files: string[] = [];
    for (const f of folders) {
      let n = 0;
      try {
        const listed = await listImages(f.dir, false);
        n = listed.files.length;
        files.push(...listed.files.slice(0, 64));
      } catch (err) {
        if (!(err instanceof DataError && /empty class/.test(err.message))) throw err;
      }
      m.set(f.split ?? 'all', n);
    }
    counts.set(c, m);
    firstFiles.set(c, files);
  }
  let imageSize = 'unknown';
  const first = [...firstFiles.values()].find((f) => f.length > 0)?.[0];
  if (first) {
    try {
      const meta = await sharp(first).metadata();
      imageSize = `${meta.width}x${meta.height} ${meta.channels === 1 ? 'gray' : meta.channels === 4 ? 'RGBA' : 'RGB'} ${meta.format}${meta.width !== CIFAR_SIZE || meta.height !== CIFAR_SIZE ? ` (resized to ${CIFAR_SIZE}x${CIFAR_SIZE} on load)` : ''}`;
    } catch (err) {
      throw new DataError(`${first}: cannot read image (${reason(err)})`, { file: first, cause: err });
    }
  }
  return {
    description: `image folder ${scan.root}`,
    splits: scan.splits ?? ['all'],
    counts,
    imageSize,
    async sample(cls, k) {
      const files = (firstFiles.get(cls) ?? []).slice(0, k);
      return Promise.all(files.map((f) => decodeImage(f, CIFAR_SIZE)));
    },
  };
}

/** Write a PNG grid: one row per class, `images[row]` side by side, each scaled `scale` times. */
export async function writeGrid(out: string, rows: Uint8Array[][], size = CIFAR_SIZE, scale = 2, pad = 2): Promise<void> {
  const cols = Math.max(1, ...rows.map((r) => r.length));
  const cell = size * scale;
  const W = pad + cols * (cell + pad);
  const H = pad + rows.length * (cell + pad);
  const canvas = new Uint8Array(W * H * 3).fill(24);
  rows.forEach((row, r) => {
    row.forEach((img, c) => {
      const x0 = pad + c * (cell + pad);
      const y0 = pad + r * (cell + pad);
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const s = (Math.floor(y / scale) * size + Math.floor(x / scale)) * 3;
          const d = ((y0 + y) * W + x0 + x) * 3;
          canvas[d] = img[s]!;
          canvas[d + 1] = img[s + 1]!;
          canvas[d + 2] = img[s + 2]!;
        }
      }
    });
  });
  const png = await sharp(canvas, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
  await writeFileAtomic(path.resolve(out), [png]);
}

export async function dataInfo(args: { source: string; classes?: string[]; out?: string; perClass?: number }): Promise<string> {
  const source = resolveDataSource(args.source || DEFAULT_SOURCE);
  const s = await summarize(source);
  const lines: string[] = [];
  lines.push(`source: ${s.description}`);
  lines.push(`splits: ${s.splits.join(', ')}`);
  lines.push(`image size: ${s.imageSize}`);
  lines.push(`classes: ${s.counts.size}`);
  const width = Math.max(...[...s.counts.keys()].map((c) => c.length));
  let total = 0;
  for (const [c, m] of s.counts) {
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    total += n;
    const detail = s.splits.length > 1 ? `  (${s.splits.map((sp) => `${sp} ${m.get(sp) ?? 0}`).join(', ')})` : '';
    lines.push(`  ${c.padEnd(width)}  ${String(n).padStart(6)}${detail}${n === 0 ? '  EMPTY' : ''}`);
  }
  lines.push(`total: ${total} images`);
  const picked = args.classes && args.classes.length > 0 ? args.classes : DEFAULT_CLASSES;
  const known = [...s.counts.keys()];
  for (const c of picked) {
    if (!s.counts.has(c)) throw new DataError(`${source}: unknown class "${c}"; known classes: ${known.join(', ')}`, { file: source });
  }
  const pickedCounts = picked.map((c) => [...s.counts.get(c)!.values()].reduce((a, b) => a + b, 0));
  lines.push(`picked: ${picked.map((c, i) => `${c} ${pickedCounts[i]}`).join(', ')} = ${pickedCounts.reduce((a, b) => a + b, 0)} images`);
  if (args.out) {
    const k = Math.max(1, Math.floor(args.perClass ?? 8));
    const rows: Uint8Array[][] = [];
    for (const c of picked) {
      const imgs = await s.sample(c, k);
      if (imgs.length === 0) throw new DataError(`${source}: empty class "${c}"`, { file: source });
      rows.push(imgs);
    }
    await writeGrid(args.out, rows);
    lines.push(`grid: ${args.out} (${picked.join(', ')}: a row each, ${k} per class)`);
  }
  return lines.join('\n');
}

export async function dataDownload(args: { url?: string; dest?: string; md5?: string }, options: DownloadOptions = {}): Promise<string> {
  const url = args.url || CIFAR10_URL;
  const dest = path.resolve(args.dest || DEFAULT_DOWNLOAD_DIR);
  const md5 = args.md5 === 'none' || args.md5 === '' ? undefined : (args.md5 ?? (url === CIFAR10_URL ? CIFAR10_MD5 : undefined));
  let name = CIFAR10_ARCHIVE_NAME;
  try {
    const base = path.posix.basename(new URL(url).pathname);
    if (/\.(tar\.gz|tgz)$/i.test(base)) name = base;
  } catch {
    /* download() reports the bad URL */
  }
  const archive = await download(url, path.join(dest, name), md5, options);
  const names = await extractArchive(archive, dest);
  const folder = path.join(dest, names.includes(CIFAR10_FOLDER_NAME) ? CIFAR10_FOLDER_NAME : (names[0] ?? ''));
  const bin = await detectBinarySource(folder);
  if (!bin || bin.kind !== 'folder') throw new DataError(`${archive}: archive does not hold ${CIFAR10_FOLDER_NAME} with CIFAR-10 batches`, { file: archive });
  await readBinary(bin, ['train', 'test']); // validates every batch
  return bin.path;
}

export interface ScheduleArgs {
  counts: number[];
  classes: string[];
  batchSize: number;
  steps: number;
  seed?: number;
  iterations?: number[];
}

/** Class order of the three mixing schedules over the first `steps` steps (from class counts only). */
export function scheduleTable(a: ScheduleArgs): string {
  const labels = new Uint8Array(a.counts.reduce((x, y) => x + y, 0));
  let o = 0;
  a.counts.forEach((n, i) => {
    labels.fill(i, o, o + n);
    o += n;
  });
  const images = new Uint8Array(0);
  const short = (c: string) => c;
  const lines: string[] = [];
  lines.push(`batch ${a.batchSize}; ${a.classes.map((c, i) => `${c} ${a.counts[i]}`).join(', ')}; first ${a.steps} steps`);
  const mixings: Mixing[] = [{ kind: 'combined' }, { kind: 'alternate' }, { kind: 'phases', iterations: a.iterations ?? [300, 200, 100, 50, 25] }];
  for (const mixing of mixings) {
    const opts: LoaderOptions = { batchSize: a.batchSize, imageSize: 32, flip: false, grayscale: false, seed: a.seed ?? 0, mixing };
    const ctx = createBatchContext(images, labels, a.classes, 32, opts);
    const total = ctx.plan.totalSteps;
    const n = total === null ? a.steps : Math.min(a.steps, total);
    lines.push('');
    lines.push(mixing.kind === 'phases' ? `phases ${JSON.stringify(mixing.iterations)}:` : `${mixing.kind}:`);
    if (mixing.kind === 'combined') {
      const show = Math.min(n, 8);
      for (let s = 0; s < show; s++) {
        const { indices, epoch } = batchIndices(ctx, s);
        const per = a.classes.map(() => 0);
        for (const i of indices) per[labels[i]!]!++;
        lines.push(`  step ${s}: epoch ${epoch}, ${a.classes.map((c, i) => `${short(c)} ${per[i]}`).join(' / ')}`);
      }
      lines.push(`  ... every step mixes the classes; epoch e = floor(step / ${ctx.plan.stepsPerEpoch})`);
      continue;
    }
    // run-length segments of (class, epoch, phase)
    let start = 0;
    let prev = locate(ctx.plan, 0);
    const flush = (end: number) => {
      const cls = a.classes[ctx.plan.pools[prev.pool]!.classIndex!]!;
      lines.push(`  steps ${start}-${end}: ${prev.phase !== null ? `phase ${prev.phase}, ` : ''}epoch ${prev.epoch}, ${cls}`);
    };
    for (let s = 1; s < n; s++) {
      const p = locate(ctx.plan, s);
      if (p.pool !== prev.pool || p.epoch !== prev.epoch || p.phase !== prev.phase) {
        flush(s - 1);
        start = s;
        prev = p;
      }
    }
    flush(n - 1);
    if (total !== null) lines.push(`  (schedule ends after step ${total - 1}; totalSteps ${total})`);
  }
  return lines.join('\n');
}

export async function dataSchedule(args: { source?: string; classes?: string[]; batchSize?: number; steps?: number; iterations?: number[]; seed?: number }): Promise<string> {
  const source = resolveDataSource(args.source || DEFAULT_SOURCE);
  const classes = args.classes && args.classes.length > 0 ? args.classes : DEFAULT_CLASSES;
  const s = await summarize(source);
  const counts = classes.map((c) => {
    const m = s.counts.get(c);
    if (!m) throw new DataError(`${source}: unknown class "${c}"; known classes: ${[...s.counts.keys()].join(', ')}`, { file: source });
    return [...m.values()].reduce((a, b) => a + b, 0);
  });
  const sched: ScheduleArgs = { counts, classes, batchSize: args.batchSize ?? 64, steps: args.steps ?? 400 };
  if (args.iterations) sched.iterations = args.iterations;
  if (args.seed !== undefined) sched.seed = args.seed;
  return scheduleTable(sched);
}

export async function fileExists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}
