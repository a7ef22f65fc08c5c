#include "reduce.h"

#include <algorithm>
#include <vector>

#include "pool.h"

namespace pegasus {
namespace {

// A function with __restrict parameters: inline in the pool's lambda the loop stays scalar.
void add_row(const float* __restrict row, float* __restrict p, int64_t cols) {
  for (int64_t c = 0; c < cols; c++) p[c] += row[c];
}

}  // namespace

void sum_rows(const float* x, int64_t rows, int64_t cols, float scale, float* out) {
  constexpr int64_t CHUNK = 64;
  const int64_t chunks = (rows + CHUNK - 1) / CHUNK;
  std::vector<float> partial(static_cast<size_t>(chunks * cols));
  parallel([&](int t, int T) {
    for (int64_t ch = chunks * t / T; ch < chunks * (t + 1) / T; ch++) {
      float* p = partial.data() + ch * cols;
      std::fill(p, p + cols, 0.f);
      const int64_t r1 = std::min(rows, (ch + 1) * CHUNK);
      for (int64_t r = ch * CHUNK; r < r1; r++) add_row(x + r * cols, p, cols);
    }
  });
  std::vector<double> acc(static_cast<size_t>(cols), 0.0);
  for (int64_t ch = 0; ch < chunks; ch++) {
    const float* p = partial.data() + ch * cols;
    for (int64_t c = 0; c < cols; c++) acc[c] += p[c];
  }
  for (int64_t c = 0; c < cols; c++) out[c] = static_cast<float>(acc[c] * scale);
}

}  // namespace pegasus
