// Registry metadata in SQLite (WAL): repositories and their settings (tag mutability, R161),
// manifests, tags, which blobs each repository holds, and which blobs each manifest references
// (R157: only referenced blobs are downloadable).
//
// Why per-repository blob links although blobs are stored once globally: an answer to
// `HEAD /v2/a/blobs/D` must not reveal that D was pushed to repository b (R157 spirit), and a
// manifest may only reference blobs pushed to (or mounted into) its own repository
// (MANIFEST_BLOB_UNKNOWN otherwise).
//
// Thread safety: all methods may be called concurrently (one connection behind a mutex; the
// statements are short). Errors are Status values (code UNKNOWN for SQLite failures,
// MANIFEST_UNKNOWN / NAME_UNKNOWN for absent rows).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "policy_engine/common/status.h"
#include "registry_frontend/storage/tag_mutability.h"

struct sqlite3;

namespace registry_frontend::storage {

using policy_engine::Result;
using policy_engine::Status;

struct ManifestRecord {
  std::string digest;
  std::string media_type;
  std::string body;
};

class Metadata {
 public:
  static Result<std::unique_ptr<Metadata>> Open(const std::string& path);
  ~Metadata();
  Metadata(const Metadata&) = delete;
  Metadata& operator=(const Metadata&) = delete;

  Status EnsureRepository(const std::string& name, const std::string& arn);

  Status LinkBlob(const std::string& repository, const std::string& digest);
  bool HasBlob(const std::string& repository, const std::string& digest);

  // The repository's tag mutability (R161); MUTABLE when never set.
  Status SetTagMutability(const std::string& repository, const TagMutability& mutability);
  Result<TagMutability> GetTagMutability(const std::string& repository);

  // Stores the manifest, records the blobs it references (`blobs`: config and layers, R157) and,
  // when `tag` is non-empty, points the tag at it — in one transaction. If the tag already points
  // at another digest and is protected by the repository's tag mutability (R162, R163), nothing
  // changes and the answer is TAG_INVALID (message naming ImageTagAlreadyExistsException); the
  // same digest again is a success (R164). The check and the write are one transaction under the
  // connection mutex, so concurrent pushes of one protected tag cannot both move it.
  Status PutManifest(const std::string& repository, const ManifestRecord& manifest,
                     const std::string& tag, const std::vector<std::string>& blobs = {});
  // R157: some manifest of `repository` references `digest` as its config or a layer.
  bool IsBlobReferenced(const std::string& repository, const std::string& digest);
  // For data written before blob references were recorded: manifests (repository, record) with
  // no recorded reference, and a way to add them (Registry::Open re-derives them from the body).
  Result<std::vector<std::pair<std::string, ManifestRecord>>> ManifestsWithoutBlobReferences();
  Status AddBlobReferences(const std::string& repository, const std::string& manifest_digest,
                           const std::vector<std::string>& blobs);
  // By tag or digest; NOT_FOUND when absent.
  Result<ManifestRecord> GetManifest(const std::string& repository, const std::string& reference);
  // By digest: the manifest and every tag pointing at it. By tag (R155): the tag, and the
  // manifest too when no other tag points at it. NOT_FOUND when absent.
  Status DeleteManifest(const std::string& repository, const std::string& reference);

  // Manifests of `repository` whose `subject` descriptor names `subject_digest` (the OCI
  // referrers API), by digest. A scan of the repository's manifests inside SQLite (JSON1): no
  // index to migrate, enough for registries of thousands of manifests per repository.
  Result<std::vector<ManifestRecord>> Referrers(const std::string& repository,
                                                const std::string& subject_digest);
  // Tags in lexical order after `last`, at most `limit` (0 = all).
  Result<std::vector<std::string>> ListTags(const std::string& repository, const std::string& last,
                                            size_t limit);

 private:
  explicit Metadata(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace registry_frontend::storage
