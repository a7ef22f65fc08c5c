#include "pool.h"

#include <atomic>
#include <chrono>
#include <cstdint>
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

// A published job: its generation and its thread count in one word, so that a worker reads both
// at once. (Read apart, a worker that sat out one job could pair its generation with the next
// job's thread count after set_threads, run a finished job and count itself twice.)
constexpr int COUNT_BITS = 16;
inline uint64_t pack(uint64_t generation, int T) { return generation << COUNT_BITS | static_cast<uint64_t>(T); }
inline uint64_t generation_of(uint64_t s) { return s >> COUNT_BITS; }
inline int threads_of(uint64_t s) { return static_cast<int>(s & ((1u << COUNT_BITS) - 1)); }

struct Pool {
  std::mutex mu;
  std::condition_variable wake, finished;
  // Written by the caller before it publishes the job in `state` (release); read by a worker only
  // for a job it takes part in, which cannot end (and be replaced) before it is done.
  const std::function<void(int, int)>* job = nullptr;
  int size = 1;  // threads of the next job, including the caller; the caller's alone
  std::atomic<uint64_t> state{0};
  std::atomic<int> pending{0};
  int started = 0;  // workers running (under mu)

  // Called with mu held. A new worker starts at the current generation: the last job is done.
  void grow(int n) {
    while (started + 1 < n) {
      int id = ++started;
      const uint64_t seen = generation_of(state.load());
      // Detached on purpose: they sleep between jobs and die with the process.
      std::thread([this, id, seen] { work(id, seen); }).detach();
    }
  }

  void work(int id, uint64_t seen) {
    const auto fresh = [&] { return generation_of(state.load(std::memory_order_acquire)) != seen; };
    for (;;) {
      if (!spin_until(fresh)) {
        std::unique_lock<std::mutex> lock(mu);
        wake.wait(lock, fresh);
      }
      const uint64_t s = state.load(std::memory_order_acquire);
      seen = generation_of(s);
      const int T = threads_of(s);
      if (id >= T) continue;  // not in this job
      (*job)(id, T);
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
// until it publishes the job in state.
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
    // under mu, so that a worker between its predicate check and its wait cannot miss the job
    std::lock_guard<std::mutex> lock(p.mu);
    p.state.store(pack(generation_of(p.state.load(std::memory_order_relaxed)) + 1, T), std::memory_order_release);
  }
  p.wake.notify_all();
  fn(0, T);
  if (spin_until([&] { return p.pending.load(std::memory_order_acquire) == 0; })) return;
  std::unique_lock<std::mutex> lock(p.mu);
  p.finished.wait(lock, [&] { return p.pending.load(std::memory_order_acquire) == 0; });
}

}  // namespace pegasus
