import os from 'node:os';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { benchStep, torchStep } from '../training/bench.js';

export const benchCommand = defineCommand({
  meta: { name: 'bench', description: 'ms per DCGAN training step (batch 64) at 32 and 64 px, next to PyTorch' },
  args: {
    sizes: { type: 'string', default: '32,64', description: 'image sizes to time' },
    steps: { type: 'string', default: '5', description: 'timed steps per size (median reported)' },
    warmup: { type: 'string', default: '2', description: 'untimed steps first' },
    threads: { type: 'string', description: 'threads for both engines (default: all cores)' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
    torch: { type: 'boolean', default: true, description: 'also time the PyTorch reference', negativeDescription: 'skip PyTorch' },
  },
  async run({ args }) {
    const threads = args.threads ? Number(args.threads) : os.availableParallelism();
    const info = await initBackend(parseBackend(args.backend), threads);
    const steps = Number(args.steps), warmup = Number(args.warmup);
    console.log(`pegasus bench: ${info.detail}, ${info.threads} thread(s); ${os.cpus()[0]?.model ?? 'cpu'}; batch 64, ngf = ndf = 64, median of ${steps} steps`);
    console.log('size | pegasus ms/step | GFLOP/s | PyTorch ms/step (threads) | ratio (pegasus / PyTorch)');
    for (const size of args.sizes.split(',').map(Number) as (32 | 64)[]) {
      if (size !== 32 && size !== 64) throw new Error(`--sizes: ${size} is not 32 or 64`);
      const ours = benchStep(size, steps, warmup);
      let torchCell = 'skipped', ratio = '-';
      if (args.torch) {
        const t = torchStep(size, info.threads, steps, warmup);
        if (typeof t === 'string') torchCell = t;
        else {
          torchCell = `${t.ms_per_step.toFixed(0)} (${t.threads}, torch ${t.torch})`;
          ratio = (ours.msPerStep / t.ms_per_step).toFixed(2);
        }
      }
      console.log(`${size} px | ${ours.msPerStep.toFixed(0)} | ${ours.gflops.toFixed(1)} (${ours.stepGflop.toFixed(1)} GFLOP/step) | ${torchCell} | ${ratio}${ours.tensorsStable ? '' : ' | WARNING: tensor count grew'}`);
    }
  },
});
