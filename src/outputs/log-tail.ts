// Following a run's log.jsonl as it grows: each poll returns the complete lines appended since the
// last one. A file that shrank (a resumed run cut its log back) or was replaced starts over, with
// `reset` set. Lines that do not parse are skipped: a live view should not die on one bad line.
import fs from 'node:fs';
import { checkLogRow, type TrainLogRow } from './log.js';

export class LogTail {
  private offset = 0;
  private ino = -1;
  private partial = '';

  constructor(readonly file: string) {}

  poll(): { rows: TrainLogRow[]; reset: boolean } {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      const reset = this.offset > 0;
      this.restart(-1);
      return { rows: [], reset };
    }
    let reset = false;
    if (st.ino !== this.ino || st.size < this.offset) {
      reset = this.offset > 0 || this.ino !== -1;
      this.restart(st.ino);
    }
    if (st.size === this.offset) return { rows: [], reset };
    const fd = fs.openSync(this.file, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(st.size - this.offset);
      const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      text = this.partial + buf.toString('utf8', 0, n);
    } finally {
      fs.closeSync(fd);
    }
    const lines = text.split('\n');
    this.partial = lines.pop()!; // after the last newline: not complete yet
    return { rows: lines.flatMap((l) => parseLine(l)), reset };
  }

  private restart(ino: number): void {
    this.offset = 0;
    this.partial = '';
    this.ino = ino;
  }
}

function parseLine(line: string): TrainLogRow[] {
  if (line.trim() === '') return [];
  try {
    const row = checkLogRow(JSON.parse(line));
    return typeof row === 'string' ? [] : [row];
  } catch {
    return [];
  }
}
