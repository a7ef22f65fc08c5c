// No fused multiply-adds: the result must equal, bit for bit, the composed tfjs ops it replaces.
#pragma GCC optimize("fp-contract=off")
#pragma STDC FP_CONTRACT OFF
#include "adam.h"

#include <algorithm>
#include <cmath>

#include "pool.h"

namespace pegasus {

void adam_step(const AdamHyper& h, int64_t n, const float* p, const float* m, const float* v, const float* g, float* p1, float* m1,
               float* v1) {
  // The same float operations, in the same order, as the composed tfjs ops of src/training/adam.ts.
  const float a1 = h.one_minus_beta1, a2 = h.one_minus_beta2;
  auto range = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float gi = g[i];
      const float mi = m[i] * h.beta1 + gi * a1;
      const float vi = v[i] * h.beta2 + (gi * gi) * a2;
      m1[i] = mi;
      v1[i] = vi;
      p1[i] = p[i] - (mi * h.step_size) / (std::sqrt(vi / h.c2) + h.eps);
    }
  };
  parallel_range(n, range);
}

}  // namespace pegasus
