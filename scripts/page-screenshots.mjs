// Screenshots of the page for the docs: node scripts/page-screenshots.mjs <page URL> <live|generator> <out.png>
// Drives Debian's chromium (/usr/bin/chromium) through playwright-core, as the end-to-end test does.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, view, out] = process.argv.slice(2);
if (!url || !['live', 'generator'].includes(view ?? '') || !out) {
  console.error('usage: node scripts/page-screenshots.mjs <page URL> <live|generator> <out.png>');
  process.exit(1);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pegasus-shot-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', viewport: { width: 1200, height: 760 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  const page = await ctx.newPage();
  await page.goto(`${url}${view === 'generator' ? '#generator' : ''}`);
  if (view === 'live') {
    await page.waitForFunction(() => Number(document.querySelector('#chart-loss')?.dataset.points ?? 0) > 0);
    await page.waitForFunction(() => document.querySelector('#samples').naturalWidth > 0);
    await page.evaluate(() => { document.querySelector('details').open = false; });
  } else {
    await page.waitForFunction(() => Number(document.querySelector('#gen-canvas').dataset.renders ?? 0) > 0, null, { timeout: 60_000 });
    for (const [id, v] of [['#slerp', '0.3'], ['#bit', '0.5']]) if (await page.locator(id).isVisible()) await page.locator(id).fill(v);
    await page.waitForTimeout(1500);
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  console.log(`${out}: ${view} view of ${url}`);
} finally {
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
