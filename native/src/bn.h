#pragma once
#include <cstdint>

namespace pegasus {
// Training-mode batch-norm followed by LeakyReLU over an NHWC tensor seen as rows x C:
//   y = lrelu(gamma * (x - mean) / sqrt(var + eps) + beta), mean and biased var per channel.
// The backward pass takes dy and the forward's inputs and statistics and gives dx, dgamma, dbeta.
// Channel sums run in fixed chunks of rows (float within a chunk, double across), so any thread
// count gives the same bits.
void bn_leaky_forward(const float* x, int64_t rows, int64_t C, const float* gamma, const float* beta, float eps, float slope, float* y,
                      float* mean, float* var);
void bn_leaky_backward(const float* dy, const float* x, int64_t rows, int64_t C, const float* gamma, const float* beta, const float* mean,
                       const float* var, float eps, float slope, float* dx, float* dgamma, float* dbeta);
}  // namespace pegasus
