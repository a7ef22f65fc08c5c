// Turning a request path into a file the page server may read, or refusing it. The path is split
// on "/" before decoding, so an encoded slash cannot create a segment; each segment is decoded
// once and refused when it is empty, "." or "..", hidden, or still holds "%" (double encoding),
// "\" or NUL. The file's real path (symlinks resolved) must lie inside the root's real path.
import fs from 'node:fs';
import path from 'node:path';

/** The decoded segments of a raw URL path (query already removed), or null if any is unsafe. */
export function safeSegments(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  const parts = rawPath.slice(1).split('/');
  const out: string[] = [];
  for (const raw of parts) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null; // malformed escape
    }
    if (seg === '' || seg === '.' || seg === '..' || seg.startsWith('.')) return null;
    if (/[%/\\\0]/.test(seg) || /[\u0000-\u001f]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

/** The real path of root/segments if it is a regular file inside root's real path, else null. */
export function resolveInside(root: string, segments: string[]): string | null {
  if (segments.length === 0) return null;
  let realRoot: string, real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(path.join(root, ...segments));
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot + path.sep)) return null; // symlink out of the root
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
