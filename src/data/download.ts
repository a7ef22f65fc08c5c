/**
 * download(url, dest, md5): http(s) GET into a temporary file next to `dest`, MD5 checked while
 * streaming, renamed into place only when complete and correct. A cut connection, a timeout or
 * a bad status leaves no file behind; network failures are retried.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError, reason } from './errors.js';
import { statOrNull, tempNameFor } from './fsutil.js';

export interface DownloadOptions {
  /** extra attempts after a network failure (default 2) */
  retries?: number;
  /** delay before the first retry, doubled each time (default 1000 ms) */
  retryDelayMs?: number;
  /** no bytes for this long aborts the attempt (default 30 s) */
  timeoutMs?: number;
  maxRedirects?: number;
  log?: (line: string) => void;
}

export async function md5File(file: string): Promise<string> {
  const h = createHash('md5');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

class HttpStatusError extends DataError {}
class ChecksumError extends DataError {}

function get(url: string, timeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new DataError(`${url}: not a valid URL`, { file: url }));
      return;
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) {
      reject(new DataError(`${url}: only http and https addresses are supported`, { file: url }));
      return;
    }
    const req = mod.get(u, { headers: { 'user-agent': 'pegasus-data/0.1' } }, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function attempt(url: string, dest: string, md5: string | undefined, o: Required<Omit<DownloadOptions, 'log'>>, log: (l: string) => void): Promise<void> {
  let res: http.IncomingMessage;
  let where = url;
  for (let hop = 0; ; hop++) {
    res = await get(where, o.timeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= o.maxRedirects) throw new HttpStatusError(`${url}: too many redirects`, { file: url });
      where = new URL(res.headers.location, where).toString();
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new HttpStatusError(`${where}: HTTP ${status} ${res.statusMessage ?? ''}`.trim(), { file: url });
    }
    break;
  }
  const expected = res.headers['content-length'] ? Number(res.headers['content-length']) : null;
  const hash = createHash('md5');
  let got = 0;
  let lastLog = performance.now();
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      got += chunk.length;
      hash.update(chunk);
      const now = performance.now();
      if (now - lastLog > 5000) {
        lastLog = now;
        log(`download: ${(got / 1e6).toFixed(1)}${expected ? ` of ${(expected / 1e6).toFixed(1)}` : ''} MB`);
      }
      cb(null, chunk);
    },
  });
  const tmp = tempNameFor(dest);
  try {
    res.setTimeout?.(o.timeoutMs, () => res.destroy(new Error(`no data for ${o.timeoutMs} ms`)));
    await pipeline(res, counter, createWriteStream(tmp));
    if (!res.complete || (expected !== null && got !== expected)) {
      throw new Error(`connection cut after ${got}${expected !== null ? ` of ${expected}` : ''} bytes`);
    }
    if (md5) {
      const digest = hash.digest('hex');
      if (digest !== md5.toLowerCase()) throw new ChecksumError(`${url}: MD5 mismatch (got ${digest}, expected ${md5.toLowerCase()}); nothing saved`, { file: url });
    }
    await fsp.rename(tmp, dest);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof DataError) throw err;
    const r = /aborted|premature close|ECONNRESET|socket hang up/i.test(reason(err)) ? `connection cut after ${got}${expected !== null ? ` of ${expected}` : ''} bytes` : reason(err);
    throw new DataError(`${url}: download failed (${r}); no partial file left at ${dest}`, { file: url, cause: err });
  }
}

/**
 * Download `url` to `dest`. If `dest` already exists with the right MD5 it is kept. Returns `dest`.
 */
export async function download(url: string, dest: string, md5?: string, options: DownloadOptions = {}): Promise<string> {
  const log = options.log ?? (() => undefined);
  const o = {
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRedirects: options.maxRedirects ?? 5,
  };
  const target = path.resolve(dest);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const st = await statOrNull(target);
  if (st?.isFile()) {
    if (!md5) {
      log(`download: ${target} already present`);
      return target;
    }
    if ((await md5File(target)) === md5.toLowerCase()) {
      log(`download: ${target} already present, MD5 ok`);
      return target;
    }
    log(`download: ${target} has the wrong MD5, downloading again`);
  }
  for (let i = 0; ; i++) {
    try {
      log(`download: ${url} -> ${target}${i > 0 ? ` (try ${i + 1})` : ''}`);
      await attempt(url, target, md5, o, log);
      return target;
    } catch (err) {
      const fatal = err instanceof ChecksumError || (err instanceof HttpStatusError && !/HTTP 5\d\d/.test(err.message));
      if (fatal || i >= o.retries) throw err instanceof DataError ? err : new DataError(`${url}: download failed (${reason(err)})`, { file: url, cause: err });
      log(`download: ${reason(err)}; retrying`);
      await new Promise((r) => setTimeout(r, o.retryDelayMs * 2 ** i));
    }
  }
}
