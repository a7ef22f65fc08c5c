// `pegasus report <run folder>`: writes <run>/report.html (self-contained).
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { encodePng, gridImage } from '../outputs/images.js';
import { compactReport, reportHtml } from '../outputs/report.js';
import { writeFileAtomicSync } from '../outputs/atomic.js';
import { readConfigFile } from '../training/config.js';
import { interpolationStrip } from '../training/interpolate.js';
import { openCheckpoint } from '../training/session.js';
import { CHECKPOINT_FILE } from '../training/train.js';

export const reportCommand = defineCommand({
  meta: { name: 'report', description: 'One self-contained HTML page about a run: config, losses, samples over time, interpolation, metrics' },
  args: {
    run: { type: 'positional', required: true, description: 'run folder' },
    out: { type: 'string', description: 'HTML file (default <run>/report.html)' },
    compact: { type: 'boolean', default: false, description: 'embed the images as lossy WebP (about a tenth of the size; for reports kept in a repository)' },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    const runDir = args.run;
    const config = readConfigFile(path.join(runDir, 'config.json'));
    const ckpt = path.join(runDir, CHECKPOINT_FILE);
    let interpolation: { png: Buffer; caption: string } | undefined;
    if (fs.existsSync(ckpt)) {
      await initBackend(parseBackend(args.backend));
      const s = openCheckpoint(ckpt);
      try {
        const strip = await interpolationStrip(s.gan, { rows: 6, steps: 9, seed: 1, running: true });
        const png = await encodePng(gridImage(strip.data, strip.shape, { cols: 9, scale: s.gan.g.imageSize === 32 ? 3 : 2 }));
        const classes = s.config.data.classes;
        interpolation = { png, caption: s.gan.conditional ? `class bit 0 (${classes[0]}) -> 1 (${classes[1]}) at fixed z, one row per z` : 'slerp between two z, one row per pair' };
      } finally {
        s.dispose();
      }
    }
    const out = args.out ?? path.join(runDir, 'report.html');
    const html = reportHtml({ runDir, config, ...(interpolation ? { interpolation } : {}) });
    writeFileAtomicSync(out, args.compact ? await compactReport(html) : html);
    console.log(`${out}: ${(fs.statSync(out).size / 1e6).toFixed(1)} MB, self-contained`);
  },
});
