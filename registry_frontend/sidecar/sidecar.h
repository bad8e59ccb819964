// `portcullis sidecar`: an authorization service in front of an existing registry
// (docs/sidecar.md). It answers nginx `auth_request` checks on /auth and Envoy ext_authz HTTP
// checks on /ext_authz/<path> with the same decision the registry front end (`portcullis serve`)
// would take: the same OCI route table and access records (registry_frontend/oci), the same
// passwords (registry_frontend/auth/token.h), the same Authorizer and R152 messages, the same
// audit log. It stores nothing: any number of sidecars can run side by side.
//
// Endpoints (a table in sidecar.cc): /auth, /ext_authz/…, /metrics, /healthz, /admin/reload.
//
// Hot reload: Reload() re-reads the configuration through the loader, compiles a new snapshot
// off the hot path (at SCHED_IDLE, reload/reloader.h) and swaps it atomically (Engine::Publish); a
// configuration that does not load is refused with its located error and the old snapshot keeps
// serving. Reloads are serialised. Triggers: SIGHUP (the command), the file watcher (StartWatcher),
// POST /admin/reload.
//
// Thread safety: OnHeader/OnRequest run concurrently on the I/O threads; Reload, StartWatcher
// and StopWatcher may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "policy_engine/common/status.h"
#include "policy_engine/engine/engine.h"
#include "registry_frontend/audit/audit_log.h"
#include "registry_frontend/auth/authorizer.h"
#include "registry_frontend/auth/token.h"
#include "registry_frontend/http/message.h"
#include "registry_frontend/oci/access.h"
#include "registry_frontend/reload/reloader.h"
#include "registry_frontend/sidecar/check.h"
#include "registry_frontend/sidecar/credential_cache.h"
#include "registry_frontend/sidecar/metrics.h"
#include "registry_frontend/token/token_server.h"

namespace registry_frontend::sidecar {

// Returns the configuration text (store document) to load; called by every reload.
using ConfigLoader = std::function<Result<std::string>()>;

struct SidecarOptions {
  TrustedProxies trusted;                 // --trusted-proxy CIDR…
  std::vector<std::string> pass_through;  // --pass-through PREFIX…: allowed without a decision
  std::string admin_token;                // non-empty: POST /admin/reload needs this bearer token
  std::function<int64_t()> clock;         // epoch seconds; default: time(nullptr)
  // GET /token, the distribution token server (registry_frontend/token): null = 404.
  std::shared_ptr<const token::JwtIssuer> jwt;
  token::TokenServerOptions token;
  // Reloads compile at SCHED_IDLE (reload/reloader.h); when that has not finished within this long
  // (a machine kept fully busy), the reloading thread compiles itself at nice 10, so a policy
  // change is never held back indefinitely. 0: always compile on the reloading thread.
  std::chrono::milliseconds idle_compile_budget{5000};
  std::shared_ptr<reload::IdleWorker> idle_worker;  // null: the sidecar starts its own
  // The configuration text the engine was created from, if known: a reload of the same text is
  // then recognised as unchanged from the first one on.
  std::string initial_config;
};

class Sidecar : public http::Handler {
 public:
  Sidecar(std::unique_ptr<policy_engine::engine::Engine> engine, auth::TokenSigner signer,
          ConfigLoader loader, SidecarOptions options);
  ~Sidecar() override;  // StopWatcher()

  void SetAuditLog(std::shared_ptr<audit::AuditLog> log) { audit_ = std::move(log); }

  // Loads the configuration again and swaps it in; on error the old snapshot stays and the
  // located error is returned (and logged to stderr with `why`). A text identical to the serving
  // one (SHA-256) is not recompiled: OK, `*recompiled` false.
  Status Reload(std::string_view why, bool* recompiled = nullptr);

  // Polls `path` (mtime, size, inode) every `interval` and reloads when it changes.
  void StartWatcher(std::string path, std::chrono::milliseconds interval);
  void StopWatcher();

  http::BodyPlan OnHeader(const http::HttpRequest& request) override;
  http::HttpResponse OnRequest(http::HttpRequest& request, http::BodyPlan& plan) override;

  // The answer to one request (what OnHeader sends), for tests without a server.
  http::HttpResponse Handle(const http::HttpRequest& request);

  const Metrics& metrics() const { return metrics_; }
  const policy_engine::engine::Engine& engine() const { return *engine_; }

 private:
  enum class Mode { kAuthRequest, kExtAuthz };
  http::HttpResponse Check(const http::HttpRequest& request, Mode mode);
  http::HttpResponse AdminReload(const http::HttpRequest& request);
  void Audit(const std::string& principal, const auth::RequestFacts& facts,
             const CheckedRequest& checked, const oci::RouteMatch& route,
             const std::vector<std::pair<std::string, std::string>>& query,
             const std::vector<auth::DecisionRecord>& decisions, int status);
  // Which account and region repository names map to, from a snapshot's repositories.
  void PublishIdentity(const std::vector<policy_engine::engine::RepositoryInfo>& repositories);
  // The current snapshot's size, for /metrics.
  void PublishSnapshotStats();

  std::unique_ptr<policy_engine::engine::Engine> engine_;
  auth::TokenSigner signer_;
  ConfigLoader loader_;
  SidecarOptions options_;
  auth::Authorizer authorizer_;
  std::atomic<std::shared_ptr<const oci::RegistryIdentity>> identity_;
  std::shared_ptr<audit::AuditLog> audit_;
  Metrics metrics_;
  CredentialCache credentials_;  // verified passwords (/auth, /ext_authz)
  std::string request_prefix_;
  std::atomic<uint64_t> next_request_{0};

  std::mutex reload_mu_;                        // one reload at a time
  std::unique_ptr<reload::Reloader> reloader_;  // compiles and frees snapshots at SCHED_IDLE

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;
  std::thread watcher_;
};

}  // namespace registry_frontend::sidecar
