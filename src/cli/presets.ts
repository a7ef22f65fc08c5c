// `pegasus presets`: the config files in presets/, one line each. A preset is data, not code.
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { readConfigFile, resolveConfig, type Config } from '../training/config.js';
import { PRESETS_DIR } from './config-args.js';

export interface PresetInfo { name: string; file: string; config: Config }

/** Every preset, validated (a broken preset file is an error naming the file). */
export function listPresets(dir = PRESETS_DIR): PresetInfo[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const file = path.join(dir, f);
    return { name: f.slice(0, -5), file, config: resolveConfig([{ origin: file, values: readConfigFile(file) }]) };
  });
}

export const presetsCommand = defineCommand({
  meta: { name: 'presets', description: 'List the presets (`pegasus train --preset NAME` runs one)' },
  run() {
    const presets = listPresets();
    const width = Math.max(0, ...presets.map((p) => p.name.length));
    for (const p of presets) {
      const m = p.config.model;
      console.log(`${p.name.padEnd(width)}  ${m.arch} ${m.imageSize}px ${p.config.data.classes.join('+')}: ${p.config.description ?? ''}`);
    }
  },
});
