// Reloader: the part of a configuration reload that both `portcullis serve` (SIGHUP) and
// `portcullis sidecar` (SIGHUP, file watcher, POST /admin/reload) share: compile the new snapshot
// on an IdleWorker at SCHED_IDLE, but never wait for it longer than a budget (a machine kept
// fully busy may give an idle thread no core: the caller then compiles itself, at nice 10, so a
// policy change — a revocation — is never held back), free retired snapshots there too, and
// recognise a configuration text that is already serving (SHA-256), which need not be compiled.
//
// Thread safety: Prepare and Retire may be called from any thread; callers serialise reloads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "policy_engine/common/status.h"
#include "policy_engine/engine/engine.h"
#include "registry_frontend/reload/idle_worker.h"

namespace registry_frontend::reload {

class Reloader {
 public:
  // `worker` null: the reloader starts its own. `budget` 0: always compile on the caller.
  explicit Reloader(std::shared_ptr<IdleWorker> worker = nullptr,
                    std::chrono::milliseconds budget = std::chrono::milliseconds(5000));

  struct Prepared {
    policy_engine::Result<policy_engine::engine::SnapshotHandle> snapshot;
    bool fell_back = false;  // compiled on the calling thread after the budget ran out
  };
  Prepared Prepare(std::string text, const policy_engine::engine::EngineOptions& options);
  // Destroys `old` on the idle worker (freeing a large snapshot takes milliseconds).
  void Retire(policy_engine::engine::SnapshotHandle old);

  // SHA-256 of a configuration text, raw bytes; "" when hashing fails (equal to nothing).
  static std::string Digest(std::string_view text);

 private:
  std::shared_ptr<IdleWorker> worker_;
  std::chrono::milliseconds budget_;
};

}  // namespace registry_frontend::reload
