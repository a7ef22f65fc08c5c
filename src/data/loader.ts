/**
 * createLoader: batches for global steps, prepared ahead in a worker thread so the trainer does
 * not wait. `get(step)` is a pure function of (data, options, step); resuming at step k needs no
 * saved loader state.
 */
import { Worker } from 'node:worker_threads';
import { createBatchContext, makeBatch, type Batch, type BatchContext, type LoaderOptions } from './batch.js';
import type { LabeledImages } from './dataset.js';
import { DataError } from './errors.js';
import { checkStep, describePlan, locate, type Plan } from './schedule.js';

export interface WaitStats {
  calls: number;
  totalWaitMs: number;
  maxWaitMs: number;
  /** wait of the first call (includes starting the worker) */
  firstWaitMs: number;
}

export interface Loader {
  /** the batch for global training step `step` (0-based) */
  get(step: number): Promise<Batch>;
  epochAt(step: number): number;
  /** phase (1-based) of a step, or null when not in phase mode */
  phaseAt(step: number): number | null;
  /** of the combined loader, or the average per-class loader */
  stepsPerEpoch: number;
  /** phases: sum of iterations; else null */
  totalSteps: number | null;
  describe(): string;
  /** time get() spent blocking the caller */
  waitStats(): WaitStats;
  close(): Promise<void>;
}

interface Waiter {
  resolve: (b: Batch) => void;
  reject: (e: Error) => void;
}

function validateOptions(data: LabeledImages, opts: LoaderOptions): void {
  if (opts.imageSize !== 32 && opts.imageSize !== 64) throw new DataError(`loader: image size must be 32 or 64, got ${opts.imageSize}`);
  if (!Number.isFinite(opts.seed)) throw new DataError(`loader: seed must be a number, got ${opts.seed}`);
  if (data.images.length !== data.labels.length * data.size * data.size * 3) {
    throw new DataError(`loader: ${data.images.length} image bytes do not match ${data.labels.length} images of ${data.size}x${data.size}x3`);
  }
}

function shared(a: Uint8Array): Uint8Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Uint8Array(new SharedArrayBuffer(a.length));
  s.set(a);
  return s;
}

class BatchLoader implements Loader {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number | null;
  private readonly plan: Plan;
  private readonly ctx: BatchContext;
  private readonly depth: number;
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly ahead = new Map<number, { p: Promise<Batch>; done: boolean }>();
  private waiting = 0;
  private closed = false;
  private stats: WaitStats = { calls: 0, totalWaitMs: 0, maxWaitMs: 0, firstWaitMs: 0 };

  constructor(
    private readonly data: LabeledImages,
    private readonly opts: LoaderOptions,
  ) {
    validateOptions(data, opts);
    this.ctx = createBatchContext(data.images, data.labels, data.classes, data.size, opts);
    this.plan = this.ctx.plan;
    this.stepsPerEpoch = this.plan.stepsPerEpoch;
    this.totalSteps = this.plan.totalSteps;
    this.depth = Math.max(0, Math.floor(opts.prefetch ?? 2));
    if (opts.worker !== false) this.startWorker();
    if (this.worker) {
      // start on the first batches while the trainer sets itself up
      const first = Math.max(0, Math.floor(opts.startStep ?? 0));
      for (let s = first; s <= first + this.depth; s++) {
        if (this.totalSteps !== null && s >= this.totalSteps) break;
        this.ahead.set(s, this.track(s, false));
      }
    }
  }

  private startWorker(): void {
    try {
      const w = new Worker(new URL('./loader-worker.js', import.meta.url), {
        workerData: {
          images: shared(this.data.images),
          labels: this.data.labels,
          classes: this.data.classes,
          size: this.data.size,
          opts: { ...this.opts, worker: false },
        },
      });
      w.unref();
      w.on('message', (m: { id?: number; ok?: boolean; batch?: Batch; message?: string }) => {
        if (m.id === undefined) return;
        const waiter = this.waiters.get(m.id);
        if (!waiter) return;
        this.waiters.delete(m.id);
        if (m.ok && m.batch) waiter.resolve(m.batch);
        else waiter.reject(new DataError(m.message ?? 'loader worker failed'));
      });
      const fail = (err: Error) => {
        // fall back to computing in this thread; requests in flight are recomputed here
        if (this.worker !== w) return;
        this.worker = null;
        const pending = [...this.waiters.entries()];
        this.waiters.clear();
        for (const [, waiter] of pending) waiter.reject(err);
        this.ahead.clear();
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (!this.closed) fail(new DataError(`loader: worker exited with code ${code}`));
      });
      this.worker = w;
    } catch {
      this.worker = null;
    }
  }

  private request(step: number, now: boolean): Promise<Batch> {
    const w = this.worker;
    if (w) {
      const id = this.nextId++;
      const p = new Promise<Batch>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
      w.postMessage({ id, step });
      return p;
    }
    if (now) return Promise.resolve(makeBatch(this.ctx, step));
    return new Promise<Batch>((resolve, reject) =>
      setImmediate(() => {
        try {
          resolve(makeBatch(this.ctx, step));
        } catch (err) {
          reject(err as Error);
        }
      }),
    );
  }

  private track(step: number, now: boolean): { p: Promise<Batch>; done: boolean } {
    const entry = { p: this.request(step, now), done: false };
    entry.p.then(
      () => (entry.done = true),
      () => (entry.done = true),
    );
    return entry;
  }

  async get(step: number): Promise<Batch> {
    if (this.closed) throw new DataError('loader: get() after close()');
    checkStep(this.plan, step);
    const t0 = performance.now();
    let entry = this.ahead.get(step);
    this.ahead.delete(step);
    if (!entry) entry = this.track(step, true);
    // keep the next `depth` steps in preparation; forget anything else
    for (const k of [...this.ahead.keys()]) if (k <= step || k > step + this.depth) this.ahead.delete(k);
    for (let s = step + 1; s <= step + this.depth; s++) {
      if (this.totalSteps !== null && s >= this.totalSteps) break;
      if (!this.ahead.has(s)) this.ahead.set(s, this.track(s, false));
    }
    let batch: Batch;
    const w = this.worker;
    if (!entry.done && w) {
      if (this.waiting++ === 0) w.ref();
      try {
        batch = await this.retry(entry.p, step);
      } finally {
        if (--this.waiting === 0) w.unref();
      }
    } else batch = await this.retry(entry.p, step);
    const waited = performance.now() - t0;
    const s = this.stats;
    if (s.calls === 0) s.firstWaitMs = waited;
    s.calls++;
    s.totalWaitMs += waited;
    if (waited > s.maxWaitMs) s.maxWaitMs = waited;
    return batch;
  }

  /** A batch lost with a failed worker is recomputed in this thread; real data errors propagate. */
  private async retry(p: Promise<Batch>, step: number): Promise<Batch> {
    try {
      return await p;
    } catch (err) {
      if (this.worker === null && !this.closed) return makeBatch(this.ctx, step);
      throw err;
    }
  }

  epochAt(step: number): number {
    return locate(this.plan, step).epoch;
  }

  phaseAt(step: number): number | null {
    return locate(this.plan, step).phase;
  }

  describe(): string {
    return describePlan(this.plan, this.data.classes);
  }

  waitStats(): WaitStats {
    return { ...this.stats };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ahead.clear();
    const w = this.worker;
    this.worker = null;
    for (const [, waiter] of this.waiters) waiter.reject(new DataError('loader: closed'));
    this.waiters.clear();
    if (w) await w.terminate();
  }
}

export function createLoader(data: LabeledImages, opts: LoaderOptions): Loader {
  return new BatchLoader(data, opts);
}
