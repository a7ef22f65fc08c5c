// Stress test of the thread pool (native/src/pool.cc), built by src/engine/pool.test.ts with
// ThreadSanitizer: many small jobs, the thread count changed every few jobs (as the determinism
// tests do through setThreads), pauses long enough for workers to fall asleep. Every thread must
// run every job it is part of exactly once; a lost or doubled job shows up as a wrong result or a
// hang, a data race as a sanitizer report.
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "../src/pool.h"

int main() {
  constexpr int ROUNDS = 20000, CHURN = 7;
  std::vector<int> runs(8);
  for (int round = 0; round < ROUNDS; round++) {
    if (round % CHURN == 0) pegasus::set_threads(1 + (round / CHURN) % 3);
    const int T = pegasus::threads();
    std::vector<int> seen(8, 0);
    pegasus::parallel([&](int t, int n) { seen[t] += n == T ? 1 : 100; });
    for (int t = 0; t < 8; t++) {
      if (seen[t] != (t < T ? 1 : 0)) {
        std::printf("round %d: thread %d of %d ran the job %d times (or saw another thread count)\n", round, t, T, seen[t]);
        return 1;
      }
    }
    if (round % 2000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // workers sleep
  }
  std::printf("ok: %d jobs\n", ROUNDS);
  return 0;
}
