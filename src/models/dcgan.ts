// The seed's DCGAN (Radford et al. 2016, as in pytorch/examples dcgan) and its SN-DCGAN variant.
//   G: z [n,100] -> 1x1 -> ConvT 4x4 (valid) -> 4x4 -> ConvT 4x4 s2 ... -> size x size x 3, tanh.
//      Every hidden layer: batch-norm + LeakyReLU(0.2). No biases.
//   D: size x size x 3 -> Conv 4x4 s2 ... -> 4x4 -> Conv 4x4 (valid) -> 1 logit.
//      LeakyReLU(0.2); batch-norm on the hidden layers but the first (DCGAN) or spectral norm on
//      every layer and no batch-norm (SN-DCGAN). model.dBias adds biases where no batch-norm follows.
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params.js';
import { batchNormLeakyRelu, batchNormParams, conv2d, conv2dTranspose, convWeight, leakyRelu, tanh, type BatchNormParams, type ForwardContext } from './layers.js';
import { powerIterate, spectralNormalize, spectralNormState, type SpectralNormState } from './spectral-norm.js';
import type { Discriminator, Generator } from './gan.js';

export interface DcganShape {
  imageSize: 32 | 64;
  nz: number;
  ngf: number;
  ndf: number;
  /** Biases on D's convs that no batch-norm follows (the seed's D has none; BN's beta is its bias). */
  dBias?: boolean;
}

/** Channel ladders: 64 px has one more doubling than 32 px. */
export function generatorChannels(s: DcganShape): number[] {
  const mults = s.imageSize === 64 ? [8, 4, 2, 1] : [4, 2, 1];
  return [s.nz, ...mults.map((m) => m * s.ngf), 3];
}

export function discriminatorChannels(s: DcganShape): number[] {
  const mults = s.imageSize === 64 ? [1, 2, 4, 8] : [1, 2, 4];
  return [3, ...mults.map((m) => m * s.ndf), 1];
}

export interface GLayer { w: tf.Variable; bn?: BatchNormParams }

export function dcganGenerator(s: DcganShape, seed: number, inputs = s.nz): Generator & { layers: GLayer[] } {
  const params = new ParamStore();
  const ch = generatorChannels(s);
  ch[0] = inputs;
  const layers: GLayer[] = [];
  for (let i = 0; i + 1 < ch.length; i++) {
    const last = i + 2 === ch.length;
    const w = convWeight(params, `G.${i}.w`, [4, 4, ch[i + 1]!, ch[i]!], seed);
    layers.push(last ? { w } : { w, bn: batchNormParams(params, `G.${i}.bn`, ch[i + 1]!, seed) });
  }
  return {
    params, layers, nz: s.nz, imageSize: s.imageSize,
    forward(z: tf.Tensor2D, ctx: ForwardContext): tf.Tensor4D {
      return generatorBody(layers, z, ctx);
    },
  };
}

/** z [n, k] -> images; shared by the conditional generators. */
export function generatorBody(layers: GLayer[], z: tf.Tensor2D, ctx: ForwardContext): tf.Tensor4D {
  return tf.tidy(() => {
    let x = tf.reshape(z, [z.shape[0], 1, 1, z.shape[1]]) as tf.Tensor4D; // [n,1,1,k]
    layers.forEach((l, i) => {
      x = conv2dTranspose(x, l.w as tf.Tensor4D, i === 0 ? 1 : 2); // [n,4,4,c] then doubling
      x = l.bn ? batchNormLeakyRelu(x, l.bn, ctx) : tanh(x);
    });
    return x;
  });
}

export interface DLayer { w: tf.Variable; b?: tf.Variable; bn?: BatchNormParams; sn?: SpectralNormState; prefix: string }

/**
 * D's layers into `params`. outputs = channels of the last (4x4 'valid') conv; null leaves that
 * conv out (heads that read the 4x4 feature map themselves).
 */
export function discriminatorLayers(params: ParamStore, s: DcganShape, seed: number, spectral: boolean, outputs: number | null): DLayer[] {
  const ch = discriminatorChannels(s);
  ch[ch.length - 1] = outputs ?? 0;
  const layers: DLayer[] = [];
  const count = outputs === null ? ch.length - 2 : ch.length - 1;
  for (let i = 0; i < count; i++) {
    const prefix = `D.${i}`;
    const w = convWeight(params, `${prefix}.w`, [4, 4, ch[i]!, ch[i + 1]!], seed);
    const hidden = i > 0 && i + 2 < ch.length;
    const layer: DLayer = { w, prefix };
    if (spectral) layer.sn = spectralNormState(params, `${prefix}.sn`, w, seed);
    else if (hidden) layer.bn = batchNormParams(params, `${prefix}.bn`, ch[i + 1]!, seed);
    if (s.dBias && !layer.bn) layer.b = params.add(`${prefix}.b`, tf.zeros([ch[i + 1]!]));
    layers.push(layer);
  }
  return layers;
}

export function dcganDiscriminator(s: DcganShape, seed: number, spectral: boolean, outputs = 1): Discriminator & { layers: DLayer[] } {
  const params = new ParamStore();
  const layers = discriminatorLayers(params, s, seed, spectral, outputs);
  return {
    params, layers, layerPrefixes: layers.map((l) => l.prefix),
    forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor1D {
      return tf.tidy(() => tf.reshape(discriminatorBody(layers, x, ctx), [-1]));
    },
    powerIterate(): void {
      for (const l of layers) if (l.sn) powerIterate(l.w, l.sn);
    },
  };
}

/**
 * images -> [n, 1, 1, outputs] when the layers end with the 4x4 'valid' conv (`withHead`),
 * else D's last hidden feature map [n, 4, 4, C].
 */
export function discriminatorBody(layers: DLayer[], x: tf.Tensor4D, ctx: ForwardContext, withHead = true): tf.Tensor4D {
  let h = x;
  layers.forEach((l, i) => {
    const w = (l.sn ? spectralNormalize(l.w, l.sn) : l.w) as tf.Tensor4D;
    const head = withHead && i + 1 === layers.length;
    h = conv2d(h, w, head ? 1 : 2, head ? 'valid' : 'same');
    if (l.b) h = tf.add(h, l.b);
    if (!head) h = l.bn ? batchNormLeakyRelu(h, l.bn, ctx) : leakyRelu(h);
  });
  return h;
}
