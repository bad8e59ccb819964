// Content-addressed blob storage on the local filesystem.
//
// Why this shape: a blob is visible only once it is complete and verified. Upload bytes go to a
// temporary file under uploads/ while their sha256 is computed as they stream in (OpenSSL EVP),
// so completing an upload needs no second read; on completion the digest is compared, the file
// fsync'ed and atomically renamed to blobs/sha256/<2 hex>/<64 hex>. A mismatch deletes the
// temporary file: nothing is stored and the caller answers DIGEST_INVALID. A crash leaves at
// most files under uploads/, which Open() removes.
//
// Upload sessions live in memory (a restart cancels them; clients start over), keyed by a random
// id and bound to the scope they were started in (the `repository` argument; the registry passes
// repository and principal): an upload id used in another scope is unknown.
// Abandoned uploads (no request for `upload_idle_limit`) are removed when the next upload starts,
// so clients that give up cannot fill the disk with half-written files.
//
// Thread safety: all methods may be called concurrently. One upload accepts one writer at a
// time; a second concurrent PATCH is refused (BLOB_UPLOAD_INVALID).
//
// Errors are Status values whose code is the OCI error name (DIGEST_INVALID, BLOB_UPLOAD_UNKNOWN,
// BLOB_UPLOAD_INVALID, RANGE_INVALID, UNKNOWN for I/O failures).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "policy_engine/common/status.h"
#include "registry_frontend/http/message.h"

namespace registry_frontend::storage {

using policy_engine::Result;
using policy_engine::Status;

// Lower-case hex sha256 of `data` as `sha256:…`.
std::string Sha256Digest(std::string_view data);

class BlobStore {
 public:
  // Creates root/blobs and root/uploads if needed and removes leftovers of unfinished uploads.
  static Result<std::unique_ptr<BlobStore>> Open(
      const std::string& root, std::chrono::seconds upload_idle_limit = std::chrono::hours(1));
  ~BlobStore();

  // Path of a stored blob (whether or not it exists). `digest` must be a valid sha256 digest.
  std::string BlobPath(std::string_view digest) const;
  // Size of a stored blob; nullopt when absent.
  std::optional<uint64_t> Size(std::string_view digest) const;

  // Starts an upload for `repository`; returns its id.
  Result<std::string> StartUpload(const std::string& repository);
  // A sink appending to the upload, or a Status (unknown upload, busy). `offset`, when given
  // (Content-Range start), must equal the current size (RANGE_INVALID otherwise).
  Result<std::shared_ptr<http::BodySink>> OpenSink(const std::string& id,
                                                   const std::string& repository,
                                                   std::optional<uint64_t> offset = {});
  // Bytes received so far.
  Result<uint64_t> UploadSize(const std::string& id, const std::string& repository);
  // Verifies `digest`, then stores the blob and ends the upload (on success and on mismatch).
  Status Complete(const std::string& id, const std::string& repository, std::string_view digest);
  Status Cancel(const std::string& id, const std::string& repository);

  // Stores `data` under its digest if it matches `digest` (single-request uploads).
  Status Put(std::string_view digest, std::string_view data);

  struct Upload;

 private:
  BlobStore(std::string root, std::chrono::seconds idle)
      : root_(std::move(root)), upload_idle_limit_(idle) {}
  void RemoveAbandonedUploads();  // caller holds mu_
  std::shared_ptr<Upload> Find(const std::string& id, const std::string& repository);
  Status Publish(const std::string& temp_path, std::string_view digest);

  std::string root_;
  std::chrono::seconds upload_idle_limit_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Upload>> uploads_;
  uint64_t next_temp_ = 0;
};

}  // namespace registry_frontend::storage
