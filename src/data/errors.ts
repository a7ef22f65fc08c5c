/**
 * Every problem with data on disk or on the wire is reported as a DataError whose message is
 * one line naming the file (or address) and the problem. The CLI prints the message and exits 1.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** The file, folder or address the problem is about. */
  readonly file: string | undefined;
  constructor(message: string, options?: { file?: string; cause?: unknown }) {
    super(oneLine(message), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.file = options?.file;
  }
}

/** Collapse whitespace and newlines so a message stays on one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The first line of an unknown error's message, for embedding in a DataError. */
export function reason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const msg = oneLine(err.message || String(err));
    return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return oneLine(String(err));
}

/** Is this a "no such file" error? */
export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
