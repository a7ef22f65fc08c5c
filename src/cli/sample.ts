// `pegasus sample`: n images from any checkpoint, as one grid or as single files.
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { sampleImages } from '../evaluation/evaluate.js';
import { writeGridPng, writeImagePng } from '../outputs/images.js';
import { openGenerator } from '../training/session.js';
import { intArg } from './int-arg.js';


export const sampleCommand = defineCommand({
  meta: { name: 'sample', description: 'n images from a checkpoint: one PNG grid, or one PNG per image with --single' },
  args: {
    checkpoint: { type: 'positional', required: true, description: 'checkpoint.ckpt of a run, or a shipped model' },
    n: { type: 'string', default: '64', description: 'number of images' },
    seed: { type: 'string', default: '1', description: 'seed of the z' },
    bit: { type: 'string', description: 'conditional models: class bit in [0, 1] (default: 0 or 1 at random)' },
    out: { type: 'string', default: 'out/samples.png', description: 'grid file, or a folder with --single' },
    single: { type: 'boolean', default: false, description: 'one PNG per image into the --out folder' },
    scale: { type: 'string', default: '2', description: 'pixel upscale' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    await initBackend(parseBackend(args.backend));
    const n = intArg('n', args.n, 1), seed = intArg('seed', args.seed, 0), scale = intArg('scale', args.scale, 1);
    const bit = args.bit === undefined ? undefined : Number(args.bit);
    if (bit !== undefined && !(bit >= 0 && bit <= 1)) throw new Error(`--bit ${args.bit}: expected a number in [0, 1]`);
    const g = openGenerator(args.checkpoint);
    try {
      if (bit !== undefined && !g.gan.conditional) throw new Error(`${args.checkpoint}: --bit needs a conditional model (this one is ${g.spec.model.arch})`);
      const { images, size } = await sampleImages(g.gan, n, seed, bit);
      if (!args.single) {
        await writeGridPng(args.out, images, [n, size, size, 3], { cols: Math.ceil(Math.sqrt(n)), scale });
        console.log(`${args.out}: ${n} images of ${size}x${size} (seed ${seed})`);
        return;
      }
      fs.mkdirSync(args.out, { recursive: true });
      const px = size * size * 3;
      for (let i = 0; i < n; i++) await writeImagePng(path.join(args.out, `${String(i).padStart(5, '0')}.png`), images.subarray(i * px, (i + 1) * px), [size, size, 3], scale);
      console.log(`${args.out}/: ${n} PNG files of ${size * scale}x${size * scale} (seed ${seed})`);
    } finally {
      g.gan.dispose();
    }
  },
});
