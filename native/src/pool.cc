#include "pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pegasus {
namespace {

using Clock = std::chrono::steady_clock;

// How long a worker polls for the next job, and the caller for the workers' end, before sleeping
// on a condition variable. Waking a sleeping thread costs about 70 us here (measured: a parallel
// LeakyReLU over 64 Ki floats took 74 us against 7.5 us serially), and a training step hands out
// hundreds of jobs a few tens of us apart; past this the threads sleep and take no CPU from the
// wasm backend's own threads or the data loader.
constexpr auto SPIN = std::chrono::microseconds(300);

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Polls done() until it holds or SPIN has passed; whether it holds.
template <class F>
bool spin_until(const F& done) {
  if (done()) return true;
  const auto until = Clock::now() + SPIN;
  for (;;) {
    for (int k = 0; k < 64; k++) {
      if (done()) return true;
      relax();
    }
    if (Clock::now() > until) return done();
  }
}

struct Pool {
  std::mutex mu;
  std::condition_variable wake, finished;
  // Written by the caller before it publishes a job by bumping `generation` (release).
  const std::function<void(int, int)>* job = nullptr;
  int size = 1;  // threads including the caller
  std::atomic<long> generation{0};
  std::atomic<int> pending{0};
  int started = 0;  // workers running (under mu)

  // Called with mu held. A new worker starts at the current generation: the last job is done.
  void grow(int n) {
    while (started + 1 < n) {
      int id = ++started;
      long seen = generation.load();
      // Detached on purpose: they sleep between jobs and die with the process.
      std::thread([this, id, seen] { work(id, seen); }).detach();
    }
  }

  void work(int id, long seen) {
    for (;;) {
      if (!spin_until([&] { return generation.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lock(mu);
        wake.wait(lock, [&] { return generation.load(std::memory_order_acquire) != seen; });
      }
      seen = generation.load(std::memory_order_acquire);
      const std::function<void(int, int)>* fn = job;
      const int T = size;
      if (id >= T) continue;
      (*fn)(id, T);
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu);  // the caller may be about to wait on `finished`
        finished.notify_one();
      }
    }
  }
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: detached workers may still wait on it at exit
  return *p;
}

}  // namespace

void set_threads(int n) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  p.size = n < 1 ? 1 : n;
  p.grow(p.size);
}

int threads() { return pool().size; }

// Jobs come from one thread at a time (the JS thread), so job, size and pending are the caller's
// until it bumps generation.
void parallel(const std::function<void(int, int)>& fn) {
  Pool& p = pool();
  const int T = p.size;
  if (T == 1) {
    fn(0, 1);
    return;
  }
  p.job = &fn;
  p.pending.store(T - 1, std::memory_order_relaxed);
  {
    // under mu, so that a worker between its predicate check and its wait cannot miss the bump
    std::lock_guard<std::mutex> lock(p.mu);
    p.generation.fetch_add(1, std::memory_order_release);
  }
  p.wake.notify_all();
  fn(0, T);
  if (spin_until([&] { return p.pending.load(std::memory_order_acquire) == 0; })) return;
  std::unique_lock<std::mutex> lock(p.mu);
  p.finished.wait(lock, [&] { return p.pending.load(std::memory_order_acquire) == 0; });
}

}  // namespace pegasus
