#include "leaky.h"

#include "pool.h"

namespace pegasus {

void leaky_relu(const float* x, int64_t n, float slope, float* y) {
  parallel_range(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) y[i] = x[i] > 0.f ? x[i] : x[i] * slope;
  });
}

void leaky_relu_grad(const float* x, const float* dy, int64_t n, float slope, float* dx) {
  parallel_range(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) dx[i] = x[i] > 0.f ? dy[i] : dy[i] * slope;
  });
}

}  // namespace pegasus
