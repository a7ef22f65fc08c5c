// Training progress: a cli-progress bar on a TTY; plain lines every N steps / seconds otherwise
// (CI logs, files, pipes). Elapsed time and ETA count only the steps done in this process, so a
// resumed run does not claim the speed of steps it loaded from a checkpoint.
import cliProgress from 'cli-progress';

/** One number shown in the progress line; `short` names it on narrow terminals. */
export interface ProgressMetric { name: string; short: string; value: number }

/** The epoch and groups of metrics (groups are separated by ' | ' on the bar). */
export interface TrainProgressFields {
  epoch: number;
  groups: ProgressMetric[][];
}

/** A GAN step's numbers, as the seed printed them. */
export function ganProgressFields(epoch: number, s: { lossD: number; lossG: number; dx: number; dgz: number }): TrainProgressFields {
  return {
    epoch,
    groups: [
      [{ name: 'Loss_D', short: 'D', value: s.lossD }, { name: 'Loss_G', short: 'G', value: s.lossG }],
      [{ name: 'D(x)', short: 'D(x)', value: s.dx }, { name: 'D(G(z))', short: 'D(G(z))', value: s.dgz }],
    ],
  };
}

const metricText = (m: ProgressMetric, short = false) => `${short ? m.short : m.name} ${fmt4(m.value)}`;

export interface TrainProgress {
  /** `step` = steps completed so far in the whole run (startStep..total). */
  update(step: number, fields: TrainProgressFields): void;
  /** Prints a message line without garbling the bar. */
  log(line: string): void;
  /** Final line / newline; stops the bar's redraw timer. Idempotent. */
  stop(): void;
}

