// Reloader (reloader.h).
#include "registry_frontend/reload/reloader.h"

#include <openssl/evp.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>

namespace registry_frontend::reload {

namespace pe = policy_engine;

namespace {

// A compile posted to the idle worker, and whether its poster still waits for it.
struct PendingCompile {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<pe::Result<pe::engine::SnapshotHandle>> result;
  bool abandoned = false;
};

}  // namespace

Reloader::Reloader(std::shared_ptr<IdleWorker> worker, std::chrono::milliseconds budget)
    : worker_(worker ? std::move(worker) : std::make_shared<IdleWorker>()), budget_(budget) {}

Reloader::Prepared Reloader::Prepare(std::string text, const pe::engine::EngineOptions& options) {
  using pe::engine::Engine;
  Prepared out{pe::Status("UNAVAILABLE", "not compiled"), false};
  if (budget_.count() > 0) {
    auto pending = std::make_shared<PendingCompile>();
    auto shared_text = std::make_shared<const std::string>(std::move(text));
    worker_->Post([pending, shared_text, options] {
      auto prepared = Engine::Prepare(*shared_text, options);
      std::lock_guard<std::mutex> lock(pending->mu);
      // Abandoned: `prepared` is dropped here, still at idle priority.
      if (!pending->abandoned) pending->result = std::move(prepared);
      pending->cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(pending->mu);
    if (pending->cv.wait_for(lock, budget_, [&] { return pending->result.has_value(); })) {
      out.snapshot = std::move(*pending->result);
      return out;
    }
    pending->abandoned = true;
    text = *shared_text;
    out.fell_back = true;
    std::cerr << "portcullis: the reload has not compiled at idle priority within "
              << budget_.count() << " ms (the machine is busy); compiling on the reloading thread"
              << std::endl;
  }
  // The fallback competes with the request threads for the same cores: whichever thread reloads
  // (signal thread, file watcher, the HTTP server's blocking-work thread) runs at nice 10 from
  // then on.
  thread_local bool lowered = [] {
    return setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10) == 0;
  }();
  (void)lowered;  // best effort: a failure only costs latency during reloads
  out.snapshot = Engine::Prepare(text, options);
  return out;
}

void Reloader::Retire(pe::engine::SnapshotHandle old) {
  auto retired = std::make_shared<pe::engine::SnapshotHandle>(std::move(old));
  worker_->Post([retired] { retired->reset(); });
}

std::string Reloader::Digest(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace registry_frontend::reload
