import os from 'node:os';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { loadNative } from '../engine/native.js';
import { benchSampling, benchStep, profileStep, torchStep } from '../training/bench.js';

export const benchCommand = defineCommand({
  meta: { name: 'bench', description: 'ms per DCGAN training step (batch 64) at 32 and 64 px, next to PyTorch' },
  args: {
    sizes: { type: 'string', default: '32,64', description: 'image sizes to time' },
    steps: { type: 'string', default: '15', description: 'timed steps per size (median reported; single 5-step runs swing by 10% on a shared host)' },
    warmup: { type: 'string', default: '2', description: 'untimed steps first' },
    threads: { type: 'string', description: 'threads for both engines (default: all cores)' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
    torch: { type: 'boolean', default: true, description: 'also time the PyTorch reference', negativeDescription: 'skip PyTorch' },
    'torch-tutorial': { type: 'boolean', default: false, description: "PyTorch's step as pytorch/examples writes it, with D's weight gradients in the G step (about 9% more work than ours); default: the same work as ours" },
    peak: { type: 'string', default: 'auto', description: "FP32 peak GFLOP/s of the cores used; auto: measured by the native addon's FMA loop on the bench's threads (2 Zen 4 cores: about 190)" },
    profile: { type: 'boolean', default: false, description: 'per-kernel breakdown of one step at each size (tf.profile) instead of timing' },
    sampling: { type: 'string', description: 'instead: images/s of generating this many images (e.g. 10000) with G at each size' },
  },
  async run({ args }) {
    const threads = args.threads ? Number(args.threads) : os.availableParallelism();
    const info = await initBackend(parseBackend(args.backend), threads);
    const steps = Number(args.steps), warmup = Number(args.warmup);
    console.log(`pegasus bench: ${info.detail}, ${info.threads} thread(s); ${os.cpus()[0]?.model ?? 'cpu'}; batch 64, ngf = ndf = 64, median of ${steps} steps`);
    if (args.sampling) {
      const n = Number(args.sampling);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--sampling ${args.sampling}: expected a number of images`);
      for (const size of args.sizes.split(',').map(Number) as (32 | 64)[]) {
        const r = await benchSampling(size, n);
        console.log(`${size} px: ${r.images} images in ${r.seconds.toFixed(2)} s = ${r.imagesPerSecond.toFixed(0)} images/s (G in evaluation mode, 128 at a time)`);
      }
      return;
    }
    if (args.profile) {
      for (const size of args.sizes.split(',').map(Number) as (32 | 64)[]) {
        const p = await profileStep(size);
        const kernelMs = p.kernels.reduce((a, k) => a + k.ms, 0);
        console.log(`\n${size} px: one step ${p.wallMs.toFixed(0)} ms wall (profiling adds a little), kernels ${kernelMs.toFixed(0)} ms, between kernels ${(p.wallMs - kernelMs).toFixed(0)} ms`);
        console.log('kernel | ms | share of kernel time | calls');
        for (const k of p.kernels.filter((k) => k.ms >= 0.5)) console.log(`${k.name} | ${k.ms.toFixed(1)} | ${((100 * k.ms) / kernelMs).toFixed(1)}% | ${k.calls}`);
      }
      return;
    }
    const peak = peakGflops(args.peak);
    if (args.torch) console.log(args['torch-tutorial'] ? "PyTorch runs pytorch/examples' step, which also computes D's weight gradients in the G step (about 9% more FLOPs than ours)" : 'Both engines do the same work: D gets no weight gradients in the G step (--torch-tutorial: PyTorch as pytorch/examples writes it)');
    console.log(`size | pegasus ms/step | GFLOP/s | % of ${peak ? `${peak.toFixed(0)} GFLOP/s peak${args.peak === 'auto' ? ' (measured)' : ''}` : 'peak (unknown without the native addon: pass --peak)'} | PyTorch ms/step (threads) | ratio (pegasus / PyTorch) | peak RSS MB pegasus / PyTorch`);
    for (const size of args.sizes.split(',').map(Number) as (32 | 64)[]) {
      if (size !== 32 && size !== 64) throw new Error(`--sizes: ${size} is not 32 or 64`);
      const ours = await benchStep(size, steps, warmup);
      let torchCell = 'skipped', ratio = '-', torchRss = '-';
      if (args.torch) {
        // the reference runs where our kernels run: CUDA next to a GPU, else the same CPU threads
        const t = torchStep(size, info.threads || threads, steps, warmup, info.gpu ? 'cuda' : 'cpu', !args['torch-tutorial']);
        if (typeof t === 'string') torchCell = t;
        else {
          torchCell = `${t.ms_per_step.toFixed(0)} (${t.device === 'cuda' ? 'CUDA' : `${t.threads} threads`}, ${t.gflops.toFixed(0)} GFLOP/s, torch ${t.torch}${t.freeze_d ? '' : ', tutorial step'})`;
          ratio = (ours.msPerStep / t.ms_per_step).toFixed(2);
          torchRss = t.max_rss_mb.toFixed(0);
        }
      }
      console.log(`${size} px | ${ours.msPerStep.toFixed(0)} | ${ours.gflops.toFixed(1)} (${ours.stepGflop.toFixed(1)} GFLOP/step) | ${peak ? `${((100 * ours.gflops) / peak).toFixed(0)}%` : '-'} | ${torchCell} | ${ratio} | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} / ${torchRss}${ours.tensorsStable ? '' : ' | WARNING: tensor count grew'}`);
    }
  },
});

/** --peak: a number, or auto (the addon's FMA loop on the threads set up by initBackend; undefined without the addon). */
function peakGflops(arg: string): number | undefined {
  if (arg === 'auto') return loadNative()?.peakGflops();
  const peak = Number(arg);
  if (!(peak > 0)) throw new Error(`--peak ${arg}: expected GFLOP/s (a positive number) or auto`);
  return peak;
}
