import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { initBackend } from '../engine/backend.js';
import { readConfigFile, type Config } from '../training/config.js';
import { CHECKPOINT_FILE, defaultRunDir, train } from '../training/train.js';
import { configArgs, configFromFlags } from './config-args.js';

/** Trains (or resumes) one run and says where its outputs are. */
export async function runTraining(config: Config, runDir: string, resume: boolean, progress: boolean): Promise<void> {
  const backend = await initBackend(config.backend, config.threads);
  console.log(`backend: ${backend.detail}, ${backend.threads} thread(s)`);
  const result = await train({ config, runDir, resume, progress });
  console.log(`checkpoint: ${path.join(result.runDir, CHECKPOINT_FILE)}`);
  console.log(`samples: ${path.join(result.runDir, 'samples.png')}, losses: ${path.join(result.runDir, 'loss.png')}`);
}

const progressArg = { type: 'boolean', default: true, description: 'progress bar', negativeDescription: 'no progress output (the log and samples are still written)' } as const;

export const trainCommand = defineCommand({
  meta: { name: 'train', description: 'Train a GAN (defaults -> --preset/--config -> flags)' },
  args: {
    ...configArgs,
    resume: { type: 'string', description: 'continue the run in this folder from its checkpoint (its config.json is the base)' },
    progress: progressArg,
  },
  async run({ args, rawArgs }) {
    const flags = args as Record<string, unknown>;
    if (typeof args.resume !== 'string') {
      const config = configFromFlags(flags, rawArgs);
      await runTraining(config, defaultRunDir(config), false, args.progress);
      return;
    }
    // The run's own config is the base; flags may still change e.g. train.steps to extend it.
    const file = path.join(args.resume, 'config.json');
    const config = configFromFlags(flags, rawArgs, { origin: file, values: readConfigFile(file) });
    await runTraining(config, args.resume, true, args.progress);
  },
});

/** `npm start`: the quickstart preset into runs/quickstart, resumed where an earlier start left it. */
export const startCommand = defineCommand({
  meta: { name: 'start', description: 'Train the quickstart preset (DCGAN, horse + airplane, 32 px), resuming an earlier start' },
  args: { progress: progressArg },
  async run({ args }) {
    const runDir = path.join('runs', 'quickstart');
    const resume = fs.existsSync(path.join(runDir, CHECKPOINT_FILE));
    const config = resume
      ? configFromFlags({}, [], { origin: path.join(runDir, 'config.json'), values: readConfigFile(path.join(runDir, 'config.json')) })
      : configFromFlags({ preset: 'quickstart' }, []);
    await runTraining(config, runDir, resume, args.progress !== false);
  },
});
