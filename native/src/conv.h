// 2-D convolutions in NHWC with filters [KH, KW, Ci, Co] (the tfjs layouts), as packed GEMMs.
#pragma once

namespace pegasus {

struct ConvGeometry {
  int n, h, w, ci;     // input x [n, h, w, ci]
  int kh, kw, co;      // filter [kh, kw, ci, co]
  int oh, ow;          // output y [n, oh, ow, co]
  int sh, sw;          // strides
  int pt, pl;          // padding before rows / columns (after is implied by oh, ow)
  int dh, dw;          // dilations
};

// y = conv(x, w)
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, float* y);
// dx = d(sum y * dy)/dx: the transposed convolution of dy with w
void conv2d_backprop_input(const ConvGeometry& g, const float* dy, const float* w, float* dx);
// dw = d(sum y * dy)/dw
void conv2d_backprop_filter(const ConvGeometry& g, const float* x, const float* dy, float* dw);

}  // namespace pegasus
