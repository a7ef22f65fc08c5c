// GAN losses on D's logits. BCE is the seed's (D's sigmoid folded in, numerically stable);
// hinge is the usual partner of spectral norm.
import * as tf from '@tensorflow/tfjs-core';

export const LOSSES = ['bce', 'hinge'] as const;
export type LossKind = (typeof LOSSES)[number];

/** mean over the batch of BCE(sigmoid(x), y) = max(x,0) - x*y + log(1 + exp(-|x|)). */
export function bceWithLogits(logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/**
 * D's loss on one batch, targets = realness in [0, 1] (1 real, 0 fake; soft or flipped by the
 * label tricks). Hinge weighs its two sides by the target: mean(y relu(1 - x) + (1 - y) relu(1 + x)),
 * the usual hinge for hard targets, so soft and noisy labels mean the same with either loss.
 */
export function discriminatorLoss(kind: LossKind, logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  if (kind === 'bce') return bceWithLogits(logits, targets);
  return tf.mean(tf.add(tf.mul(targets, tf.relu(tf.sub(1, logits))), tf.mul(tf.sub(1, targets), tf.relu(tf.add(1, logits)))));
}

/** G's non-saturating loss: BCE against "real", or -mean(D) for hinge. */
export function generatorLoss(kind: LossKind, fakeLogits: tf.Tensor1D): tf.Scalar {
  if (kind === 'bce') return bceWithLogits(fakeLogits, tf.onesLike(fakeLogits));
  return tf.neg(tf.mean(fakeLogits)) as tf.Scalar;
}
