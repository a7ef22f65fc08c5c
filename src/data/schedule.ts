/**
 * Class-mixing schedules as pure functions of the global step: which pool (all classes, or one
 * class) a step draws from, in which epoch (pass over that pool), at which batch offset.
 *
 * - combined:  one pool of all picked images; epoch e = floor(step / stepsPerEpoch).
 * - alternate: one pool per class; epoch e covers one full pass over class e % nClasses; the
 *              passes have each class's own length (drop_last), so a cycle is their sum.
 * - phases:    phase i (1-based) draws from class (i-1) % nClasses for iterations[i-1] steps,
 *              restarting that class's loader (a new shuffle) at the phase start and whenever a
 *              pass runs out inside the phase; training ends after the last phase.
 *
 * Every pass is shuffled by its own permutation, seeded by (seed, epoch, pool); the batch
 * order inside a pass is the permutation cut into batches, the last partial batch dropped.
 */
import seedrandom from 'seedrandom';
import { DataError } from './errors.js';

export type Mixing = { kind: 'combined' } | { kind: 'alternate' } | { kind: 'phases'; iterations: number[] };

export interface Pool {
  name: string;
  /** the class this pool holds, or null for the combined pool */
  classIndex: number | null;
  /** indices into the data set */
  indices: Uint32Array;
  stepsPerPass: number;
}

export interface Plan {
  mixing: Mixing;
  batchSize: number;
  pools: Pool[];
  stepsPerEpoch: number;
  totalSteps: number | null;
  /** phases: first global step of each phase, and passes completed before it */
  phaseStarts: number[];
  passesBefore: number[];
  /** alternate: steps in one cycle over all classes, and the cumulative starts inside it */
  cycleSteps: number;
  cycleStarts: number[];
}

export interface Position {
  pool: number;
  epoch: number;
  /** 1-based phase, or null when not in phase mode */
  phase: number | null;
  /** batch offset inside the pass */
  offset: number;
}

export function buildPlan(labels: Uint8Array, classes: string[], batchSize: number, mixing: Mixing): Plan {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(`loader: batch size must be a positive integer, got ${batchSize}`);
  const n = labels.length;
  const perClass: number[][] = classes.map(() => []);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    const list = perClass[l];
    if (!list) throw new DataError(`loader: label ${l} at image ${i} is outside the ${classes.length} classes`);
    list.push(i);
  }
  const mk = (name: string, classIndex: number | null, idx: number[]): Pool => {
    const stepsPerPass = Math.floor(idx.length / batchSize);
    if (stepsPerPass < 1) {
      throw new DataError(`loader: ${name === 'all' ? 'the data set' : `class "${name}"`} has ${idx.length} images, fewer than one batch of ${batchSize}`);
    }
    return { name, classIndex, indices: Uint32Array.from(idx), stepsPerPass };
  };
  const plan: Plan = {
    mixing,
    batchSize,
    pools: [],
    stepsPerEpoch: 0,
    totalSteps: null,
    phaseStarts: [],
    passesBefore: [],
    cycleSteps: 0,
    cycleStarts: [],
  };
  if (mixing.kind === 'combined') {
    plan.pools = [mk('all', null, Array.from({ length: n }, (_, i) => i))];
    plan.stepsPerEpoch = plan.pools[0]!.stepsPerPass;
    return plan;
  }
  plan.pools = classes.map((c, i) => mk(c, i, perClass[i]!));
  plan.stepsPerEpoch = Math.round(plan.pools.reduce((s, p) => s + p.stepsPerPass, 0) / plan.pools.length);
  if (mixing.kind === 'alternate') {
    let s = 0;
    for (const p of plan.pools) {
      plan.cycleStarts.push(s);
      s += p.stepsPerPass;
    }
    plan.cycleSteps = s;
    return plan;
  }
  if (mixing.kind === 'phases') {
    const its = mixing.iterations;
    if (!Array.isArray(its) || its.length === 0 || its.some((x) => !Number.isInteger(x) || x < 0)) {
      throw new DataError(`loader: phase iterations must be a non-empty list of non-negative integers, got ${JSON.stringify(its)}`);
    }
    let start = 0;
    let passes = 0;
    for (const [i, it] of its.entries()) {
      plan.phaseStarts.push(start);
      plan.passesBefore.push(passes);
      start += it;
      passes += Math.ceil(it / plan.pools[i % plan.pools.length]!.stepsPerPass);
    }
    if (start === 0) throw new DataError('loader: phase iterations sum to 0 steps');
    plan.totalSteps = start;
    return plan;
  }
  throw new DataError(`loader: unknown mixing ${JSON.stringify(mixing)}`);
}

export function checkStep(plan: Plan, step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new DataError(`loader: step must be a non-negative integer, got ${step}`);
  if (plan.totalSteps !== null && step >= plan.totalSteps) {
    throw new DataError(`loader: step ${step} is past the end of the phase schedule (${plan.totalSteps} steps)`);
  }
}

export function locate(plan: Plan, step: number): Position {
  checkStep(plan, step);
  const m = plan.mixing;
  if (m.kind === 'combined') {
    const spe = plan.pools[0]!.stepsPerPass;
    return { pool: 0, epoch: Math.floor(step / spe), phase: null, offset: step % spe };
  }
  if (m.kind === 'alternate') {
    const cycle = Math.floor(step / plan.cycleSteps);
    const r = step - cycle * plan.cycleSteps;
    let k = plan.pools.length - 1;
    while (plan.cycleStarts[k]! > r) k--;
    return { pool: k, epoch: cycle * plan.pools.length + k, phase: null, offset: r - plan.cycleStarts[k]! };
  }
  // phases: last phase whose start <= step and which has iterations
  let i = plan.phaseStarts.length - 1;
  while (i > 0 && (plan.phaseStarts[i]! > step || m.iterations[i] === 0)) i--;
  const pool = i % plan.pools.length;
  const local = step - plan.phaseStarts[i]!;
  const spp = plan.pools[pool]!.stepsPerPass;
  return { pool, epoch: plan.passesBefore[i]! + Math.floor(local / spp), phase: i + 1, offset: local % spp };
}

/** The shuffle of one pass: a permutation of 0..n-1 from (seed, epoch, pool name). */
export function permutation(seed: number, epoch: number, poolName: string, n: number): Uint32Array {
  const rng = seedrandom(`pegasus:perm:${seed}:${epoch}:${poolName}`);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Horizontal-flip decisions for the images of one step's batch. */
export function flips(seed: number, step: number, batchSize: number): Uint8Array {
  const rng = seedrandom(`pegasus:flip:${seed}:${step}`);
  const f = new Uint8Array(batchSize);
  for (let i = 0; i < batchSize; i++) f[i] = rng() < 0.5 ? 1 : 0;
  return f;
}

export function describePlan(plan: Plan, classes: string[]): string {
  const m = plan.mixing;
  if (m.kind === 'combined') {
    const p = plan.pools[0]!;
    return `combined: ${classes.join('+')} ${p.indices.length} images, ${p.stepsPerPass} steps/epoch of ${plan.batchSize}`;
  }
  if (m.kind === 'alternate') {
    return `alternate: ${plan.pools.map((p) => `${p.name} ${p.stepsPerPass} steps/epoch`).join(', ')} (batch ${plan.batchSize})`;
  }
  const parts = m.iterations.map((it, i) => `${i + 1}:${plan.pools[i % plan.pools.length]!.name} ${it}`);
  return `phases: ${parts.join(', ')} steps (total ${plan.totalSteps}, batch ${plan.batchSize})`;
}
