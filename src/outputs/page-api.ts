// What the page server says about its runs: types shared by the server (Node) and the page (browser).
import type { TrainLogRow } from './log.js';

export interface RunInfo {
  /** "<root>/<folder>" or "<root>" for a root that is itself a run; also the key of /api/events?run= */
  id: string;
  /** URL prefix of the run's files, ending in "/". */
  files: string;
  config: Record<string, unknown>;
  hasCheckpoint: boolean;
  hasSamples: boolean;
}

export interface ModelInfo { name: string; url: string; kind: 'generator' | 'classifier' | 'other' }

export interface PageIndex {
  runs: RunInfo[];
  /** Shipped checkpoints (the models folder). */
  models: ModelInfo[];
  /** URL of the classifier for the pegasus score, or null when there is none. */
  classifier: string | null;
  /** The run `pegasus train --serve` is training, shown first. */
  follow: string | null;
}

/** Server-sent events of /api/events?run=<id>; `data` is JSON. */
export interface RunEvents {
  /** Rows of log.jsonl: all of them on connect and after a reset, then new ones. NaN arrives as null. */
  rows: { rows: TrainLogRow[]; reset: boolean };
  config: { config: Record<string, unknown> };
  /** samples.png or checkpoint.ckpt changed; `version` (its mtime) busts caches. */
  samples: { version: number };
  checkpoint: { version: number };
  /** A step done in the serving process (train --serve): the step count between log rows. */
  step: { step: number };
}