/** The part of a writable stream this needs (process.stdout satisfies it). */
export interface ProgressStream {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface TrainProgressOptions {
  /** Default process.stdout. */
  stream?: ProgressStream;
  /** Force the bar (true) or plain lines (false); default stream.isTTY. */
  tty?: boolean;
  /** Plain mode: print at least every this many steps; default ceil(total / 20). */
  plainEverySteps?: number;
  /** Plain mode: and at least every this many seconds; default 30. */
  plainEverySeconds?: number;
  /** Clock in milliseconds (tests); default performance.now. */
  now?: () => number;
}

/** 75 -> "01:15", 3725 -> "1:02:05", 90061 -> "1d 01:01:01"; non-finite -> "--:--". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  let s = Math.round(seconds);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const p2 = (v: number) => String(v).padStart(2, '0');
  if (d > 0) return `${d}d ${p2(h)}:${p2(m)}:${p2(s)}`;
  if (h > 0) return `${h}:${p2(m)}:${p2(s)}`;
  return `${p2(m)}:${p2(s)}`;
}

/** 4 decimals; NaN/Infinity spelled out short. */
export function fmt4(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

export interface ProgressState {
  step: number;
  total: number;
  fields: TrainProgressFields;
  /** Seconds since this process started training. */
  elapsed: number;
  /** Seconds per step measured in this process, NaN before the first step. */
  secPerStep: number;
}

/** Elapsed and ETA from the steps done in this process: ETA = (total - step) * secPerStep. */
export function etaSeconds(st: ProgressState): number {
  return Number.isFinite(st.secPerStep) ? Math.max(0, st.total - st.step) * st.secPerStep : NaN;
}

function rate(secPerStep: number): string {
  if (!Number.isFinite(secPerStep)) return '-- s/step';
  return secPerStep >= 1 ? `${secPerStep.toFixed(2)} s/step` : `${(secPerStep * 1000).toFixed(0)} ms/step`;
}

function epochStr(e: number): string {
  return Number.isInteger(e) ? String(e) : e.toFixed(2);
}

function pct(st: ProgressState): string {
  return st.total > 0 ? ((100 * st.step) / st.total).toFixed(1) : '100.0';
}

/** The status text after the bar (also the body of plain lines). */
export function formatStatus(st: ProgressState): string {
  const f = st.fields;
  const groups = f.groups.map((g) => ` | ${g.map((m) => metricText(m)).join(' ')}`).join('');
  return `${st.step}/${st.total} ${pct(st)}% | epoch ${epochStr(f.epoch)}${groups}`
    + ` | ${formatDuration(st.elapsed)}<${formatDuration(etaSeconds(st))} ${rate(st.secPerStep)}`;
}

/** A plain progress line (non-TTY). */
export function formatPlainLine(st: ProgressState): string {
  const f = st.fields;
  const metrics = f.groups.flat().map((m) => ` | ${metricText(m)}`).join('');
  return `[${String(st.step).padStart(String(st.total).length)}/${st.total} ${pct(st).padStart(5)}%] epoch ${epochStr(f.epoch)}${metrics}`
    + ` | elapsed ${formatDuration(st.elapsed)} | ETA ${formatDuration(etaSeconds(st))} | ${rate(st.secPerStep)}`;
}

const BAR = 24;

/** Short status for narrow terminals; times come first so truncation never hides the ETA. */
export function formatCompactStatus(st: ProgressState): string {
  const f = st.fields;
  return `${st.step}/${st.total} ${pct(st)}% ${formatDuration(st.elapsed)}<${formatDuration(etaSeconds(st))}`
    + ` | e${epochStr(f.epoch)} ${f.groups.flat().map((m) => metricText(m, true)).join(' ')}`;
}

function barLine(st: ProgressState, width: number): string {
  const starting = st.fields === NO_FIELDS;
  const status = starting ? `${st.step}/${st.total} ${pct(st)}% | starting` : formatStatus(st);
  const frac = st.total > 0 ? Math.min(1, Math.max(0, st.step / st.total)) : 1;
  const full = Math.round(frac * BAR);
  const line = `${'\u2588'.repeat(full)}${'\u2591'.repeat(BAR - full)} ${status}`;
  const max = Math.max(20, width - 1);
  if (line.length <= max) return line;
  if (status.length <= max) return status;
  const compact = starting ? status : formatCompactStatus(st);
  return compact.slice(0, max);
}

const NO_FIELDS: TrainProgressFields = { epoch: 0, groups: [] };

/** Progress display for steps startStep..total. */
export function createTrainProgress(total: number, startStep: number, opts: TrainProgressOptions = {}): TrainProgress {
  const stream: ProgressStream = opts.stream ?? process.stdout;
  const tty = opts.tty ?? stream.isTTY === true;
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const st: ProgressState = { step: startStep, total, fields: NO_FIELDS, elapsed: 0, secPerStep: NaN };
  let stopped = false;

  const refresh = (step: number, fields: TrainProgressFields) => {
    st.step = step;
    st.fields = fields;
    st.elapsed = (now() - t0) / 1000;
    const done = step - startStep;
    st.secPerStep = done > 0 ? st.elapsed / done : NaN;
  };

  if (tty) {
    const bar = new cliProgress.SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: (_o, params) => barLine(st, params.maxWidth),
      fps: 5,
      forceRedraw: true, // redraw after log() cleared the line
      hideCursor: false,
      gracefulExit: false,
    });
    bar.start(total, startStep);
    return {
      update(step, fields) {
        if (stopped) return;
        refresh(step, fields);
        bar.update(step);
      },
      log(line) {
        if (stopped) { stream.write(line + '\n'); return; }
        stream.write('\r\x1b[2K' + line + '\n');
        bar.render();
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }

  const everySteps = opts.plainEverySteps ?? Math.max(1, Math.ceil(total / 20));
  const everyMs = (opts.plainEverySeconds ?? 30) * 1000;
  let lastStep = -Infinity, lastMs = -Infinity, printedStep = NaN;
  const print = () => {
    stream.write(formatPlainLine(st) + '\n');
    lastStep = st.step; lastMs = now(); printedStep = st.step;
  };
  return {
    update(step, fields) {
      if (stopped) return;
      refresh(step, fields);
      if (step - lastStep >= everySteps || now() - lastMs >= everyMs || step >= total) print();
    },
    log(line) {
      stream.write(line + '\n');
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (st.fields !== NO_FIELDS && printedStep !== st.step) print(); // the last state, if not shown yet
    },
  };
}
