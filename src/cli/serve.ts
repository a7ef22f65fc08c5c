// `pegasus serve`: the browser page over run folders (live curves, samples, the generator).
import path from 'node:path';
import { defineCommand } from 'citty';
import { DEFAULT_CLASSIFIER } from '../evaluation/run-eval.js';
import { isLoopback, startPageServer, type PageServer } from '../outputs/serve.js';

export const serveArgs = {
  host: { type: 'string', default: '127.0.0.1', description: 'address to bind (the page is read-only; other than loopback exposes your runs to the network)' },
  port: { type: 'string', default: '8080', description: 'port (0 = any free port)' },
} as const;

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port ${v}: expected an integer in [0, 65535]`);
  return n;
}

/** Starts the page server and says where it is; a non-loopback host gets a warning line. */
export async function servePage(o: Parameters<typeof startPageServer>[0], follow?: string): Promise<PageServer> {
  const server = await startPageServer(o);
  const run = follow ? `?run=${encodeURIComponent(follow)}` : '';
  console.log(`page: ${server.url}${run} (serving ${o.runs.join(', ')}; Ctrl-C stops it)`);
  if (!isLoopback(o.host ?? '127.0.0.1')) console.log(`page: bound to ${o.host}: anyone who can reach this address can read these runs`);
  return server;
}

/** Keeps the process alive until Ctrl-C / SIGTERM, then closes the server. */
export function serveUntilStopped(server: PageServer): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Open the browser page: live training curves and samples of run folders, and the generator in the browser' },
  args: {
    runs: { type: 'positional', required: false, description: 'run folders, or folders of runs (default: runs)' },
    ...serveArgs,
    models: { type: 'string', default: 'models', description: 'folder of shipped checkpoints' },
    classifier: { type: 'string', default: DEFAULT_CLASSIFIER, description: 'classifier for the pegasus score' },
  },
  async run({ args }) {
    const dirs = args._.length > 0 ? args._.map(String) : ['runs'];
    const server = await servePage({ runs: dirs.map((d) => path.normalize(d)), models: args.models, classifier: args.classifier, host: args.host, port: parsePort(args.port) });
    await serveUntilStopped(server);
  },
});
