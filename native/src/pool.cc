#include "pool.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pegasus {
namespace {

struct Pool {
  std::mutex mu;
  std::condition_variable wake, finished;
  const std::function<void(int, int)>* job = nullptr;
  long generation = 0;
  int pending = 0;
  int size = 1;  // threads including the caller
  int started = 0;  // workers running

  // Called with mu held. A new worker starts at the current generation: the last job is done.
  void grow(int n) {
    while (started + 1 < n) {
      int id = ++started;
      long seen = generation;
      // Detached on purpose: they sleep between jobs and die with the process.
      std::thread([this, id, seen] { work(id, seen); }).detach();
    }
  }

  void work(int id, long seen) {
    for (;;) {
      const std::function<void(int, int)>* fn;
      int T;
      {
        std::unique_lock<std::mutex> lock(mu);
        wake.wait(lock, [&] { return generation != seen; });
        seen = generation;
        fn = job;
        T = size;
      }
      if (id < T) (*fn)(id, T);
      std::lock_guard<std::mutex> lock(mu);
      if (id < T && --pending == 0) finished.notify_one();
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

void parallel(const std::function<void(int, int)>& fn) {
  Pool& p = pool();
  int T;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    T = p.size;
    if (T > 1) {
      p.job = &fn;
      p.pending = T - 1;
      p.generation++;
    }
  }
  if (T == 1) {
    fn(0, 1);
    return;
  }
  p.wake.notify_all();
  fn(0, T);
  std::unique_lock<std::mutex> lock(p.mu);
  p.finished.wait(lock, [&] { return p.pending == 0; });
}

}  // namespace pegasus
