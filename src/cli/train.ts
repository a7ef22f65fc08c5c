import path from 'node:path';
import { defineCommand } from 'citty';
import { initBackend } from '../engine/backend.js';
import { readConfigFile, type Config } from '../training/config.js';
import { CHECKPOINT_FILE, defaultRunDir, train } from '../training/train.js';
import { configArgs, configFromFlags } from './config-args.js';
import { namedRoots } from '../outputs/run-index.js';
import { parsePort, serveArgs, servePage, serveUntilStopped } from './serve.js';

export interface ServeFlags { host: string; port: number }

/** Trains (or resumes) one run and says where its outputs are; with `serve`, the page follows it live and stays up afterwards. */
export async function runTraining(config: Config, runDir: string, resume: boolean, progress: boolean, serve?: ServeFlags): Promise<void> {
  const backend = await initBackend(config.backend, config.threads);
  console.log(`backend: ${backend.detail}, ${backend.threads} thread(s)`);
  const server = serve ? await servePage(serveOptions(config, runDir, serve), followId(runDir)) : null;
  const onStep = server ? (step: number) => server.notifyStep(runDir, step + 1) : undefined;
  const result = await train({ config, runDir, resume, progress, ...(onStep ? { onStep } : {}) });
  console.log(`checkpoint: ${path.join(result.runDir, CHECKPOINT_FILE)}`);
  console.log(`samples: ${path.join(result.runDir, 'samples.png')}, losses: ${path.join(result.runDir, 'loss.png')}`);
  if (server) {
    console.log(`training done; the page is still up at ${server.url} (Ctrl-C stops it)`);
    await serveUntilStopped(server);
  }
}

/** The page serves the run's parent folder, so the other runs there can be overlaid. */
function serveOptions(config: Config, runDir: string, f: ServeFlags) {
  return { runs: [path.dirname(path.resolve(runDir))], models: 'models', classifier: config.eval.classifier, host: f.host, port: f.port, follow: followId(runDir) };
}

function followId(runDir: string): string {
  return `${namedRoots([path.dirname(path.resolve(runDir))])[0]!.name}/${path.basename(path.resolve(runDir))}`;
}

function serveFlags(args: { serve?: boolean; host: string; port: string }): ServeFlags | undefined {
  return args.serve ? { host: args.host, port: parsePort(args.port) } : undefined;
}

export const progressArg = { type: 'boolean', default: true, description: 'progress bar', negativeDescription: 'no progress output (the log and samples are still written)' } as const;

export const trainCommand = defineCommand({
  meta: { name: 'train', description: 'Train a GAN (defaults -> --preset/--config -> flags)' },
  args: {
    ...configArgs,
    resume: { type: 'string', description: 'continue the run in this folder from its checkpoint (its config.json is the base)' },
    progress: progressArg,
    serve: { type: 'boolean', default: false, description: 'open the browser page on this run while it trains (see `pegasus serve`)' },
    ...serveArgs,
  },
  async run({ args, rawArgs }) {
    const flags = args as Record<string, unknown>;
    if (typeof args.resume !== 'string') {
      const config = configFromFlags(flags, rawArgs);
      await runTraining(config, defaultRunDir(config), false, args.progress, serveFlags(args));
      return;
    }
    // The run's own config is the base; flags may still change e.g. train.steps to extend it.
    const file = path.join(args.resume, 'config.json');
    const config = configFromFlags(flags, rawArgs, { origin: file, values: readConfigFile(file) });
    await runTraining(config, args.resume, true, args.progress, serveFlags(args));
  },
});
