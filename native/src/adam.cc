// Built without contraction (binding.gyp compiles this file alone with -ffp-contract=off, as its
// own static library): no fused multiply-adds, so the result equals, bit for bit, the composed
// tfjs ops it replaces. (A `#pragma GCC optimize` did that before, but it also dropped the
// target's vector types, and the loop stayed scalar.)
#include "adam.h"

#include <cmath>

#include "pool.h"

namespace pegasus {
namespace {

// The same float operations, in the same order, as the composed tfjs ops of src/training/adam.ts.
// A function with __restrict parameters, so that GCC vectorises it.
void adam_span(const AdamHyper h, int64_t n, const float* __restrict p, const float* __restrict m, const float* __restrict v,
               const float* __restrict g, float* __restrict p1, float* __restrict m1, float* __restrict v1) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * h.beta1 + gi * h.one_minus_beta1;
    const float vi = v[i] * h.beta2 + (gi * gi) * h.one_minus_beta2;
    m1[i] = mi;
    v1[i] = vi;
    p1[i] = p[i] - (mi * h.step_size) / (std::sqrt(vi / h.c2) + h.eps);
  }
}

}  // namespace

void adam_step(const AdamHyper& h, int64_t n, const float* p, const float* m, const float* v, const float* g, float* p1, float* m1,
               float* v1) {
  const AdamHyper k = h;
  parallel_range(n, [=](int64_t i0, int64_t i1) {
    adam_span(k, i1 - i0, p + i0, m + i0, v + i0, g + i0, p1 + i0, m1 + i0, v1 + i0);
  });
}

}  // namespace pegasus
