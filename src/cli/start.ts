// `npm start`: with a shipped model, pegasi in seconds (no data, no network); without one, the
// quickstart training run (resumed where an earlier start left it).
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { initBackend } from '../engine/backend.js';
import { DEFAULT_CLASSIFIER } from '../evaluation/run-eval.js';
import { showcase } from '../evaluation/showcase.js';
import { SHIPPED_MODEL } from '../evaluation/shipped.js';
import { readConfigFile } from '../training/config.js';
import { CHECKPOINT_FILE } from '../training/train.js';
import { configFromFlags } from './config-args.js';
import { progressArg, runTraining } from './train.js';
import { intArg } from './int-arg.js';

const pct = (p: number) => `${(100 * p).toFixed(0)}%`;

async function trainQuickstart(progress: boolean): Promise<void> {
  const runDir = path.join('runs', 'quickstart');
  const resume = fs.existsSync(path.join(runDir, CHECKPOINT_FILE));
  const config = resume
    ? configFromFlags({}, [], { origin: path.join(runDir, 'config.json'), values: readConfigFile(path.join(runDir, 'config.json')) })
    : configFromFlags({ preset: 'quickstart' }, []);
  await runTraining(config, runDir, resume, progress);
}

export const startCommand = defineCommand({
  meta: { name: 'start', description: `Pegasi from the shipped model (${SHIPPED_MODEL}) into out/ in seconds; without it (or with --train), train the quickstart preset` },
  args: {
    train: { type: 'boolean', default: false, description: 'train the quickstart preset (DCGAN, horse + airplane, 32 px), resuming an earlier start' },
    model: { type: 'string', default: SHIPPED_MODEL, description: 'shipped generator (pegasus ship)' },
    classifier: { type: 'string', default: DEFAULT_CLASSIFIER, description: 'classifier for the scores' },
    out: { type: 'string', default: 'out', description: 'folder for pegasus.png, batch.png, interpolation.png' },
    n: { type: 'string', default: '1024', description: 'candidates to sample and score' },
    seed: { type: 'string', default: '1', description: 'seed of the candidates' },
    progress: progressArg,
  },
  async run({ args }) {
    const shipped = fs.existsSync(args.model) && fs.existsSync(args.classifier);
    if (args.train || !shipped) {
      if (!args.train) console.log(`no shipped model at ${args.model}: training the quickstart preset instead`);
      await trainQuickstart(args.progress !== false);
      return;
    }
    const n = intArg('n', args.n, 64), seed = intArg('seed', args.seed, 0);
    await initBackend('auto');
    const r = await showcase({ model: args.model, classifier: args.classifier, out: args.out, n, seed });
    const b = r.pick.best;
    console.log(`${r.model}: ${n} samples scored in ${r.seconds.toFixed(1)} s`);
    console.log(`best pegasus:  ${r.pick.files.pegasus}  (score ${b.score.toFixed(3)} of 0.5: horse ${pct(b.pHorse)}, wing class ${pct(b.pWing)}, other ${pct(b.pOther)}, realism ${b.realism.toFixed(2)})`);
    console.log(`best batch:    ${r.pick.files.batch}  (64 distinct samples, mean score ${r.pick.batch.meanScore.toFixed(3)})`);
    console.log(`interpolation: ${r.interpolation.file}  (${r.interpolation.path})`);
    console.log(`scores: ${path.join(args.out, 'pick.json')}, ${path.join(args.out, 'showcase.json')}`);
    console.log('look around in the browser: npx pegasus serve   (the interactive generator loads the shipped model)');
    console.log('train your own:             npm start -- --train   or   npx pegasus train --preset <name> (npx pegasus presets)');
  },
});
