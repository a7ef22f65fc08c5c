// Conditional GANs on two classes, the class given as one number c in [0, 1] (0 = horse, 1 = the
// wing class), so that sweeping c at a fixed z morphs one class into the other.
//
// "cdcgan" is the seed's (its Figures 8 and 9):
//   G: [z, c] (101) -> emb Linear(101 -> 101) -> the DCGAN generator with 101 inputs.
//      (The seed names an `emb` Linear in G without its width; 101 -> 101 lets the bit reach
//      every input of the first transposed conv.)
//   D: the DCGAN discriminator whose last conv gives 100 features; emb Linear(101 -> 1) turns
//      [features, c] into the real/fake logit.
//      Its bit only adds w_c * c to the logit, the same for every image, so D cannot tell an image
//      of the wrong class from one of the right class and nothing ties G's bit to the class
//      (src/training/variants.test.ts shows both); cbn-proj is the remedy to compare with.
// "cbn-proj" is the well-known stronger pair:
//   G: conditional batch-norm — each class has its own BN scale and shift, mixed (1-c, c).
//   D: spectral-norm D with a projection head (Miyato & Koyama 2018): logit = psi(phi) + <e(c), phi>,
//      phi = D's features summed over space, e(c) = (1-c) e0 + c e1.
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, seedFor } from './params.js';
import { batchNormalize, batchNormStats, conv2dTranspose, convWeight, leakyRelu, tanh, type BatchNormStats } from './layers.js';
import { dcganDiscriminator, dcganGenerator, discriminatorBody, discriminatorChannels, discriminatorLayers, generatorBody, generatorChannels, type DcganShape } from './dcgan.js';
import { applyLinear, linear } from './linear.js';
import { powerIterate as advanceSn, spectralNormalize, spectralNormState } from './spectral-norm.js';
import type { Discriminator, Generator } from './gan.js';

function needCond(cond: tf.Tensor2D | undefined, who: string): tf.Tensor2D {
  if (!cond) throw new Error(`${who} is conditional: pass the class bit c [n, 1]`);
  return cond;
}

export function seedConditionalGenerator(s: DcganShape, seed: number): Generator {
  const g = dcganGenerator(s, seed, s.nz + 1);
  const emb = linear(g.params, 'G.emb', s.nz + 1, s.nz + 1, seed);
  return {
    params: g.params, nz: s.nz, imageSize: s.imageSize,
    forward(z, ctx, cond) {
      const c = needCond(cond, 'cdcgan G');
      return tf.tidy(() => generatorBody(g.layers, applyLinear(emb, tf.concat([z, c], 1)), ctx));
    },
  };
}

/** The seed's conditional D; `spectral` puts spectral norm on its convs (and on emb) instead of batch-norm. */
export function seedConditionalDiscriminator(s: DcganShape, seed: number, spectral: boolean): Discriminator {
  const features = 100;
  const d = dcganDiscriminator(s, seed, spectral, features);
  const emb = linear(d.params, 'D.emb', features + 1, 1, seed);
  const embSn = spectral ? spectralNormState(d.params, 'D.emb.sn', emb.w, seed) : undefined;
  return {
    params: d.params, layerPrefixes: [...d.layerPrefixes, 'D.emb'],
    forward(x, ctx, cond) {
      const c = needCond(cond, 'cdcgan D');
      return tf.tidy(() => {
        const f = leakyRelu(discriminatorBody(d.layers, x, ctx)); // [n,1,1,100]
        const h = tf.concat([tf.reshape(f, [x.shape[0], features]), c], 1) as tf.Tensor2D; // [n,101]
        const w = (embSn ? spectralNormalize(emb.w, embSn) : emb.w) as tf.Tensor2D;
        return tf.reshape(tf.add(tf.matMul(h, w), emb.b), [-1]) as tf.Tensor1D;
      });
    },
    powerIterate() {
      d.powerIterate();
      if (embSn) advanceSn(emb.w, embSn);
    },
  };
}

