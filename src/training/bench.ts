// The training-step benchmark: ms per DCGAN step (batch 64, seed widths) on our engine, next to
// the PyTorch reference (bench/torch_dcgan.py) when python3 has torch.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { buildGan } from '../models/index.js';
import { dcganStepFlops } from '../outputs/flops.js';
import { Adam } from './adam.js';
import { trainStep } from './step.js';
import { sampleImages } from '../evaluation/evaluate.js';

export interface BenchRow { size: 32 | 64; msPerStep: number; gflops: number; stepGflop: number; tensorsStable: boolean }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The seed's DCGAN (ngf = ndf = 64), Adam 2e-4 (0.5, 0.999), a fixed real batch: what one bench step trains. */
function benchSetup(size: 32 | 64, batch: number) {
  const gan = buildGan({ arch: 'dcgan', imageSize: size, nz: 100, ngf: 64, ndf: 64 }, 1);
  const opts = {
    d: new Adam(gan.d.params.trainable(), { lr: 2e-4, beta1: 0.5, beta2: 0.999 }),
    g: new Adam(gan.g.params.trainable(), { lr: 2e-4, beta1: 0.5, beta2: 0.999 }),
  };
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  const cfg = { batchSize: batch, loss: 'bce' as const, labels: { soft: false, flip: 0 }, seed: 1 };
  const dispose = () => { tf.dispose(x); opts.d.dispose(); opts.g.dispose(); gan.dispose(); };
  return { gan, opts, x, cfg, dispose };
}

/** Times `steps` training steps after `warmup` ones; median ms per step. */
export async function benchStep(size: 32 | 64, steps: number, warmup: number, batch = 64): Promise<BenchRow> {
  const { gan, opts, x, cfg, dispose } = benchSetup(size, batch);
  const times: number[] = [];
  let tensors = 0;
  let stable = true;
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    await trainStep(gan, opts, [{ x }], cfg, i);
    const dt = performance.now() - t0;
    if (i >= warmup) times.push(dt);
    const n = tf.memory().numTensors;
    if (i > 0 && n !== tensors) stable = false;
    tensors = n;
  }
  dispose();
  const ms = median(times);
  // the work this step does: the G update differentiates G's loss w.r.t. G's weights only, so D
  // gets no weight gradients there ('minimal'; pytorch/examples computes and discards them)
  const flop = dcganStepFlops(size, batch, 64, 64, { variant: 'minimal' });
  return { size, msPerStep: ms, gflops: flop / (ms * 1e6), stepGflop: flop / 1e9, tensorsStable: stable };
}

export interface SamplingRow { size: 32 | 64; images: number; seconds: number; imagesPerSecond: number }

/** Generating `n` images with the seed's G (ngf 64) as evaluation does (batches of 256, running statistics). */
export async function benchSampling(size: 32 | 64, n: number): Promise<SamplingRow> {
  const gan = buildGan({ arch: 'dcgan', imageSize: size, nz: 100, ngf: 64, ndf: 64 }, 1);
  await sampleImages(gan, 256, 0); // warm-up: kernels compiled, buffers allocated
  const t0 = performance.now();
  await sampleImages(gan, n, 1);
  const seconds = (performance.now() - t0) / 1000;
  gan.dispose();
  return { size, images: n, seconds, imagesPerSecond: n / seconds };
}

export interface KernelTime { name: string; ms: number; calls: number }
export interface StepProfile { size: 32 | 64; wallMs: number; kernels: KernelTime[] }

/** One training step under tf.profile: time per kernel name (after a warm-up step). */
export async function profileStep(size: 32 | 64, batch = 64): Promise<StepProfile> {
  const { gan, opts, x, cfg, dispose } = benchSetup(size, batch);
  await trainStep(gan, opts, [{ x }], cfg, 0);
  const t0 = performance.now();
  const info = await tf.profile(async () => { await trainStep(gan, opts, [{ x }], cfg, 1); });
  const wallMs = performance.now() - t0;
  const by = new Map<string, KernelTime>();
  // tfjs records each tf.customGrad call (our fused kernels' wrappers) as a kernel named 'unnamed
  // scope' whose time includes the kernels it runs, which are recorded as well: left out, so that
  // no time is counted twice
  for (const k of info.kernels.filter((k) => k.name !== 'unnamed scope')) {
    const e = by.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    by.set(k.name, e);
  }
  dispose();
  return { size, wallMs, kernels: [...by.values()].sort((a, b) => b.ms - a.ms) };
}

export interface TorchRow { size: number; threads: number; device: string; ms_per_step: number; torch: string; max_rss_mb: number; gflops: number; freeze_d: boolean }

/**
 * Runs the PyTorch reference; the reason instead when python3 or torch is missing. freezeD: D's
 * weights get no gradient in the G step, the work our step does (else pytorch/examples' step,
 * which computes and discards them: about 9% more FLOPs).
 */
export function torchStep(size: 32 | 64, threads: number, steps: number, warmup: number, device: 'cpu' | 'cuda' = 'cpu', freezeD = true): TorchRow | string {
  const args = ['bench/torch_dcgan.py', '--size', String(size), '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup), '--device', device, '--json'];
  const r = spawnSync('python3', freezeD ? [...args, '--freeze-d'] : args, { encoding: 'utf8' });
  if (r.error) return `python3 not runnable (${r.error.message})`;
  if (r.status !== 0) return `PyTorch reference failed: ${(r.stderr || '').trim().split('\n').pop() ?? ''}`;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as TorchRow;
  } catch {
    return `PyTorch reference printed no JSON: ${line}`;
  }
}
