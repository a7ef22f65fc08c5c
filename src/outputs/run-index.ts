// The run folders the page server was given, and the shipped checkpoints: what /api/index lists.
// A folder given is a root; it is a run itself when it holds a GAN config.json, and each of its
// sub-folders that holds one is a run too.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelInfo, RunInfo } from './page-api.js';

export interface Root { name: string; dir: string }

/** Root names from folder names, made unique ("runs", "runs-2"), URL-safe. */
export function namedRoots(dirs: string[]): Root[] {
  const used = new Set<string>();
  return dirs.map((dir) => {
    const base = path.basename(path.resolve(dir)).replace(/[^\w-]/g, '_') || 'root';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return { name, dir: path.resolve(dir) };
  });
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A GAN run's config: it has a model (the classifier's run folder has none). */
function ganConfig(dir: string): Record<string, unknown> | null {
  const c = readJson(path.join(dir, 'config.json'));
  return c && typeof c.model === 'object' ? c : null;
}

function runInfo(root: Root, rel: string, config: Record<string, unknown>): RunInfo {
  const dir = path.join(root.dir, rel);
  const id = rel ? `${root.name}/${rel}` : root.name;
  return {
    id, files: `/files/${id.split('/').map(encodeURIComponent).join('/')}/`, config,
    hasCheckpoint: fs.existsSync(path.join(dir, 'checkpoint.ckpt')),
    hasSamples: fs.existsSync(path.join(dir, 'samples.png')),
  };
}

export function listRuns(roots: Root[]): RunInfo[] {
  const out: RunInfo[] = [];
  for (const root of roots) {
    const own = ganConfig(root.dir);
    if (own) out.push(runInfo(root, '', own));
    let names: string[] = [];
    try {
      names = fs.readdirSync(root.dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
    } catch {
      continue; // a root that does not exist (yet) lists nothing
    }
    for (const name of names) {
      const c = ganConfig(path.join(root.dir, name));
      if (c) out.push(runInfo(root, name, c));
    }
  }
  return out;
}

/** The directory of a run id from the listing (ids come from listRuns, never from a raw path). */
export function runDir(roots: Root[], id: string): string | null {
  const run = listRuns(roots).find((r) => r.id === id);
  if (!run) return null;
  const [rootName, ...rest] = id.split('/');
  const root = roots.find((r) => r.name === rootName)!;
  return path.join(root.dir, ...rest);
}

/** The kind of a checkpoint from its JSON header alone (the tensors are not read). */
export function checkpointKind(file: string): ModelInfo['kind'] {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(12);
    if (fs.readSync(fd, head, 0, 12, 0) < 12 || head.toString('latin1', 0, 8) !== 'PGSCKPT1') return 'other';
    const len = head.readUInt32LE(8);
    const json = Buffer.alloc(Math.min(len, 16 << 20));
    fs.readSync(fd, json, 0, json.length, 12);
    const meta = (JSON.parse(json.toString('utf8')) as { meta?: { kind?: unknown; config?: { model?: unknown } } }).meta;
    return meta?.kind === 'classifier' ? 'classifier' : meta?.config?.model ? 'generator' : 'other';
  } catch {
    return 'other';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The checkpoints of the models folder (served under /files/<root>/). */
export function listModels(root: Root | null): ModelInfo[] {
  if (!root) return [];
  let files: string[] = [];
  try {
    files = fs.readdirSync(root.dir).filter((f) => f.endsWith('.ckpt') && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
  return files.map((f) => ({ name: f, url: `/files/${root.name}/${encodeURIComponent(f)}`, kind: checkpointKind(path.join(root.dir, f)) }));
}
