#pragma once
#include <cstdint>

namespace pegasus {
// 2x2 max pooling with stride 2, 'valid', over NHWC x [n, h, w, c] -> y [n, h/2, w/2, c] (rounded down).
void max_pool_2x2(const float* x, int64_t n, int64_t h, int64_t w, int64_t c, float* y);
// Its gradient: dx gets dy at the first maximum of each window (row-major window order, as tfjs and
// PyTorch choose), zero elsewhere.
void max_pool_2x2_grad(const float* x, const float* dy, int64_t n, int64_t h, int64_t w, int64_t c, float* dx);
}  // namespace pegasus
