// Shared geometry of a 2-D convolution as tfjs describes it (NHWC only).
import * as tf from '@tensorflow/tfjs-core';

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

export interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function convGeometry(xShape: number[], filterShape: number[], attrs: ConvAttrs, dilations: number | [number, number] = 1): tf.backend_util.Conv2DInfo {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') throw new Error('pegasus conv kernels support NHWC only');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}
