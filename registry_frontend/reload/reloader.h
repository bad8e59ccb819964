// Reloader: the part of a configuration reload that both `portcullis serve` (SIGHUP) and
// `portcullis sidecar` (SIGHUP, file watcher, POST /admin/reload) share: compile the new snapshot
// on an IdleWorker at SCHED_IDLE, but never wait for it longer than a budget (a machine kept
// fully busy may give an idle thread no core: the caller then compiles itself, at nice 10, so a
// policy change — a revocation — is never held back), free retired snapshots there too, and
// recognise a configuration text that is already serving (SHA-256), which need not be compiled.
// Everything a reload does runs there: reading and hashing the file as well as compiling it.
//
// Thread safety: Prepare and Retire may be called from any thread; callers serialise reloads.
#pragma once

#include <chrono>
#include <functional>
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

  // Reads the configuration text (called on the idle worker, or on the caller after the budget).
  using Loader = std::function<policy_engine::Result<std::string>()>;
  struct Prepared {
    // The compiled snapshot; OK with a null handle when `unchanged`; the loader's or the
    // compiler's located error otherwise.
    policy_engine::Result<policy_engine::engine::SnapshotHandle> snapshot;
    bool unchanged = false;  // the text's digest was `serving_digest`: nothing compiled
    std::string digest;      // of the text read ("" when it could not be read)
    bool fell_back = false;  // done on the calling thread after the budget ran out
  };
  // Reading the file, hashing it (a few ms for a 10k-statement store) and compiling all run on
  // the idle worker: any of them on a request-priority thread takes a core from the I/O threads.
  Prepared Prepare(Loader load, std::string serving_digest,
                   const policy_engine::engine::EngineOptions& options);
  // Destroys `old` on the idle worker (freeing a large snapshot takes milliseconds).
  void Retire(policy_engine::engine::SnapshotHandle old);

  // A whole reload of `engine`: Prepare against the serving text's digest, Publish (with
  // `accept`, as Engine::Publish), Retire the old snapshot, remember the new text's digest.
  // Callers serialise reloads of one engine.
  struct Outcome {
    policy_engine::Status status;  // the loader's, compiler's or accept's located error
    bool unchanged = false;        // the serving text again: nothing compiled or published
    bool fell_back = false;        // see Prepared::fell_back
  };
  Outcome Reload(policy_engine::engine::Engine& engine, const Loader& load,
                 const policy_engine::engine::Engine::AcceptRepositories& accept = {});
  // The text the engine was created from: a reload of the same text is then unchanged.
  void SetServing(std::string_view text) { serving_digest_ = Digest(text); }

  // SHA-256 of a configuration text, raw bytes; "" when hashing fails (equal to nothing).
  static std::string Digest(std::string_view text);

 private:
  std::shared_ptr<IdleWorker> worker_;
  std::chrono::milliseconds budget_;
  std::string serving_digest_;  // SHA-256 of the serving text ("" = unknown)
};

}  // namespace registry_frontend::reload
