import path from 'node:path';
import { defineCommand } from 'citty';
import { initBackend } from '../engine/backend.js';
import { readConfigFile } from '../training/config.js';
import { CHECKPOINT_FILE, defaultRunDir, train } from '../training/train.js';
import { configArgs, configFromFlags } from './config-args.js';

export const trainCommand = defineCommand({
  meta: { name: 'train', description: 'Train a GAN (defaults -> --preset/--config -> flags)' },
  args: {
    ...configArgs,
    resume: { type: 'string', description: 'continue the run in this folder from its checkpoint (its config.json is the base)' },
    progress: { type: 'boolean', default: true, description: 'progress bar', negativeDescription: 'no progress output (the log and samples are still written)' },
  },
  async run({ args, rawArgs }) {
    const flags = args as Record<string, unknown>;
    let config = configFromFlags(flags, rawArgs);
    let runDir: string | undefined;
    if (typeof args.resume === 'string') {
      runDir = args.resume;
      // The run's own config is the base; flags may still change e.g. train.steps to extend it.
      const file = path.join(runDir, 'config.json');
      config = configFromFlags(flags, rawArgs, { origin: file, values: readConfigFile(file) });
    }
    const backend = await initBackend(config.backend, config.threads);
    console.log(`backend: ${backend.detail}, ${backend.threads} thread(s)`);
    const result = await train({ config, runDir: runDir ?? defaultRunDir(config), resume: !!runDir, progress: args.progress });
    console.log(`checkpoint: ${path.join(result.runDir, CHECKPOINT_FILE)}`);
    console.log(`samples: ${path.join(result.runDir, 'samples.png')}, losses: ${path.join(result.runDir, 'loss.png')}`);
  },
});

