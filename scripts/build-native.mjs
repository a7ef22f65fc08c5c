// npm install step: builds the native conv kernels (native/) with node-gyp, the copy bundled with
// npm. Without a compiler the build fails softly: pegasus then runs on the wasm backend alone.
// PEGASUS_SKIP_NATIVE=1 skips the build; PEGASUS_REQUIRE_NATIVE=1 makes a failure fatal (CI).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.PEGASUS_SKIP_NATIVE === '1') {
  console.log('pegasus: PEGASUS_SKIP_NATIVE=1, native kernels not built (wasm backend only)');
  process.exit(0);
}
const started = Date.now();
const r = spawnSync('node-gyp', ['rebuild', '--directory', path.join(root, 'native')], { encoding: 'utf8', shell: process.platform === 'win32' });
if (r.status === 0) {
  console.log(`pegasus: native conv kernels built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}
const why = r.error ? r.error.message : (r.stderr || r.stdout || '').trim().split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ');
console.warn(`pegasus: native conv kernels could not be built (${why || `node-gyp exited with ${r.status}`}); the wasm backend will be used`);
process.exit(process.env.PEGASUS_REQUIRE_NATIVE === '1' ? 1 : 0);
