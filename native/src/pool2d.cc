#include "pool2d.h"

#include <cstring>

#include "pool.h"

namespace pegasus {

// Rows of output (image, output row) split between threads; channels innermost (vectorised).
template <class F>
static void each_output_row(int64_t n, int64_t oh, const F& f) {
  const int64_t rows = n * oh;
  parallel([&](int t, int T) {
    for (int64_t r = rows * t / T; r < rows * (t + 1) / T; r++) f(r / oh, r % oh);
  });
}

void max_pool_2x2(const float* x, int64_t n, int64_t h, int64_t w, int64_t c, float* y) {
  const int64_t oh = h / 2, ow = w / 2;
  each_output_row(n, oh, [&](int64_t b, int64_t oy) {
    const float* r0 = x + ((b * h + 2 * oy) * w) * c;
    const float* r1 = r0 + w * c;
    float* out = y + ((b * oh + oy) * ow) * c;
    for (int64_t ox = 0; ox < ow; ox++) {
      const float *a = r0 + 2 * ox * c, *b2 = a + c, *d = r1 + 2 * ox * c, *e = d + c;
      float* o = out + ox * c;
      for (int64_t k = 0; k < c; k++) {
        float m = a[k];
        m = b2[k] > m ? b2[k] : m;
        m = d[k] > m ? d[k] : m;
        m = e[k] > m ? e[k] : m;
        o[k] = m;
      }
    }
  });
}

void max_pool_2x2_grad(const float* x, const float* dy, int64_t n, int64_t h, int64_t w, int64_t c, float* dx) {
  const int64_t oh = h / 2, ow = w / 2;
  // an odd last row or column belongs to no window ('valid'): its gradient is zero
  if (h % 2 || w % 2) std::memset(dx, 0, sizeof(float) * n * h * w * c);
  each_output_row(n, oh, [&](int64_t b, int64_t oy) {
    const int64_t base0 = ((b * h + 2 * oy) * w) * c, base1 = base0 + w * c;
    const float* g = dy + ((b * oh + oy) * ow) * c;
    for (int64_t ox = 0; ox < ow; ox++) {
      const int64_t i00 = base0 + 2 * ox * c, i01 = i00 + c, i10 = base1 + 2 * ox * c, i11 = i10 + c;
      const float* go = g + ox * c;
      for (int64_t k = 0; k < c; k++) {
        const float v00 = x[i00 + k], v01 = x[i01 + k], v10 = x[i10 + k], v11 = x[i11 + k];
        // first maximum in window order 00, 01, 10, 11 (strict > keeps the earlier one)
        float m = v00;
        int at = 0;
        if (v01 > m) { m = v01; at = 1; }
        if (v10 > m) { m = v10; at = 2; }
        if (v11 > m) { at = 3; }
        const float gv = go[k];
        dx[i00 + k] = at == 0 ? gv : 0.f;
        dx[i01 + k] = at == 1 ? gv : 0.f;
        dx[i10 + k] = at == 2 ? gv : 0.f;
        dx[i11 + k] = at == 3 ? gv : 0.f;
      }
    }
  });
}

}  // namespace pegasus
