// IdleWorker: one thread that runs posted tasks at the lowest CPU priority (Linux SCHED_IDLE),
// for work that must not delay requests: compiling a reloaded configuration, freeing the old
// snapshot.
//
// Why SCHED_IDLE and not a nice value: measured on the 2-core load benchmark (bench/README.md
// "Sidecar", reloads), a nice 10 compile still took whole time slices from the I/O threads
// (`perf sched`: I/O threads waited up to 7 ms to run, 24–29 waits over 1 ms in 5 s, against
// 1.7 ms and 5 without reloads), so p99 rose from 1.5 to 4–5 ms; a custom 100 µs slice did not
// help. A SCHED_IDLE thread is preempted as soon as a normal thread wakes. Its cost: on a machine
// kept fully busy it may wait long for CPU, so callers bound their wait (Reloader::Prepare falls
// back to compiling on the calling thread, reloader.h).
//
// Thread safety: Post may be called from any thread. The destructor runs what was posted, then
// joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace registry_frontend::reload {

class IdleWorker {
 public:
  IdleWorker();
  ~IdleWorker();
  IdleWorker(const IdleWorker&) = delete;
  IdleWorker& operator=(const IdleWorker&) = delete;

  void Post(std::function<void()> task);
  // Whether the thread runs at SCHED_IDLE (false: the system refused; it runs at nice 19).
  bool idle_priority() const { return idle_priority_; }

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  bool idle_priority_ = false;
  std::thread thread_;
};

}  // namespace registry_frontend::reload
