// Test support: the command line as a user runs it (node bin/pegasus.js ...), in a child process,
// with PEGASUS_DEBUG off so that errors come out as the user sees them.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEGASUS_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'pegasus.js');

export function runCli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [PEGASUS_BIN, ...args], { encoding: 'utf8', env: { ...process.env, PEGASUS_DEBUG: '' } });
}
