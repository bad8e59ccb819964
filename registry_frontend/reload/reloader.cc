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

// A reload job posted to the idle worker, and whether its poster still waits for it.
struct PendingJob {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Reloader::Prepared> result;
  bool abandoned = false;
};

Reloader::Prepared Run(const Reloader::Loader& load, const std::string& serving_digest,
                       const pe::engine::EngineOptions& options) {
  Reloader::Prepared out{pe::Status("NO_CONFIG", "no configuration loader"), false, {}, false};
  if (!load) return out;
  pe::Result<std::string> text = load();
  if (!text) {
    out.snapshot = text.error();
    return out;
  }
  out.digest = Reloader::Digest(*text);
  if (!out.digest.empty() && out.digest == serving_digest) {
    out.unchanged = true;
    out.snapshot = pe::engine::SnapshotHandle();
    return out;
  }
  out.snapshot = pe::engine::Engine::Prepare(*text, options);
  return out;
}

}  // namespace

Reloader::Reloader(std::shared_ptr<IdleWorker> worker, std::chrono::milliseconds budget)
    : worker_(worker ? std::move(worker) : std::make_shared<IdleWorker>()), budget_(budget) {}

Reloader::Prepared Reloader::Prepare(Loader load, std::string serving_digest,
                                     const pe::engine::EngineOptions& options) {
  if (budget_.count() > 0) {
    auto pending = std::make_shared<PendingJob>();
    worker_->Post([pending, load, serving_digest, options] {
      {
        std::lock_guard<std::mutex> lock(pending->mu);
        if (pending->abandoned) return;  // the caller did it itself meanwhile
      }
      Prepared prepared = Run(load, serving_digest, options);
      std::lock_guard<std::mutex> lock(pending->mu);
      // Abandoned while running: `prepared` is dropped here, still at idle priority.
      if (!pending->abandoned) pending->result = std::move(prepared);
      pending->cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(pending->mu);
    if (pending->cv.wait_for(lock, budget_, [&] { return pending->result.has_value(); })) {
      return std::move(*pending->result);
    }
    pending->abandoned = true;
    std::cerr << "portcullis: the reload has not run at idle priority within " << budget_.count()
              << " ms (the machine is busy); reloading on the calling thread" << std::endl;
  }
  // The fallback competes with the request threads for the same cores: whichever thread reloads
  // (signal thread, file watcher, the HTTP server's blocking-work thread) runs at nice 10 from
  // then on.
  thread_local bool lowered = [] {
    return setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10) == 0;
  }();
  (void)lowered;  // best effort: a failure only costs latency during reloads
  Prepared out = Run(load, serving_digest, options);
  out.fell_back = budget_.count() > 0;
  return out;
}

void Reloader::Retire(pe::engine::SnapshotHandle old) {
  auto retired = std::make_shared<pe::engine::SnapshotHandle>(std::move(old));
  worker_->Post([retired] { retired->reset(); });
}

Reloader::Outcome Reloader::Reload(pe::engine::Engine& engine, const Loader& load,
                                   const pe::engine::Engine::AcceptRepositories& accept) {
  Prepared prepared = Prepare(load, serving_digest_, engine.options());
  Outcome out{pe::Status::Ok(), prepared.unchanged, prepared.fell_back};
  if (prepared.unchanged) return out;
  if (!prepared.snapshot) {
    out.status = prepared.snapshot.error();
    return out;
  }
  auto old = engine.Publish(std::move(*prepared.snapshot), accept);
  if (!old) {
    out.status = old.error();
    return out;
  }
  Retire(std::move(*old));
  serving_digest_ = prepared.digest;
  return out;
}

std::string Reloader::Digest(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace registry_frontend::reload
