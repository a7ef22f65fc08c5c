// What the trainer, the sampler and the page know about a GAN: two functions and their parameters.
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params.js';
import type { ForwardContext } from './layers.js';

export interface Generator {
  readonly params: ParamStore;
  readonly nz: number;
  readonly imageSize: number;
  /** z [n, nz] (and for conditional models cond [n, 1] in [0, 1]) -> images [n, size, size, 3] in [-1, 1]. */
  forward(z: tf.Tensor2D, ctx: ForwardContext, cond?: tf.Tensor2D): tf.Tensor4D;
}

export interface Discriminator {
  readonly params: ParamStore;
  /** images [n, size, size, 3] -> real/fake logits [n] (D's sigmoid is folded into the loss). */
  forward(x: tf.Tensor4D, ctx: ForwardContext, cond?: tf.Tensor2D): tf.Tensor1D;
  /** Advances spectral-norm estimates, once per training step; a no-op without spectral norm. */
  powerIterate(): void;
  /** Parameter-name prefixes of D's layers from the input up (for freezing the lower ones). */
  readonly layerPrefixes: string[];
}

export interface Gan {
  readonly g: Generator;
  readonly d: Discriminator;
  readonly conditional: boolean;
  dispose(): void;
}
