// A tiny fixed thread pool: parallel(fn) calls fn(t, T) on T threads (the caller is thread 0) and
// returns when all are done. Between jobs workers poll for up to 300 us (a training step's jobs
// come tens of us apart), then sleep on a condition variable, so that in longer pauses they take
// no CPU from the wasm backend's own threads or the data loader (pool.cc).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

namespace pegasus {
void set_threads(int n);
int threads();
void parallel(const std::function<void(int t, int T)>& fn);

// fn(i0, i1) over [0, n) for element-wise work: one call below 64 Ki elements (a hand-off to the
// threads costs about 5 us, as much as one thread needs for 40 Ki floats of LeakyReLU; a 16 Ki
// threshold measured no faster), else one contiguous chunk per thread.
template <class Fn>
void parallel_range(int64_t n, Fn fn) {
  constexpr int64_t SERIAL = 1 << 16;
  if (n < SERIAL) return fn(int64_t{0}, n);
  parallel([&](int t, int T) {
    const int64_t chunk = (n + T - 1) / T;
    fn(std::min(n, chunk * t), std::min(n, chunk * (t + 1)));
  });
}
}  // namespace pegasus
