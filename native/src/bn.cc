#include "bn.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "pool.h"

namespace pegasus {
namespace {

constexpr int64_t CHUNK = 64;  // rows per partial sum

// out[k * C + c] = sum over rows r of what add(r, partial) adds to partial[k * C + c].
template <int K, class Add>
void channel_sums(int64_t rows, int64_t C, Add add, double* out) {
  const int64_t chunks = (rows + CHUNK - 1) / CHUNK;
  std::vector<float> partial(static_cast<size_t>(chunks * K * C));
  parallel([&](int t, int T) {
    for (int64_t ch = chunks * t / T; ch < chunks * (t + 1) / T; ch++) {
      float* p = partial.data() + ch * K * C;
      std::fill(p, p + K * C, 0.f);
      const int64_t r1 = std::min(rows, (ch + 1) * CHUNK);
      for (int64_t r = ch * CHUNK; r < r1; r++) add(r, p);
    }
  });
  std::fill(out, out + K * C, 0.0);
  for (int64_t ch = 0; ch < chunks; ch++) {
    const float* p = partial.data() + ch * K * C;
    for (int64_t i = 0; i < K * C; i++) out[i] += p[i];
  }
}

// fn(r0, r1) over row ranges split between the threads.
template <class Fn>
void rows_parallel(int64_t rows, Fn fn) {
  parallel([&](int t, int T) { fn(rows * t / T, rows * (t + 1) / T); });
}

}  // namespace

void bn_leaky_forward(const float* x, int64_t rows, int64_t C, const float* gamma, const float* beta, float eps, float slope, float* y,
                      float* mean, float* var) {
  std::vector<double> s(static_cast<size_t>(C));
  channel_sums<1>(rows, C, [&](int64_t r, float* p) {
    const float* xr = x + r * C;
    for (int64_t c = 0; c < C; c++) p[c] += xr[c];
  }, s.data());
  for (int64_t c = 0; c < C; c++) mean[c] = static_cast<float>(s[c] / rows);
  channel_sums<1>(rows, C, [&](int64_t r, float* p) {
    const float* xr = x + r * C;
    for (int64_t c = 0; c < C; c++) {
      const float d = xr[c] - mean[c];
      p[c] += d * d;
    }
  }, s.data());
  std::vector<float> scale(static_cast<size_t>(C)), shift(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; c++) {
    var[c] = static_cast<float>(s[c] / rows);
    scale[c] = gamma[c] / std::sqrt(var[c] + eps);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  rows_parallel(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * C;
      float* yr = y + r * C;
      for (int64_t c = 0; c < C; c++) {
        const float z = xr[c] * scale[c] + shift[c];
        yr[c] = z > 0.f ? z : z * slope;
      }
    }
  });
}

void bn_leaky_backward(const float* dy, const float* x, int64_t rows, int64_t C, const float* gamma, const float* beta, const float* mean,
                       const float* var, float eps, float slope, float* dx, float* dgamma, float* dbeta) {
  std::vector<float> inv(static_cast<size_t>(C)), scale(static_cast<size_t>(C)), shift(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; c++) {
    inv[c] = 1.f / std::sqrt(var[c] + eps);
    scale[c] = gamma[c] * inv[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  // dz = dy * lrelu'(z): sums of dz (dbeta) and of dz * xhat (dgamma)
  std::vector<double> s(static_cast<size_t>(2 * C));
  channel_sums<2>(rows, C, [&](int64_t r, float* p) {
    const float *xr = x + r * C, *dyr = dy + r * C;
    for (int64_t c = 0; c < C; c++) {
      const float z = xr[c] * scale[c] + shift[c];
      const float dz = z > 0.f ? dyr[c] : dyr[c] * slope;
      p[c] += dz;
      p[C + c] += dz * ((xr[c] - mean[c]) * inv[c]);
    }
  }, s.data());
  std::vector<float> a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; c++) {
    dbeta[c] = static_cast<float>(s[c]);
    dgamma[c] = static_cast<float>(s[C + c]);
    a[c] = static_cast<float>(s[c] / rows);      // mean of dz
    b[c] = static_cast<float>(s[C + c] / rows);  // mean of dz * xhat
  }
  // dx = gamma / sigma * (dz - mean(dz) - xhat * mean(dz * xhat))
  rows_parallel(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float *xr = x + r * C, *dyr = dy + r * C;
      float* dxr = dx + r * C;
      for (int64_t c = 0; c < C; c++) {
        const float z = xr[c] * scale[c] + shift[c];
        const float dz = z > 0.f ? dyr[c] : dyr[c] * slope;
        const float xhat = (xr[c] - mean[c]) * inv[c];
        dxr[c] = scale[c] * (dz - a[c] - xhat * b[c]);
      }
    }
  });
}

}  // namespace pegasus
