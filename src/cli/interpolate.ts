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
import { bitSweepProbabilities, type BitSweepPoint } from '../evaluation/bit-sweep.js';
import { openClassifier } from '../evaluation/classifier-train.js';
import { writeFileAtomic } from '../outputs/atomic.js';
import type { Gan } from '../models/gan.js';


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
    probe: { type: 'string', default: '500', description: "conditional models: samples per bit value for the classifier's class probabilities along the sweep (0: none)" },
    classifier: { type: 'string', default: 'models/classifier.ckpt', description: 'classifier for --probe (skipped with a note when missing)' },
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
      const probe = intArg('probe', args.probe, 0);
      if (g.gan.conditional && probe > 0) {
        await probeSweep(g.gan, g.spec.classes as [string, string], { classifier: args.classifier, bits: strip.t, n: probe, seed: intArg('seed', args.seed, 0), out: args.out, checkpoint: args.checkpoint });
      }
    } finally {
      g.gan.dispose();
    }
  },
});

/** The classifier's class probabilities along the bit sweep: printed, and written to interpolation.json. */
async function probeSweep(gan: Gan, names: [string, string], o: { classifier: string; bits: number[]; n: number; seed: number; out: string; checkpoint: string }): Promise<void> {
  if (!fs.existsSync(o.classifier)) {
    console.log(`(no class probabilities along the sweep: ${o.classifier} not found)`);
    return;
  }
  const c = openClassifier(o.classifier);
  try {
    const index = (name: string) => {
      const i = c.classes.indexOf(name);
      if (i < 0) throw new Error(`${o.classifier}: no class ${name}`);
      return i;
    };
    const points = await bitSweepProbabilities(gan, c.model, [index(names[0]), index(names[1])], o.bits, o.n, o.seed);
    printSweep(points, names, o.n);
    const json = path.join(o.out, 'interpolation.json');
    await writeFileAtomic(json, `${JSON.stringify({ checkpoint: o.checkpoint, classes: names, samplesPerBit: o.n, points }, null, 2)}\n`);
    console.log(`${json}: the same numbers`);
  } finally {
    c.model.params.dispose();
  }
}

function printSweep(points: BitSweepPoint[], [first, second]: [string, string], n: number): void {
  console.log(`classifier's mean probabilities over ${n} samples (the same z at every bit):`);
  console.log(`bit  | P(${first}) | P(${second})`);
  for (const p of points) console.log(`${p.bit.toFixed(2)} | ${p.first.toFixed(3).padStart(first.length + 3)} | ${p.second.toFixed(3).padStart(second.length + 3)}`);
}
