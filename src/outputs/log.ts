// The training log: one JSON object per line (JSONL), appended after every logged step. A crash can
// leave a partial last line; readers ignore it and the next append drops it. Non-finite numbers are
// written as null (JSON has no NaN) and read back as NaN.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic.js';

export interface TrainLogRow {
  /** Global training step (one D update + one G update), counted from 0 or 1 as the trainer does. */
  step: number;
  epoch: number;
  /** Loss_D = lossDReal + lossDFake, as printed by the PyTorch DCGAN example. */
  lossD: number;
  lossDReal: number;
  lossDFake: number;
  lossG: number;
  /** Mean D(x) on the real batch. */
  dx: number;
  /** Mean D(G(z)) before the D update (on the fake batch D was trained on). */
  dgz1: number;
  /** Mean D(G(z)) after the D update (in the G step). */
  dgz2: number;
  /** Wall-clock time as recorded by the trainer. */
  time: number;
  /** Evaluation metrics measured at this step, e.g. { cifarFid: 48.2 }. */
  metrics?: Record<string, number>;
}

const NUMERIC_FIELDS = ['step', 'epoch', 'lossD', 'lossDReal', 'lossDFake', 'lossG', 'dx', 'dgz1', 'dgz2', 'time'] as const;

// Files whose tail this process has already checked (or written itself), keyed by absolute path.
const checked = new Set<string>();

/** Appends one row (a GAN's TrainLogRow or any other JSON object) as a JSON line, creating the directory and dropping a partial last line left by a crash. */
export function appendLogRow(file: string, row: TrainLogRow | Record<string, unknown>): void {
  const key = path.resolve(file);
  if (!checked.has(key)) {
    fs.mkdirSync(path.dirname(key), { recursive: true });
    dropPartialTail(key);
    checked.add(key);
  }
  const line = JSON.stringify(row) + '\n';
  try {
    fs.appendFileSync(key, line);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(key), { recursive: true }); // the folder was removed since the first append
    fs.appendFileSync(key, line);
  }
}

/** If the file does not end in a newline, cut it back to just after its last newline. */
function dropPartialTail(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = fs.readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        if (start + nl + 1 !== size) fs.ftruncateSync(fd, start + nl + 1);
        return;
      }
      end = start;
    }
    if (size > 0) fs.ftruncateSync(fd, 0); // one partial line and nothing else
  } finally {
    fs.closeSync(fd);
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : v === null ? NaN : undefined);

/** Validates one parsed line of a GAN log; returns an error message or the row. */
export function checkLogRow(v: unknown): TrainLogRow | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  const row: Partial<TrainLogRow> = {};
  for (const k of NUMERIC_FIELDS) {
    const x = num(o[k]);
    if (x === undefined) return `field "${k}" is ${o[k] === undefined ? 'missing' : 'not a number'}`;
    row[k] = x;
  }
  if (!Number.isFinite(row.step)) return 'field "step" is not finite';
  if (o.metrics !== undefined && o.metrics !== null) {
    if (typeof o.metrics !== 'object' || Array.isArray(o.metrics)) return 'field "metrics" is not an object';
    const m: Record<string, number> = {};
    for (const [k, mv] of Object.entries(o.metrics)) {
      const x = num(mv);
      if (x === undefined) return `metric "${k}" is not a number`;
      m[k] = x;
    }
    row.metrics = m;
  }
  return row as TrainLogRow;
}

interface ParsedLine<T> { row: T; text: string }

/** Row check for logs other than a GAN's (the classifier's): any JSON object with a finite step. */
export function stepRow(v: unknown): { step: number } | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const step = (v as Record<string, unknown>).step;
  return typeof step === 'number' && Number.isFinite(step) ? (v as { step: number }) : 'field "step" is missing or not finite';
}

/**
 * Parses log text. The last line may be partial (no newline and not valid): it is ignored.
 * Any other bad line throws an error naming file and line.
 */
function parseLog<T>(file: string, text: string, check: (v: unknown) => T | string): ParsedLine<T>[] {
  const lines = text.split('\n');
  const out: ParsedLine<T>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const isTail = i === lines.length - 1; // text after the last newline
    let row: T | string;
    try {
      row = check(JSON.parse(line));
    } catch (err) {
      row = `invalid JSON (${(err as Error).message})`;
    }
    if (typeof row === 'string') {
      if (isTail) break;
      throw new Error(`${file}:${i + 1}: corrupt training log line: ${row}`);
    }
    out.push({ row, text: line });
  }
  return out;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** All rows of a log, in file order; [] if the file does not exist. */
export function readLog(file: string): TrainLogRow[] {
  const text = readText(file);
  return text === undefined ? [] : parseLog(file, text, checkLogRow).map((p) => p.row);
}

/**
 * Atomically rewrites the log keeping only rows with row.step <= step (lines kept verbatim), e.g.
 * when resuming from a checkpoint older than the log. A missing file is left missing.
 */
export function truncateLogAfter(file: string, step: number, check: (v: unknown) => { step: number } | string = checkLogRow): { kept: number; dropped: number } {
  const text = readText(file);
  if (text === undefined) return { kept: 0, dropped: 0 };
  const parsed = parseLog(file, text, check);
  const keep = parsed.filter((p) => p.row.step <= step);
  writeFileAtomicSync(file, keep.map((p) => p.text + '\n').join(''));
  checked.add(path.resolve(file)); // ends in a newline now
  return { kept: keep.length, dropped: parsed.length - keep.length };
}
