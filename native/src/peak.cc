// A register-only FMA loop: 24 independent accumulators (the micro-kernel's 12 x 2 vectors), so
// the FMA units, not latency, limit it. Compiled with -march=native like conv.cc, so v16 is one
// AVX-512 register where the CPU has them (two AVX2 registers elsewhere), as in the real kernel.
#include "peak.h"

#include <chrono>
#include <vector>

#include "pool.h"

namespace pegasus {
namespace {

typedef float v16 __attribute__((vector_size(64)));
constexpr int CHAINS = 24;
constexpr long ITERATIONS = 1 << 19;  // 2 * 16 * 24 * 2^19 = 400 MFLOP per thread and run (about 2 ms)

float fma_chains(float a, float b) {
  v16 c[CHAINS];
  for (int i = 0; i < CHAINS; i++) c[i] = v16{} + static_cast<float>(i);
  const v16 va = v16{} + a, vb = v16{} + b;
  for (long k = 0; k < ITERATIONS; k++) {
#pragma GCC unroll 24
    for (int i = 0; i < CHAINS; i++) c[i] = c[i] * va + vb;
  }
  float s = 0;
  for (int i = 0; i < CHAINS; i++) s += c[i][0];
  return s;
}

}  // namespace

double fma_peak_gflops() {
  volatile float a = 0.999f, b = 1e-3f;  // not known at compile time: the loop cannot be folded
  const int T = threads();
  std::vector<float> results(static_cast<size_t>(T));
  double best = 0;
  for (int run = 0; run < 5; run++) {
    const auto t0 = std::chrono::steady_clock::now();
    parallel([&](int t, int) { results[t] = fma_chains(a, b); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double flop = 2.0 * 16 * CHAINS * ITERATIONS * T;
    if (flop / s / 1e9 > best) best = flop / s / 1e9;
  }
  volatile float sink = 0;  // the results are used: the loops cannot be dropped
  for (float r : results) sink = sink + r;
  return best;
}

}  // namespace pegasus
