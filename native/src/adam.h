#pragma once
#include <cstdint>

namespace pegasus {
// One Adam step (PyTorch's formulation) over n parameters, written to fresh arrays:
//   m1 = b1 m + (1 - b1) g;  v1 = b2 v + (1 - b2) g^2;  p1 = p - step_size * m1 / (sqrt(v1 / c2) + eps)
// with step_size = lr / (1 - b1^t) and c2 = 1 - b2^t; the caller rounds each constant (1 - b1 and
// 1 - b2 too) to float as tfjs does. Element-wise, so any thread count gives the same bits.
struct AdamHyper {
  float step_size, beta1, one_minus_beta1, beta2, one_minus_beta2, c2, eps;
};
void adam_step(const AdamHyper& h, int64_t n, const float* p, const float* m, const float* v, const float* g, float* p1, float* m1,
               float* v1);
}  // namespace pegasus
