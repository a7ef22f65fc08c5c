#pragma once
#include <cstdint>

namespace pegasus {
// LeakyReLU and its gradient, element-wise over n floats: y = x > 0 ? x : slope * x and
// dx = x > 0 ? dy : slope * dy (tfjs's convention at x = 0).
void leaky_relu(const float* x, int64_t n, float slope, float* y);
void leaky_relu_grad(const float* x, const float* dy, int64_t n, float slope, float* dx);
// tanh and its gradient from the output: y = tanh(x), dx = dy * (1 - y^2).
void tanh_forward(const float* x, int64_t n, float* y);
void tanh_grad(const float* y, const float* dy, int64_t n, float* dx);
}  // namespace pegasus
