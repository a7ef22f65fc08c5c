// Builds a GAN from its config. Architectures are data (ModelConfig); this is the one place that
// maps a name to code.
import { dcganDiscriminator, dcganGenerator } from './dcgan.js';
import { cbnGenerator, projectionDiscriminator, seedConditionalDiscriminator, seedConditionalGenerator } from './conditional.js';
import type { Discriminator, Gan, Generator } from './gan.js';

/**
 * dcgan / sndcgan: the seed's unconditional pair (batch-norm D / spectral-norm D).
 * cdcgan / sncdcgan: the seed's conditional DCGAN (class bit + emb Linear), batch-norm / spectral-norm D.
 * cbn-proj: conditional batch-norm G + spectral-norm projection D.
 */
export const ARCHS = ['dcgan', 'sndcgan', 'cdcgan', 'sncdcgan', 'cbn-proj'] as const;
export type Arch = (typeof ARCHS)[number];

export interface ModelConfig {
  arch: Arch;
  imageSize: 32 | 64;
  nz: number;
  ngf: number;
  ndf: number;
  dBias?: boolean;
}

export function isConditional(arch: Arch): boolean {
  return arch === 'cdcgan' || arch === 'sncdcgan' || arch === 'cbn-proj';
}

function parts(cfg: ModelConfig, seed: number): { g: Generator; d: Discriminator } {
  const shape = { imageSize: cfg.imageSize, nz: cfg.nz, ngf: cfg.ngf, ndf: cfg.ndf, dBias: cfg.dBias };
  switch (cfg.arch) {
    case 'dcgan': return { g: dcganGenerator(shape, seed), d: dcganDiscriminator(shape, seed, false) };
    case 'sndcgan': return { g: dcganGenerator(shape, seed), d: dcganDiscriminator(shape, seed, true) };
    case 'cdcgan': return { g: seedConditionalGenerator(shape, seed), d: seedConditionalDiscriminator(shape, seed, false) };
    case 'sncdcgan': return { g: seedConditionalGenerator(shape, seed), d: seedConditionalDiscriminator(shape, seed, true) };
    case 'cbn-proj': return { g: cbnGenerator(shape, seed), d: projectionDiscriminator(shape, seed) };
  }
}

export function buildGan(cfg: ModelConfig, seed: number): Gan {
  const { g, d } = parts(cfg, seed);
  return {
    g, d, conditional: isConditional(cfg.arch),
    dispose() {
      g.params.dispose();
      d.params.dispose();
    },
  };
}

export type { Gan, Generator, Discriminator } from './gan.js';
export { ParamStore } from './params.js';
