// Builds a GAN from its config. Architectures are data (ModelConfig); this is the one place that
// maps a name to code.
import { dcganDiscriminator, dcganGenerator } from './dcgan.js';
import type { Gan } from './gan.js';

export const ARCHS = ['dcgan', 'sndcgan'] as const;
export type Arch = (typeof ARCHS)[number];

export interface ModelConfig {
  arch: Arch;
  imageSize: 32 | 64;
  nz: number;
  ngf: number;
  ndf: number;
}

export function buildGan(cfg: ModelConfig, seed: number): Gan {
  const shape = { imageSize: cfg.imageSize, nz: cfg.nz, ngf: cfg.ngf, ndf: cfg.ndf };
  const g = dcganGenerator(shape, seed);
  const d = dcganDiscriminator(shape, seed, cfg.arch === 'sndcgan');
  return {
    g, d, conditional: false,
    dispose() {
      g.params.dispose();
      d.params.dispose();
    },
  };
}

export type { Gan, Generator, Discriminator } from './gan.js';
export { ParamStore } from './params.js';
