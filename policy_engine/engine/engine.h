// The engine facade: the one header the registry front end includes to authorize requests
// (docs/architecture-and-style.md §2, LevelDB's narrow `db.h`). Everything behind it — the store
// loader, the compiled DecisionProgram, the reference evaluator — can change without touching
// the front end, which sees only model value types and Status/Result.
//
// Why a snapshot: policies change while requests are in flight (reload on SIGHUP, policy writes).
// Each Decide pins one immutable Snapshot (store + compiled program), so a decision never mixes
// two configurations, and readers never lock or wait for a reload (reader_slots.h). Reload
// builds a complete new snapshot first and swaps it only when it loaded and compiled cleanly;
// Prepare and Publish are its two halves, for callers that compile on a thread of their own.
//
// Thread safety: every method may be called from any number of threads concurrently.
// Nothing here throws; an internal error in a decision is an ImplicitDeny (fail closed).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy_engine/common/status.h"
#include "policy_engine/model/decision.h"
#include "policy_engine/model/request.h"

namespace policy_engine::engine {

// What the front end needs to know about a repository (docs/store-format.md `repositories`).
struct RepositoryInfo {
  std::string arn;  // arn:aws:ecr:REGION:ACCT:repository/NAME
  std::string name;
  std::string account;
  std::string region;
  std::vector<std::pair<std::string, std::string>> tags;
  // Registry settings from the store (`imageTagMutability`, …) as a JSON object text, or empty.
  // Not evaluated by the engine; validated and used by the front end.
  std::string settings;
};

// A user's long-term access key (docs/store-format.md §1.5 `accessKeys`), for front ends that
// authenticate with key pairs (Basic auth with id:secret, SigV4).
struct AccessKeyInfo {
  std::string principal_arn;
  std::string secret;
  bool active = true;
};

// A request key the front end supplies (aws:SourceIp, aws:CurrentTime, …): single-valued, as
// model::Context::SetSingle sets it.
struct RequestKey {
  std::string_view name;
  std::string_view value;
};

// Opaque: a loaded store and its compiled program.
struct Snapshot;
class ReaderCounters;
struct SnapshotDeleter {
  void operator()(Snapshot* snapshot) const;
};
// Owns a snapshot that is not serving: one Prepare made, or one Publish retired (destroying a
// large one takes milliseconds, so the caller chooses the thread).
using SnapshotHandle = std::unique_ptr<Snapshot, SnapshotDeleter>;

struct EngineOptions {
  // Exact decision memo per snapshot: the result of Decide for identical inputs (principal,
  // action, resource and every context key and value) under the same snapshot, which is a pure
  // function of them. Direct-mapped, this many slots (0 = off); bounded memory, replaced with the
  // snapshot on reload. Request keys that no policy of the snapshot names (e.g. aws:CurrentTime
  // in a store without date conditions) are left out of the memo key: they cannot change a
  // decision. A result is stored the second time its inputs are seen (one-off requests do not
  // evict repeated ones).
  size_t decision_memo_slots = 4096;
};

class Engine {
 public:
  // Loads and compiles a store document (docs/store-format.md).
  static Result<std::unique_ptr<Engine>> Create(std::string_view store_text,
                                                EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads and compiles `store_text` and publishes it; on error the current snapshot stays. The
  // previous snapshot is freed on the calling thread once decisions in flight have let it go
  // (they hold it for microseconds), so request threads never pay for freeing it.
  // `accept`, when given, sees the new snapshot's repositories before it is published (a front
  // end validating its own settings, RepositoryInfo::settings); an error from it is returned and
  // nothing changes.
  using AcceptRepositories = std::function<Status(const std::vector<RepositoryInfo>&)>;
  Status Reload(std::string_view store_text, const AcceptRepositories& accept = {});

  // Reload in two halves. Prepare loads and compiles (no engine state: any thread, even one
  // that outlives the engine). Publish checks `accept`, swaps `next` in, waits for decisions
  // still reading the old snapshot (microseconds; readers never wait for it) and returns the old
  // snapshot for the caller to destroy. Publishes are serialized. Neither may be called from
  // inside a decision (accept must not call Decide).
  static Result<SnapshotHandle> Prepare(std::string_view store_text, EngineOptions options);
  Result<SnapshotHandle> Publish(SnapshotHandle next, const AcceptRepositories& accept = {});
  const EngineOptions& options() const { return options_; }

  // Decides `action` on `resource` for `principal` (an IAM/STS ARN, a service principal or
  // `anonymous`, resolved against the store as by `portcullis eval --store`). `context` holds
  // the request keys (aws:SourceIp, aws:CurrentTime, …); principal- and resource-derived keys are
  // added from the store (R105/R146). Requests that cannot be built (unknown principal, bad
  // action) and internal errors are ImplicitDeny with `reason` starting with "error: ".
  model::DecisionResult Decide(std::string_view principal, std::string_view action,
                               std::string_view resource, model::Context context) const;
  model::DecisionResult Decide(const model::Principal& principal, std::string_view action,
                               std::string_view resource, model::Context context) const;
  // The front ends' per-request entry: the same decision as the Context overload with each key
  // set by SetSingle, but common requests (a user, role, account-root or anonymous caller; a
  // catalog action on a repository the store knows, or on `*`) take the direct path, which binds
  // them to the compiled program with the principal's and repository's derived keys precomputed
  // per snapshot instead of building a model::Context (several times faster, BM_EngineDecide).
  model::DecisionResult Decide(std::string_view principal, std::string_view action,
                               std::string_view resource, std::span<const RequestKey> keys) const;

  // A user or role ARN for `name_or_arn`: an ARN the store knows, or the name (last path
  // segment) of exactly one user or role. NOT_FOUND / AMBIGUOUS otherwise.
  Result<std::string> ResolvePrincipal(std::string_view name_or_arn) const;

  // The access key `access_key_id` of the current snapshot; NOT_FOUND when unknown.
  Result<AccessKeyInfo> FindAccessKey(std::string_view access_key_id) const;
  // The user owning an active key whose secret is `secret` (compared in constant time);
  // UNAUTHENTICATED otherwise, without saying whether the id or the secret was wrong.
  Result<std::string> AuthenticateAccessKey(std::string_view access_key_id,
                                            std::string_view secret) const;

  // Repositories of the current snapshot, by ARN order.
  std::vector<RepositoryInfo> Repositories() const;

  // Size of the current snapshot, for metrics (`portcullis sidecar` /metrics): compiled
  // statements (shared policies once), policies, and the compiled program's approximate bytes.
  struct SnapshotStats {
    size_t statements = 0;
    size_t policies = 0;
    size_t approximate_bytes = 0;
  };
  SnapshotStats Stats() const;

  // Decisions that ended in an internal error (failed closed), for tests and metrics.
  uint64_t error_count() const;
  // Decisions that took the reference-evaluator fallback.
  uint64_t reference_count() const;
  // Decisions answered from the decision memo (EngineOptions::decision_memo_slots).
  uint64_t memo_hits() const;
  // Decisions made by the direct path (the span overload of Decide), memo hits not counted.
  uint64_t direct_count() const;

 private:
  class Pinned;  // the serving snapshot, pinned by the calling thread for one scope
  Engine(SnapshotHandle snapshot, EngineOptions options);
  // Decide's general path without the memo: MakeRequest, CompleteContext, compiled or reference.
  model::DecisionResult DecideGeneral(const Snapshot& snapshot, std::string_view principal,
                                      std::string_view action, std::string_view resource,
                                      model::Context context) const;

  std::atomic<Snapshot*> current_;            // owned; immutable while published
  std::unique_ptr<ReaderCounters> counters_;  // per reader slot
  std::mutex publish_mu_;
  EngineOptions options_;
};

// True when `result` is an internal-error deny made by Decide.
bool IsError(const model::DecisionResult& result);

}  // namespace policy_engine::engine
