// `pegasus eval` and `pegasus pick`: measuring a generator with the project's classifier.
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { DEFAULT_CLASSIFIER, evaluate, evaluateFloor, pick } from '../evaluation/run-eval.js';
import { intArg } from './int-arg.js';


const common = {
  classifier: { type: 'string', default: DEFAULT_CLASSIFIER, description: 'classifier checkpoint (pegasus classifier train)' },
  data: { type: 'string', default: 'auto', description: 'CIFAR-10 source of the real images' },
  seed: { type: 'string', default: '1', description: 'seed of the sampled z' },
  backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  live: { type: 'boolean', default: false, description: "G's last-step weights instead of their moving average (runs with train.emaDecay > 0)" },
} as const;

export const evalCommand = defineCommand({
  meta: { name: 'eval', description: 'CIFAR-FID, KID and class probabilities of a generator checkpoint or a folder of images, against the real images of its classes' },
  args: {
    target: { type: 'positional', required: false, description: 'checkpoint.ckpt of a run, a shipped model, or a folder of images' },
    floor: { type: 'boolean', default: false, description: 'instead: the real test images of --classes against the real train images' },
    n: { type: 'string', default: '5000', description: 'images to generate' },
    classes: { type: 'string', description: 'real classes to compare with (default: the run\'s; horse,airplane for a folder)' },
    out: { type: 'string', description: 'also write the report as JSON here' },
    ...common,
  },
  async run({ args }) {
    await initBackend(parseBackend(args.backend));
    const t = performance.now();
    const classes = args.classes ? { classes: args.classes.split(',').map((c) => c.trim()) } : {};
    const seed = intArg('seed', args.seed, 0), out = args.out ? { out: args.out } : {};
    if (!args.floor && !args.target) throw new Error('eval: give a checkpoint or a folder of images, or --floor');
    const r = args.floor
      ? await evaluateFloor({ classifier: args.classifier, data: args.data, classes: classes.classes ?? ['horse', 'airplane'], seed, ...out })
      : await evaluate({ target: args.target!, classifier: args.classifier, n: intArg('n', args.n, 2), seed, data: args.data, live: args.live, ...classes, ...out });
    const probs = Object.entries(r.meanProbs).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([c, p]) => `${c} ${(100 * p).toFixed(1)}%`).join(', ');
    console.log(`${r.source}: ${r.n} images vs real ${r.classes.join('+')}`);
    console.log(`CIFAR-FID ${r.cifarFid.toFixed(2)} | KID ${(1000 * r.kid.mean).toFixed(2)} +- ${(1000 * r.kid.stderr).toFixed(2)} (x1e-3) | mean class probabilities: ${probs} | ${((performance.now() - t) / 1000).toFixed(1)} s`);
  },
});

export const pickCommand = defineCommand({
  meta: { name: 'pick', description: 'Sample many images, write the best pegasus (upscaled PNG), the best batch of 64 (8x8 grid) and pick.json with the scores' },
  args: {
    checkpoint: { type: 'positional', required: true, description: 'checkpoint.ckpt of a run, or a shipped model' },
    n: { type: 'string', default: '2048', description: 'candidates to sample' },
    out: { type: 'string', default: 'out', description: 'folder for pegasus.png, batch.png, pick.json' },
    ...common,
  },
  async run({ args }) {
    await initBackend(parseBackend(args.backend));
    const r = await pick({ checkpoint: args.checkpoint, classifier: args.classifier, n: intArg('n', args.n, 64), seed: intArg('seed', args.seed, 0), data: args.data, out: args.out, live: args.live });
    const b = r.best;
    console.log(`best pegasus: ${r.files.pegasus} (score ${b.score.toFixed(3)}: horse ${(100 * b.pHorse).toFixed(1)}%, wing class ${(100 * b.pWing).toFixed(1)}%, other ${(100 * b.pOther).toFixed(1)}%, realism ${b.realism.toFixed(2)})`);
    console.log(`best batch: ${r.files.batch} (mean score ${r.batch.meanScore.toFixed(3)}, ${r.batch.skippedAsDuplicates} near-duplicates skipped); scores in ${args.out}/pick.json`);
  },
});
