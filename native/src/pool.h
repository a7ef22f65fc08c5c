// A tiny fixed thread pool: run(fn) calls fn(t, T) on T threads (the caller is thread 0) and
// returns when all are done. Workers sleep on a condition variable between jobs, so they take no
// CPU from the wasm backend's own threads while tfjs runs its kernels.
#pragma once
#include <functional>

namespace pegasus {
void set_threads(int n);
int threads();
void parallel(const std::function<void(int t, int T)>& fn);
}  // namespace pegasus
