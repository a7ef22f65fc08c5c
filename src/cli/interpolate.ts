// `pegasus interpolate`: the seed's class-bit sweep (conditional models: horse -> pegasus -> wing
// class at fixed z) or a slerp between two z's (unconditional), as a PNG strip and an animation.
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { gridImage, writeAnimationFrames, writeStripPng } from '../outputs/images.js';
import { interpolationStrip, sweepFrames } from '../training/interpolate.js';
import { openGenerator } from '../training/session.js';
import { intArg } from './int-arg.js';


export const interpolateCommand = defineCommand({
  meta: { name: 'interpolate', description: 'Interpolation strip (PNG) and animation (GIF/WebP): class bit 0 -> 1 for conditional models, slerp between two z otherwise' },
  args: {
    checkpoint: { type: 'positional', required: true, description: 'checkpoint.ckpt of a run, or a shipped model' },
    rows: { type: 'string', default: '8', description: 'fixed z (one row each)' },
    steps: { type: 'string', default: '9', description: 'images per row' },
    seed: { type: 'string', default: '1', description: 'seed of the z' },
    out: { type: 'string', default: 'out', description: 'folder for interpolation.png and interpolation.gif' },
    animation: { type: 'string', default: 'gif', description: 'gif | webp' },
    scale: { type: 'string', default: '3', description: 'pixel upscale' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    await initBackend(parseBackend(args.backend));
    const rows = intArg('rows', args.rows, 1), steps = intArg('steps', args.steps, 2), scale = intArg('scale', args.scale, 1);
    if (args.animation !== 'gif' && args.animation !== 'webp') throw new Error(`--animation ${args.animation}: expected gif or webp`);
    const g = openGenerator(args.checkpoint);
    try {
      const strip = await interpolationStrip(g.gan, { rows, steps, seed: intArg('seed', args.seed, 0), running: true });
      fs.mkdirSync(args.out, { recursive: true });
      const png = path.join(args.out, 'interpolation.png');
      await writeStripPng(png, strip.data, strip.shape, steps, { scale });
      // the animation sweeps forth and back; each frame shows every row side by side
      const [, h, w, c] = strip.shape;
      const frames = sweepFrames(strip, rows, steps).map((f) => gridImage(f, [rows, h, w, c], { cols: rows, scale }));
      const anim = path.join(args.out, `interpolation.${args.animation}`);
      await writeAnimationFrames(anim, [...frames, ...frames.slice(1, -1).reverse()], { delayMs: 150 });
      const what = g.gan.conditional ? `class bit 0 (${g.spec.classes[0]}) -> 1 (${g.spec.classes[1]})` : 'slerp z0 -> z1';
      console.log(`${png}: ${rows} rows x ${steps} steps, ${what}; animation ${anim}`);
    } finally {
      g.gan.dispose();
    }
  },
});