interface CbnLayer { w: tf.Variable; bn?: { stats: BatchNormStats; gamma: tf.Variable; beta: tf.Variable } }

/** Generator with class-conditional batch-norm: per-class scale/shift [2, C], mixed by c. */
export function cbnGenerator(s: DcganShape, seed: number): Generator {
  const params = new ParamStore();
  const ch = generatorChannels(s);
  const layers: CbnLayer[] = [];
  for (let i = 0; i + 1 < ch.length; i++) {
    const w = convWeight(params, `G.${i}.w`, [4, 4, ch[i + 1]!, ch[i]!], seed);
    if (i + 2 === ch.length) { layers.push({ w }); continue; }
    const c = ch[i + 1]!;
    const name = `G.${i}.cbn`;
    layers.push({
      w,
      bn: {
        stats: batchNormStats(params, name, c),
        gamma: params.add(`${name}.gamma`, tf.randomNormal([2, c], 1, 0.02, 'float32', seedFor(seed, `${name}.gamma`))),
        beta: params.add(`${name}.beta`, tf.zeros([2, c])),
      },
    });
  }
  return {
    params, nz: s.nz, imageSize: s.imageSize,
    forward(z, ctx, cond) {
      const c = needCond(cond, 'cbn-proj G');
      const n = z.shape[0];
      return tf.tidy(() => {
        const mix = tf.concat([tf.sub(1, c), c], 1) as tf.Tensor2D; // [n,2]
        let x = tf.reshape(z, [n, 1, 1, z.shape[1]]) as tf.Tensor4D;
        layers.forEach((l, i) => {
          x = conv2dTranspose(x, l.w as tf.Tensor4D, i === 0 ? 1 : 2);
          if (!l.bn) { x = tanh(x); return; }
          const gamma = tf.reshape(tf.matMul(mix, l.bn.gamma as tf.Tensor2D), [n, 1, 1, -1]); // [n,1,1,C]
          const beta = tf.reshape(tf.matMul(mix, l.bn.beta as tf.Tensor2D), [n, 1, 1, -1]);
          x = leakyRelu(tf.add(tf.mul(batchNormalize(x, l.bn.stats, ctx), gamma), beta));
        });
        return x;
      });
    },
  };
}

/** Spectral-norm DCGAN D with a projection head on its last hidden feature map. */
export function projectionDiscriminator(s: DcganShape, seed: number): Discriminator {
  const params = new ParamStore();
  const layers = discriminatorLayers(params, s, seed, true, null);
  const features = discriminatorChannels(s).at(-2)!; // channels of D's last hidden layer
  const psi = linear(params, 'D.psi', features, 1, seed);
  const psiSn = spectralNormState(params, 'D.psi.sn', psi.w, seed);
  const embed = params.add('D.embed', tf.randomNormal([2, features], 0, 0.02, 'float32', seedFor(seed, 'D.embed')));
  return {
    params, layerPrefixes: [...layers.map((l) => l.prefix), 'D.psi'],
    forward(x, ctx, cond) {
      const c = needCond(cond, 'cbn-proj D');
      return tf.tidy(() => {
        const phi = tf.sum(discriminatorBody(layers, x, ctx, false), [1, 2]) as tf.Tensor2D; // [n, F]
        const out = tf.add(tf.matMul(phi, spectralNormalize(psi.w, psiSn) as tf.Tensor2D), psi.b); // [n, 1]
        const e = tf.matMul(tf.concat([tf.sub(1, c), c], 1) as tf.Tensor2D, embed as tf.Tensor2D); // [n, F]
        return tf.reshape(tf.add(out, tf.sum(tf.mul(e, phi), 1, true)), [-1]) as tf.Tensor1D;
      });
    },
    powerIterate() {
      for (const l of layers) advanceSn(l.w, l.sn!);
      advanceSn(psi.w, psiSn);
    },
  };
}
