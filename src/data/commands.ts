/** citty command definitions for `pegasus data ...`; the CLI mounts `dataCommand`. */
import { defineCommand } from 'citty';
import { dataDownload, dataInfo, dataSchedule, DEFAULT_DOWNLOAD_DIR, DEFAULT_SOURCE } from './info.js';
import { CIFAR10_URL } from './classes.js';
import { DataError } from './errors.js';

function list(v: unknown): string[] | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function int(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new DataError(`--${name}: expected a non-negative integer, got "${String(v)}"`);
  return n;
}

export const infoCommand = defineCommand({
  meta: { name: 'info', description: 'Show what a data source holds (classes, counts, image size); optionally write a PNG grid of real images' },
  args: {
    source: { type: 'positional', required: false, default: DEFAULT_SOURCE, description: 'image folder, cifar-10-binary.tar.gz, cifar-10-batches-bin or auto' },
    classes: { type: 'string', description: 'picked classes, comma separated (default horse,airplane)' },
    out: { type: 'string', description: 'write a PNG grid of a few images per picked class here' },
    'per-class': { type: 'string', default: '8', description: 'images per class in the grid' },
  },
  async run({ args }) {
    const a: Parameters<typeof dataInfo>[0] = { source: String(args.source ?? DEFAULT_SOURCE) };
    const classes = list(args.classes);
    if (classes) a.classes = classes;
    if (typeof args.out === 'string' && args.out) a.out = args.out;
    const k = int(args['per-class'], 'per-class');
    if (k !== undefined) a.perClass = k;
    console.log(await dataInfo(a));
  },
});

export const downloadCommand = defineCommand({
  meta: { name: 'download', description: 'Download the official cifar-10-binary.tar.gz, check its MD5 and extract it safely' },
  args: {
    url: { type: 'string', default: CIFAR10_URL, description: 'address of the archive' },
    dest: { type: 'string', default: DEFAULT_DOWNLOAD_DIR, description: 'folder for the archive and the extracted batches' },
    md5: { type: 'string', description: 'expected MD5 (default: the official one for the official address; "none" to skip)' },
  },
  async run({ args }) {
    const a: Parameters<typeof dataDownload>[0] = {};
    if (args.url) a.url = String(args.url);
    if (args.dest) a.dest = String(args.dest);
    if (typeof args.md5 === 'string') a.md5 = args.md5;
    const folder = await dataDownload(a, { log: (l) => console.error(l) });
    console.log(folder);
  },
});

export const scheduleCommand = defineCommand({
  meta: { name: 'schedule', description: 'Print the class order of the three mixing schedules over the first steps' },
  args: {
    source: { type: 'positional', required: false, default: DEFAULT_SOURCE, description: 'data source (for class counts)' },
    classes: { type: 'string', description: 'picked classes, comma separated (default horse,airplane)' },
    'batch-size': { type: 'string', default: '64' },
    steps: { type: 'string', default: '400' },
    iterations: { type: 'string', description: 'phase iterations, comma separated (default 300,200,100,50,25)' },
    seed: { type: 'string', default: '0' },
  },
  async run({ args }) {
    const a: Parameters<typeof dataSchedule>[0] = { source: String(args.source ?? DEFAULT_SOURCE) };
    const classes = list(args.classes);
    if (classes) a.classes = classes;
    const bs = int(args['batch-size'], 'batch-size');
    if (bs !== undefined) a.batchSize = bs;
    const steps = int(args.steps, 'steps');
    if (steps !== undefined) a.steps = steps;
    const its = list(args.iterations);
    if (its) a.iterations = its.map((v) => int(v, 'iterations')!);
    const seed = int(args.seed, 'seed');
    if (seed !== undefined) a.seed = seed;
    console.log(await dataSchedule(a));
  },
});

export const dataCommand = defineCommand({
  meta: { name: 'data', description: 'Data sets: inspect, download, mixing schedules' },
  subCommands: { info: infoCommand, download: downloadCommand, schedule: scheduleCommand },
});
