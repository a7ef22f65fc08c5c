#pragma once
#include <cstdint>

namespace pegasus {
// out[c] = scale * sum over r of x[r * cols + c]: the per-channel sums of an NHWC tensor that
// batch-norm and its gradient need. Deterministic for any thread count: fixed chunks of rows
// summed in float, chunks added in order in double.
void sum_rows(const float* x, int64_t rows, int64_t cols, float scale, float* out);
}  // namespace pegasus
