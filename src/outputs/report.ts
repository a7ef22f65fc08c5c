// `pegasus report`: one self-contained HTML page about a run (images embedded as data URIs), so it
// opens from disk in any browser: config, loss curves, sample grids over time, an interpolation
// strip, and the metrics in the log and in eval.json / pick.json when they exist.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readLog, type TrainLogRow } from './log.js';

export interface ReportInput {
  runDir: string;
  config: Record<string, unknown>;
  /** PNG bytes of the interpolation strip, when a checkpoint could draw one. */
  interpolation?: { png: Buffer; caption: string };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Up to `k` sample grids spread evenly over the run, always with the last one. */
export function gridsOverTime(samplesDir: string, k = 6): { step: number; file: string }[] {
  if (!fs.existsSync(samplesDir)) return [];
  const all = fs.readdirSync(samplesDir).map((f) => /^step-(\d+)\.png$/.exec(f)).filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ step: Number(m[1]), file: path.join(samplesDir, m[0]) })).sort((a, b) => a.step - b.step);
  if (all.length <= k) return all;
  return Array.from({ length: k }, (_, i) => all[Math.round((i * (all.length - 1)) / (k - 1))]!);
}

function metricsTable(rows: TrainLogRow[]): string {
  const withMetrics = rows.filter((r) => r.metrics && Object.keys(r.metrics).length > 0);
  if (withMetrics.length === 0) return '<p>No metrics in the log (they need the classifier: <code>pegasus classifier train</code>).</p>';
  const keys = [...new Set(withMetrics.flatMap((r) => Object.keys(r.metrics!)))];
  const head = `<tr><th>step</th>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>`;
  const body = withMetrics.map((r) => `<tr><td>${r.step}</td>${keys.map((k) => `<td>${r.metrics![k] === undefined ? '' : r.metrics![k]!.toPrecision(4)}</td>`).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

export function reportHtml(input: ReportInput): string {
  const { runDir, config } = input;
  const rows = fs.existsSync(path.join(runDir, 'log.jsonl')) ? readLog(path.join(runDir, 'log.jsonl')) : [];
  const last = rows.at(-1);
  const model = (config.model ?? {}) as Record<string, unknown>;
  const data = (config.data ?? {}) as Record<string, unknown>;
  const title = `${String(config.name ?? path.basename(path.resolve(runDir)))}`;
  const img = (file: string, alt: string) => fs.existsSync(file) ? `<img src="${dataUri(fs.readFileSync(file))}" alt="${esc(alt)}">` : `<p>(no ${esc(path.basename(file))})</p>`;
  const grids = gridsOverTime(path.join(runDir, 'samples'));
  const evalJson = readJson(path.join(runDir, 'eval.json'));
  const pickJson = readJson(path.join(runDir, 'pick', 'pick.json'));
  const summary = last
    ? `${last.step} steps, ${last.time.toFixed(0)} s; last logged Loss_D ${last.lossD.toFixed(3)}, Loss_G ${last.lossG.toFixed(3)}, D(x) ${last.dx.toFixed(3)}, D(G(z)) ${last.dgz1.toFixed(3)}`
    : 'no log rows yet';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pegasus report: ${esc(title)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
img { max-width: 100%; image-rendering: pixelated; }
.grids { display: flex; flex-wrap: wrap; gap: 12px; } .grids figure { margin: 0; width: 300px; } figcaption { color: #555; }
pre { background: #f6f6f6; padding: 1em; overflow: auto; font-size: 13px; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
</style></head><body>
<h1>${esc(title)}</h1>
<p>${esc(String(model.arch ?? '?'))} at ${esc(String(model.imageSize ?? '?'))} px on ${esc(((data.classes as string[] | undefined) ?? []).join(' + '))}; ${esc(summary)}.</p>
<h2>Losses</h2>
${img(path.join(runDir, 'loss.png'), 'loss curves')}
<h2>Samples over time (fixed noise)</h2>
<div class="grids">${grids.map((g) => `<figure>${img(g.file, `step ${g.step}`)}<figcaption>step ${g.step}</figcaption></figure>`).join('') || '<p>(no sample grids)</p>'}</div>
<h2>Interpolation</h2>
${input.interpolation ? `<img src="${dataUri(input.interpolation.png)}" alt="interpolation"><p>${esc(input.interpolation.caption)}</p>` : '<p>(no checkpoint to draw from)</p>'}
<h2>Metrics</h2>
${metricsTable(rows)}
${evalJson ? `<h3>pegasus eval</h3><pre>${esc(JSON.stringify(evalJson, null, 2))}</pre>` : ''}
${pickJson ? `<h3>pegasus pick</h3>${img(path.join(runDir, 'pick', 'pegasus.png'), 'best pegasus')} ${img(path.join(runDir, 'pick', 'batch.png'), 'best batch')}<pre>${esc(JSON.stringify({ best: pickJson.best, batch: { meanScore: (pickJson.batch as Record<string, unknown> | undefined)?.meanScore } }, null, 2))}</pre>` : ''}
<h2>Config</h2>
<pre>${esc(JSON.stringify(config, null, 2))}</pre>
</body></html>
`;
}

const PNG_URI = /data:image\/png;base64,([A-Za-z0-9+/=]+)/g;

/**
 * The same report with every embedded PNG re-encoded as lossy WebP (about a tenth of the bytes),
 * for reports kept in the repository.
 */
export async function compactReport(html: string, quality = 80): Promise<string> {
  const pngs = [...html.matchAll(PNG_URI)].map((m) => m[1]!);
  const webps = await Promise.all(pngs.map((b64) => sharp(Buffer.from(b64, 'base64')).webp({ quality }).toBuffer()));
  let i = 0;
  return html.replace(PNG_URI, () => `data:image/webp;base64,${webps[i++]!.toString('base64')}`);
}
