// Builds the browser page into dist/page with esbuild: the TypeScript of src/outputs/page (and the
// shared model, checkpoint and score modules it imports) as ES modules, the generator's code split
// into its own chunk; plus index.html, the CSS and tfjs-backend-wasm's .wasm files.
// Fails when anything in the page's import graph is a Node module.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src', 'outputs', 'page');
const out = path.join(root, 'dist', 'page');
const require = createRequire(import.meta.url);

fs.rmSync(out, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { page: path.join(src, 'main.ts') },
  bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
  outdir: out, chunkNames: 'chunks/[name]-[hash]', minify: true, sourcemap: 'linked',
  metafile: true, logLevel: 'warning', legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
});
const nodeInputs = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('node:'));
if (nodeInputs.length) throw new Error(`page bundle imports Node modules: ${nodeInputs.join(', ')}`);

fs.copyFileSync(path.join(src, 'index.html'), path.join(out, 'index.html'));
fs.copyFileSync(path.join(src, 'page.css'), path.join(out, 'page.css'));
fs.copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), path.join(out, 'uPlot.min.css'));
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) fs.copyFileSync(path.join(wasmDir, f), path.join(out, f));

const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js')).map(([f, o]) => `${path.relative(out, f)} ${(o.bytes / 1024).toFixed(0)} KiB`);
if (process.argv.includes('--verbose')) console.log(`dist/page: ${bytes.join(', ')}`);
