// The OCI distribution API handler: route → authenticate → authorize → storage, for one
// registry endpoint (one account and region, like `<account>.dkr.ecr.<region>.amazonaws.com`).
// docs/registry.md lists what it serves; docs/architecture-and-style.md §4 the life of a request.
//
// Order of checks, per request (R150, R151, §7.3): route (404/405 for paths that are not part of
// the API) → authentication (401 + Basic challenge) → route captures (NAME_INVALID, …) →
// authorization of every access record (403 DENIED) → repository existence (NAME_UNKNOWN) → the
// operation. Everything up to authorization happens in OnHeader, before any body byte is read.
//
// Repositories come from the engine's store: a repository must exist there before anything is
// pushed to it (as in ECR). Blob and manifest data live under the data directory.
//
// Known gap (next sessions): blob file I/O runs on the I/O threads instead of a thread pool.
//
// Thread safety: OnHeader/OnRequest may be called concurrently from the I/O threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/engine/engine.h"
#include "registry_frontend/audit/audit_log.h"
#include "registry_frontend/auth/authorizer.h"
#include "registry_frontend/auth/token.h"
#include "registry_frontend/http/message.h"
#include "registry_frontend/oci/access.h"
#include "registry_frontend/registry/settings.h"
#include "registry_frontend/storage/blob_store.h"
#include "registry_frontend/storage/metadata.h"

namespace registry_frontend::registry {

using policy_engine::Result;
using policy_engine::Status;

class Registry : public http::Handler {
 public:
  // `engine` must outlive the registry. Opens (creating) DATA/blobs, DATA/uploads,
  // DATA/metadata.db and DATA/auth/token.key.
  // `settings` name only repositories the registry serves (else an error); the others are
  // MUTABLE. They are written to DATA/metadata.db, which the handlers read.
  static Result<std::shared_ptr<Registry>> Open(const policy_engine::engine::Engine& engine,
                                                const std::string& data_dir,
                                                RepositorySettings settings = {});

  // Re-reads the repository list from the engine (after Engine::Reload) and records each served
  // repository's settings (those given to Open; MUTABLE otherwise).
  Status SyncRepositories();
  // Whether the registry accepts a new configuration's repositories (their settings are valid);
  // pass to Engine::Reload so a bad configuration is refused before it is published.
  Status CheckRepositories(
      const std::vector<policy_engine::engine::RepositoryInfo>& repositories) const;

  http::BodyPlan OnHeader(const http::HttpRequest& request) override;
  http::HttpResponse OnRequest(http::HttpRequest& request, http::BodyPlan& plan) override;

  // Every authorization decision from now on is written to `log` (one line each, with the
  // request's final status). Call before serving; null = no audit log.
  void SetAuditLog(std::shared_ptr<audit::AuditLog> log) { audit_ = std::move(log); }

  // Benchmark only (`serve --authorization=off`, bench/registry_head_wrk.sh): requests are still
  // authenticated, but their access records are not decided (as if allowed), so the cost of
  // authorization can be measured. Never for serving. Call before serving.
  void DisableAuthorizationForBenchmark() { authorization_off_ = true; }

  const auth::TokenSigner& signer() const { return signer_; }
  const auth::Authorizer& authorizer() const { return authorizer_; }
  const oci::RegistryIdentity& identity() const { return identity_; }
  void SetClockForTest(std::function<int64_t()> clock) { clock_ = std::move(clock); }

  struct RequestState;

 private:
  // Tag mutability of every served repository (--repository-settings over the store's).
  Result<std::map<std::string, storage::TagMutability>> ServedSettings(
      const std::vector<policy_engine::engine::RepositoryInfo>& repositories) const;
  Registry(const policy_engine::engine::Engine& engine, auth::TokenSigner signer,
           std::unique_ptr<storage::BlobStore> blobs, std::unique_ptr<storage::Metadata> meta)
      : engine_(engine),
        signer_(std::move(signer)),
        authorizer_(engine),
        blobs_(std::move(blobs)),
        meta_(std::move(meta)) {}

  bool RepositoryExists(const std::string& name) const;
  std::vector<std::string> RepositoryNames() const;

  http::HttpResponse Dispatch(RequestState& s, http::HttpRequest& request);
  http::HttpResponse Manifest(RequestState& s, http::HttpRequest& request);
  http::HttpResponse PutManifest(RequestState& s, http::HttpRequest& request);
  http::HttpResponse Blob(RequestState& s);
  http::HttpResponse StartUpload(RequestState& s);
  http::HttpResponse FinishUpload(RequestState& s, const std::string& digest);
  http::HttpResponse UploadProgress(RequestState& s, int status);
  http::HttpResponse TagsList(RequestState& s);
  http::HttpResponse Catalog(RequestState& s);

  const policy_engine::engine::Engine& engine_;
  auth::TokenSigner signer_;
  auth::Authorizer authorizer_;
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<storage::Metadata> meta_;
  oci::RegistryIdentity identity_;
  std::function<int64_t()> clock_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::map<std::string, std::string>> repositories_;  // name → ARN
  RepositorySettings settings_;
  std::shared_ptr<audit::AuditLog> audit_;
  bool authorization_off_ = false;
  std::atomic<uint64_t> next_request_{0};
  std::string request_prefix_;  // per process, so ids from restarts do not collide
};

}  // namespace registry_frontend::registry
