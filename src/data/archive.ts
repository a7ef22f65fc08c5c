/**
 * Safe reading and extraction of .tar.gz archives with the `tar` package. Every entry is checked
 * before anything is written: no absolute path, no `..` segment, no link pointing outside the
 * target folder, no device or FIFO entries. Extraction goes to a temporary sibling folder that
 * is renamed into place only when the whole archive came out intact.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { DataError, reason } from './errors.js';
import { tempNameFor } from './fsutil.js';

const OK_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** Returns a problem description for an entry, or null if it is safe to extract. */
export function entryProblem(entryPath: string, type: string, linkpath?: string): string | null {
  const p = entryPath.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || path.isAbsolute(entryPath)) return `entry "${entryPath}" has an absolute path`;
  if (p.split('/').includes('..')) return `entry "${entryPath}" contains ".." and would land outside the target folder`;
  if (!OK_TYPES.has(type)) return `entry "${entryPath}" has unsupported type ${type}`;
  if (type === 'SymbolicLink' || type === 'Link') {
    const l = (linkpath ?? '').replace(/\\/g, '/');
    if (l === '' || l.startsWith('/') || /^[A-Za-z]:/.test(l)) return `entry "${entryPath}" links to "${linkpath ?? ''}", outside the target folder`;
    // symlinks resolve against their own folder, hard links against the archive root
    const base = type === 'SymbolicLink' ? path.posix.dirname(p) : '.';
    const target = path.posix.normalize(path.posix.join(base, l));
    if (target === '..' || target.startsWith('../')) return `entry "${entryPath}" links to "${linkpath}", outside the target folder`;
  }
  return null;
}

function archiveError(archive: string, err: unknown): DataError {
  if (err instanceof DataError) return err;
  const r = reason(err);
  const what = /unexpected end|TAR_ABORTED|truncated|Z_BUF_ERROR/i.test(r)
    ? 'truncated archive'
    : /incorrect header|TAR_BAD_ARCHIVE|invalid|unrecognized|Z_DATA_ERROR|checksum/i.test(r)
      ? 'corrupt archive'
      : 'cannot read archive';
  return new DataError(`${archive}: ${what} (${r})`, { file: archive, cause: err });
}

interface Listed {
  path: string;
  type: string;
  size: number;
}

/**
 * Walk all entries. `onFile` receives the body of regular files it asks for (keep returns true).
 * Throws a DataError on the first unsafe entry, or if the archive is truncated or corrupt.
 */
async function walk(archive: string, keep?: (entryPath: string) => boolean): Promise<{ entries: Listed[]; bodies: Map<string, Buffer> }> {
  const entries: Listed[] = [];
  const bodies = new Map<string, Buffer>();
  let problem: string | null = null;
  const pending: Promise<void>[] = [];
  try {
    await fsp.access(archive);
  } catch (err) {
    throw new DataError(`${archive}: archive not found (${reason(err)})`, { file: archive, cause: err });
  }
  try {
    await tar.t({
      file: archive,
      strict: true,
      onReadEntry: (entry) => {
        const pr = entryProblem(entry.path, entry.type, entry.linkpath);
        if (pr && !problem) problem = pr;
        entries.push({ path: entry.path, type: entry.type, size: entry.size });
        if (!pr && keep && (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') && keep(entry.path)) {
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          pending.push(
            new Promise<void>((resolve) => {
              entry.on('end', () => {
                bodies.set(entry.path, Buffer.concat(chunks));
                resolve();
              });
            }),
          );
        }
      },
    });
  } catch (err) {
    throw archiveError(archive, err);
  }
  await Promise.all(pending);
  if (problem) throw new DataError(`${archive}: ${problem}`, { file: archive });
  for (const e of entries) {
    const b = bodies.get(e.path);
    if (b && b.length !== e.size) throw new DataError(`${archive}: truncated archive (entry "${e.path}" has ${b.length} of ${e.size} bytes)`, { file: archive });
  }
  return { entries, bodies };
}

/** Check every entry of the archive; returns the list. Throws DataError on unsafe entries or damage. */
export async function listArchive(archive: string): Promise<Listed[]> {
  return (await walk(archive)).entries;
}

/** Read the bodies of the regular-file entries selected by `keep` into memory (after checking all entries). */
export async function readArchiveFiles(archive: string, keep: (entryPath: string) => boolean): Promise<Map<string, Buffer>> {
  return (await walk(archive, keep)).bodies;
}

/**
 * Extract `archive` into `destDir`. Entries are checked first; extraction goes to a temporary
 * folder next to `destDir`; then each top-level item is moved into `destDir`, replacing an older
 * item of the same name. Returns the top-level names.
 */
export async function extractArchive(archive: string, destDir: string): Promise<string[]> {
  await listArchive(archive);
  await fsp.mkdir(destDir, { recursive: true });
  const tmp = tempNameFor(path.join(destDir, 'extract'));
  await fsp.mkdir(tmp, { recursive: true });
  try {
    let problem: string | null = null;
    try {
      await tar.x({
        file: archive,
        cwd: tmp,
        strict: true,
        preservePaths: false,
        preserveOwner: false,
        filter: (p, entry) => {
          const e = entry as tar.ReadEntry;
          const pr = entryProblem(p, e.type ?? 'File', e.linkpath);
          if (pr && !problem) problem = pr;
          return pr === null;
        },
      });
    } catch (err) {
      throw archiveError(archive, err);
    }
    if (problem) throw new DataError(`${archive}: ${problem}`, { file: archive });
    const names = (await fsp.readdir(tmp)).sort();
    for (const name of names) {
      const target = path.join(destDir, name);
      await fsp.rm(target, { recursive: true, force: true });
      await fsp.rename(path.join(tmp, name), target);
    }
    return names;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
