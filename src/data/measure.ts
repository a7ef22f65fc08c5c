/**
 * Measurements for docs/data.md: `node dist/data/measure.js [source] [--steps N] [--step-ms MS]`.
 * Load time of horse + airplane (train + test) cold (fresh cache folder) and cached, the time a
 * training step waits for its batch, and the class order of the three schedules.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBatchContext, makeBatch, type LoaderOptions } from './batch.js';
import { loadDataset } from './dataset.js';
import { DEFAULT_SOURCE, scheduleTable } from './info.js';
import { createLoader } from './loader.js';
import { resolveDataSource } from './source.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const source = resolveDataSource(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : DEFAULT_SOURCE);
  const steps = arg('steps', 20);
  const stepMs = arg('step-ms', 250);
  const cacheDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pegasus-measure-'));
  const cfg = { source, classes: ['horse', 'airplane'], cacheDir };
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let t = performance.now();
  await loadDataset(cfg);
  const cold = performance.now() - t;
  t = performance.now();
  const data = await loadDataset(cfg);
  const cached = performance.now() - t;
  console.log(`load horse+airplane (train+test), ${data.labels.length} images: cold ${(cold / 1000).toFixed(2)} s, cached ${(cached / 1000).toFixed(3)} s`);
  await fsp.rm(cacheDir, { recursive: true, force: true });

  const opts: LoaderOptions = { batchSize: 64, imageSize: 64, flip: true, grayscale: false, seed: 1, mixing: { kind: 'alternate' } };
  const ctx = createBatchContext(data.images, data.labels, data.classes, data.size, opts);
  t = performance.now();
  for (let s = 0; s < 10; s++) makeBatch(ctx, s);
  console.log(`one batch (64 x 64x64, flip, alternate) computed in-thread: ${((performance.now() - t) / 10).toFixed(1)} ms`);

  const loader = createLoader(data, opts);
  try {
    for (let s = 0; s < steps; s++) {
      await loader.get(s);
      const t0 = performance.now();
      while (performance.now() - t0 < stepMs) {
        /* a training step that keeps this thread busy */
      }
    }
    const w = loader.waitStats();
    const rest = (w.totalWaitMs - w.firstWaitMs) / Math.max(1, w.calls - 1);
    console.log(
      `loader wait over ${w.calls} steps of ${stepMs} ms: first ${w.firstWaitMs.toFixed(1)} ms (worker start), then mean ${rest.toFixed(2)} ms, max ${w.maxWaitMs.toFixed(1)} ms incl. first, total ${w.totalWaitMs.toFixed(1)} ms`,
    );
  } finally {
    await loader.close();
  }
  console.log('');
  console.log(scheduleTable({ counts: data.counts, classes: data.classes, batchSize: 64, steps: 400, iterations: [300, 200, 100, 50, 25] }));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
