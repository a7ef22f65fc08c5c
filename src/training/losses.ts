// GAN losses on D's logits. BCE is the seed's (D's sigmoid folded in, numerically stable);
// hinge is the usual partner of spectral norm.
import * as tf from '@tensorflow/tfjs-core';

export const LOSSES = ['bce', 'hinge'] as const;
export type LossKind = (typeof LOSSES)[number];

/** mean over the batch of BCE(sigmoid(x), y) = max(x,0) - x*y + log(1 + exp(-|x|)). */
export function bceWithLogits(logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/** D's loss on one batch: real (target = realness in [0,1]) or fake. Hinge ignores soft targets. */
export function discriminatorLoss(kind: LossKind, logits: tf.Tensor1D, targets: tf.Tensor1D, real: boolean): tf.Scalar {
  if (kind === 'bce') return bceWithLogits(logits, targets);
  // hinge: mean(relu(1 - x)) on real, mean(relu(1 + x)) on fake
  return tf.mean(tf.relu(real ? tf.sub(1, logits) : tf.add(1, logits)));
}

/** G's non-saturating loss: BCE against "real", or -mean(D) for hinge. */
export function generatorLoss(kind: LossKind, fakeLogits: tf.Tensor1D): tf.Scalar {
  if (kind === 'bce') return bceWithLogits(fakeLogits, tf.onesLike(fakeLogits));
  return tf.neg(tf.mean(fakeLogits)) as tf.Scalar;
}
