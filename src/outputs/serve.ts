// `pegasus serve`: the page's HTTP server (node:http). Read-only: GET and HEAD only. It serves the
// page's own assets (the esbuild bundle, uPlot's CSS, tfjs's .wasm files), the files of the run
// folders it was given, the models folder and the classifier, and nothing else; paths go through
// serve-paths.ts. Live updates are server-sent events from polling each run's files.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogTail } from './log-tail.js';
import type { PageIndex, RunEvents } from './page-api.js';
import { listModels, listRuns, namedRoots, runDir, type Root } from './run-index.js';
import { resolveInside, safeSegments } from './serve-paths.js';

/** dist/page, where `npm run build` puts the bundle (this file is dist/outputs/serve.js). */
export const PAGE_ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'page');

export interface ServeOptions {
  /** Run folders (each a run or a folder of runs). */
  runs: string[];
  /** Shipped checkpoints; skipped when absent. */
  models?: string;
  /** The classifier of the pegasus score; the page says "score unavailable" when absent. */
  classifier?: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  assets?: string;
  /** Run id the page opens first (train --serve). */
  follow?: string;
  /** Poll interval of the live view in ms. */
  pollMs?: number;
}

export interface PageServer {
  url: string;
  roots: Root[];
  /** Tells the live view of a run folder that a step is done (train --serve calls it every step). */
  notifyStep(dir: string, step: number): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.jsonl': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8', '.ckpt': 'application/octet-stream', '.map': 'application/json',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string | null): void {
  if (!file) return send(res, 404, 'not found\n');
  const st = fs.statSync(file);
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': st.size, 'Cache-Control': 'no-cache' });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/** Loopback servers answer only to loopback host names, so a DNS-rebinding page cannot read runs. */
function hostAllowed(req: http.IncomingMessage, loopback: boolean): boolean {
  if (!loopback) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export async function startPageServer(o: ServeOptions): Promise<PageServer> {
  const host = o.host ?? '127.0.0.1';
  const assets = o.assets ?? PAGE_ASSETS;
  if (!fs.existsSync(path.join(assets, 'index.html'))) throw new Error(`${assets}: no page bundle here; run \`npm run build\``);
  const all = namedRoots([...o.runs, ...(o.models && fs.existsSync(o.models) ? [o.models] : [])]);
  const runRoots = all.slice(0, o.runs.length);
  const modelsRoot = all[o.runs.length] ?? null;
  const classifier = o.classifier && fs.existsSync(o.classifier) ? path.resolve(o.classifier) : null;
  const live = new LiveRuns(runRoots, o.pollMs ?? 250);

  const index = (): PageIndex => ({
    runs: listRuns(runRoots),
    models: listModels(modelsRoot),
    classifier: classifier ? '/classifier.ckpt' : null,
    follow: o.follow ?? null,
  });

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'read-only\n');
    }
    if (!hostAllowed(req, isLoopback(host))) return send(res, 421, 'unexpected Host header\n');
    const [rawPath = '/', query = ''] = (req.url ?? '/').split('?');
    try {
      if (rawPath === '/' || rawPath === '/index.html') return sendFile(req, res, resolveInside(assets, ['index.html']));
      if (rawPath === '/api/index') return send(res, 200, JSON.stringify(index()), 'application/json');
      if (rawPath === '/api/events') return live.subscribe(new URLSearchParams(query).get('run') ?? '', req, res);
      if (rawPath === '/classifier.ckpt') return sendFile(req, res, classifier);
      const segs = safeSegments(rawPath);
      if (!segs) return send(res, 400, 'bad path\n');
      if (segs[0] === 'assets') return sendFile(req, res, resolveInside(assets, segs.slice(1)));
      if (segs[0] === 'files') {
        const root = all.find((r) => r.name === segs[1]);
        return sendFile(req, res, root ? resolveInside(root.dir, segs.slice(2)) : null);
      }
      return send(res, 404, 'not found\n');
    } catch (e) {
      return send(res, 500, `${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`${host}:${o.port ?? 8080}: cannot listen (${e.code ?? e.message})`)));
    server.listen(o.port ?? 8080, host, resolve);
  });
  const addr = server.address() as { port: number };
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${addr.port}/`,
    roots: runRoots,
    notifyStep: (dir, step) => live.step(dir, step),
    close: async () => {
      live.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Send = <K extends keyof RunEvents>(event: K, data: RunEvents[K]) => void;

/** Server-sent event streams of runs: one poller per connection over the run's files. */
class LiveRuns {
  private readonly clients = new Set<{ dir: string; send: Send; stop: () => void }>();

  constructor(private readonly roots: Root[], private readonly pollMs: number) {}

  subscribe(id: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const dir = runDir(this.roots, id);
    if (!dir) return send(res, 404, `no run ${id}\n`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const sendEvent: Send = (event, data) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const tail = new LogTail(path.join(dir, 'log.jsonl'));
    const seen = { config: -1, samples: -1, checkpoint: -1 };
    let first = true;
    const poll = () => {
      const mtime = (f: string) => { try { return fs.statSync(path.join(dir, f)).mtimeMs; } catch { return -1; } };
      const cfg = mtime('config.json');
      if (cfg !== seen.config && cfg >= 0) {
        seen.config = cfg;
        try { sendEvent('config', { config: JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown> }); } catch { /* mid-write: next poll */ seen.config = -1; }
      }
      const { rows, reset } = tail.poll();
      if (rows.length > 0 || reset || first) sendEvent('rows', { rows, reset: reset || first });
      first = false;
      for (const k of ['samples', 'checkpoint'] as const) {
        const m = mtime(k === 'samples' ? 'samples.png' : 'checkpoint.ckpt');
        if (m !== seen[k] && m >= 0) { seen[k] = m; sendEvent(k, { version: m }); }
      }
    };
    poll();
    const timer = setInterval(poll, this.pollMs);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15000);
    const client = { dir: path.resolve(dir), send: sendEvent, stop: () => { clearInterval(timer); clearInterval(beat); res.end(); } };
    this.clients.add(client);
    req.on('close', () => { clearInterval(timer); clearInterval(beat); this.clients.delete(client); });
  }

  step(dir: string, step: number): void {
    const d = path.resolve(dir);
    for (const c of this.clients) if (c.dir === d) c.send('step', { step });
  }

  close(): void {
    for (const c of this.clients) c.stop();
    this.clients.clear();
  }
}
