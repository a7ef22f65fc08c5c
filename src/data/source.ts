// Where "auto" finds data: $PEGASUS_DATA, the official release unpacked by `pegasus data download`,
// or a CIFAR-10 image-folder tree beside the project.
import fs from 'node:fs';
import path from 'node:path';
import { CIFAR10_FOLDER_NAME } from './classes.js';

/** Where `pegasus data download` puts the archive and its extracted folder. */
export const DEFAULT_DOWNLOAD_DIR = 'data/downloads';

export const AUTO_SOURCES = [path.join(DEFAULT_DOWNLOAD_DIR, CIFAR10_FOLDER_NAME), '../shared/data/cifar10'];

export function resolveDataSource(source: string): string {
  if (source !== 'auto') return source;
  const env = process.env.PEGASUS_DATA;
  if (env) return env;
  for (const s of AUTO_SOURCES) if (fs.existsSync(s)) return path.resolve(s);
  throw new Error(`data source "auto": none of ${AUTO_SOURCES.join(', ')} exists; run \`pegasus data download\` or pass --data <folder|archive>`);
}
