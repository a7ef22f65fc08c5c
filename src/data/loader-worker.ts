/** Worker thread of the loader: holds the images (shared memory) and prepares batches on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { createBatchContext, makeBatch, type LoaderOptions } from './batch.js';

interface Init {
  images: Uint8Array;
  labels: Uint8Array;
  classes: string[];
  size: number;
  opts: LoaderOptions;
}

const init = workerData as Init;
const ctx = createBatchContext(init.images, init.labels, init.classes, init.size, init.opts);
const port = parentPort!;

port.on('message', (m: { id: number; step: number }) => {
  try {
    const b = makeBatch(ctx, m.step);
    port.postMessage({ id: m.id, ok: true, batch: b }, [b.x.buffer as ArrayBuffer, b.labels.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' });
  }
});
port.postMessage({ ready: true });
