// IdleWorker (idle_worker.h).
#include "registry_frontend/reload/idle_worker.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <iostream>

namespace registry_frontend::reload {

IdleWorker::IdleWorker() {
  std::mutex started_mu;
  std::condition_variable started_cv;
  bool started = false;
  thread_ = std::thread([&] {
    pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
    sched_param param{};
    bool idle = sched_setscheduler(tid, SCHED_IDLE, &param) == 0;
    if (!idle) (void)setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 19);
    {
      std::lock_guard<std::mutex> lock(started_mu);
      idle_priority_ = idle;
      started = true;
    }
    started_cv.notify_one();
    Run();
  });
  std::unique_lock<std::mutex> lock(started_mu);
  started_cv.wait(lock, [&] { return started; });
}

IdleWorker::~IdleWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void IdleWorker::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void IdleWorker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stop_ and nothing left
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      std::cerr << "portcullis: background task failed: " << e.what() << std::endl;
    }
    task = nullptr;  // whatever it captured is released here, at idle priority
    lock.lock();
  }
}

}  // namespace registry_frontend::reload
