// A short fingerprint of a classifier file: features computed with it are only valid with it.
import crypto from 'node:crypto';
import fs from 'node:fs';

export function classifierDigest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}
