// BlobStore (blob_store.h): temp file + streaming sha256 + fsync + atomic rename.
#include "registry_frontend/storage/blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace registry_frontend::storage {

namespace fs = std::filesystem;

namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

Status IoError(const std::string& what) {
  return Status("UNKNOWN", what + ": " + std::strerror(errno));
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool IsSha256(std::string_view d) {
  if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
  for (char c : d.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string RandomId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  std::string hex = Hex(bytes, sizeof bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace

std::string Sha256Digest(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), md, &length, EVP_sha256(), nullptr);
  return "sha256:" + Hex(md, length);
}

struct BlobStore::Upload {
  std::mutex mu;
  std::string repository;
  std::string path;
  int fd = -1;
  EVP_MD_CTX* hash = nullptr;
  uint64_t size = 0;
  bool busy = false;  // a sink is open
  std::chrono::steady_clock::time_point last_used = std::chrono::steady_clock::now();
  bool failed = false;  // a write failed: the upload can only be cancelled
  ~Upload() {
    if (fd >= 0) ::close(fd);
    if (hash != nullptr) EVP_MD_CTX_free(hash);
    if (!path.empty()) ::unlink(path.c_str());
  }
};

namespace {

class UploadSink : public http::BodySink {
 public:
  explicit UploadSink(std::shared_ptr<BlobStore::Upload> upload) : upload_(std::move(upload)) {}
  ~UploadSink() override {
    std::lock_guard<std::mutex> lock(upload_->mu);
    upload_->busy = false;
  }
  bool Write(const char* data, size_t size) override {
    // Only this sink writes while busy is set; the lock orders it with Complete/UploadSize.
    std::lock_guard<std::mutex> lock(upload_->mu);
    if (upload_->failed) return false;
    if (!WriteAll(upload_->fd, data, size) || EVP_DigestUpdate(upload_->hash, data, size) != 1) {
      upload_->failed = true;
      return false;
    }
    upload_->size += size;
    return true;
  }

 private:
  std::shared_ptr<BlobStore::Upload> upload_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& root,
                                                   std::chrono::seconds upload_idle_limit) {
  std::error_code ec;
  fs::create_directories(fs::path(root) / "blobs" / "sha256", ec);
  if (ec) return Status("UNKNOWN", "cannot create `" + root + "/blobs`: " + ec.message());
  fs::remove_all(fs::path(root) / "uploads", ec);
  fs::create_directories(fs::path(root) / "uploads", ec);
  if (ec) return Status("UNKNOWN", "cannot create `" + root + "/uploads`: " + ec.message());
  return std::unique_ptr<BlobStore>(new BlobStore(root, upload_idle_limit));
}

BlobStore::~BlobStore() = default;

static std::string BlobPath(const std::string& root, std::string_view digest) {
  std::string hex(digest.substr(7));
  return root + "/blobs/sha256/" + hex.substr(0, 2) + "/" + hex;
}

std::string BlobStore::BlobPath(std::string_view digest) const {
  return storage::BlobPath(root_, digest);
}

std::optional<uint64_t> BlobStore::Size(std::string_view digest) const {
  if (!IsSha256(digest)) return std::nullopt;
  struct stat st;
  if (::stat(BlobPath(digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

Result<std::string> BlobStore::StartUpload(const std::string& repository) {
  auto upload = std::make_shared<Upload>();
  upload->repository = repository;
  std::string id = RandomId();
  if (id.empty()) return Status("UNKNOWN", "no randomness for an upload id");
  upload->path = root_ + "/uploads/" + id;
  upload->fd = ::open(upload->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (upload->fd < 0) {
    upload->path.clear();
    return IoError("cannot create an upload file");
  }
  upload->hash = EVP_MD_CTX_new();
  if (upload->hash == nullptr || EVP_DigestInit_ex(upload->hash, EVP_sha256(), nullptr) != 1) {
    return Status("UNKNOWN", "cannot initialise sha256");
  }
  std::lock_guard<std::mutex> lock(mu_);
  RemoveAbandonedUploads();
  uploads_[id] = std::move(upload);
  return id;
}

void BlobStore::RemoveAbandonedUploads() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = uploads_.begin(); it != uploads_.end();) {
    Upload& u = *it->second;
    std::unique_lock<std::mutex> lock(u.mu, std::try_to_lock);
    bool abandoned = lock.owns_lock() && !u.busy && now - u.last_used >= upload_idle_limit_;
    lock = {};
    it = abandoned ? uploads_.erase(it) : std::next(it);
  }
}

std::shared_ptr<BlobStore::Upload> BlobStore::Find(const std::string& id,
                                                   const std::string& repository) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second->repository != repository) return nullptr;
  std::lock_guard<std::mutex> upload_lock(it->second->mu);
  it->second->last_used = std::chrono::steady_clock::now();
  return it->second;
}

Result<std::shared_ptr<http::BodySink>> BlobStore::OpenSink(const std::string& id,
                                                            const std::string& repository,
                                                            std::optional<uint64_t> offset) {
  std::shared_ptr<Upload> upload = Find(id, repository);
  if (!upload) return Status("BLOB_UPLOAD_UNKNOWN", "upload unknown");
  std::lock_guard<std::mutex> lock(upload->mu);
  if (upload->busy || upload->failed) {
    return Status("BLOB_UPLOAD_INVALID", "upload busy or failed");
  }
  if (offset && *offset != upload->size) {
    return Status("RANGE_INVALID", "content range does not continue the upload");
  }
  upload->busy = true;
  return std::shared_ptr<http::BodySink>(std::make_shared<UploadSink>(upload));
}

Result<uint64_t> BlobStore::UploadSize(const std::string& id, const std::string& repository) {
  std::shared_ptr<Upload> upload = Find(id, repository);
  if (!upload) return Status("BLOB_UPLOAD_UNKNOWN", "upload unknown");
  std::lock_guard<std::mutex> lock(upload->mu);
  return upload->size;
}

Status BlobStore::Publish(const std::string& temp_path, std::string_view digest) {
  std::string target = BlobPath(digest);
  std::error_code ec;
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (ec) return Status("UNKNOWN", "cannot create a blob directory: " + ec.message());
  if (::rename(temp_path.c_str(), target.c_str()) != 0) return IoError("cannot store a blob");
  // Make the rename itself durable.
  int dir = ::open(fs::path(target).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

Status BlobStore::Complete(const std::string& id, const std::string& repository,
                           std::string_view digest) {
  std::shared_ptr<Upload> upload = Find(id, repository);
  if (!upload) return Status("BLOB_UPLOAD_UNKNOWN", "upload unknown");
  {
    std::lock_guard<std::mutex> lock(mu_);
    uploads_.erase(id);  // the upload ends here, whatever the outcome
  }
  std::lock_guard<std::mutex> lock(upload->mu);
  if (upload->busy || upload->failed) return Status("BLOB_UPLOAD_INVALID", "upload busy or failed");
  if (!IsSha256(digest))
    return Status("DIGEST_INVALID", "unsupported digest `" + std::string(digest) + "`");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(upload->hash, md, &length) != 1) {
    return Status("UNKNOWN", "cannot finish sha256");
  }
  if ("sha256:" + Hex(md, length) != digest) {
    return Status("DIGEST_INVALID", "provided digest did not match uploaded content");
  }
  if (::fsync(upload->fd) != 0) return IoError("cannot flush an upload");
  ::close(upload->fd);
  upload->fd = -1;
  if (Size(digest)) return Status::Ok();  // already stored; ~Upload removes the temp file
  Status published = Publish(upload->path, digest);
  if (published.ok()) upload->path.clear();
  return published;
}

Status BlobStore::Cancel(const std::string& id, const std::string& repository) {
  std::shared_ptr<Upload> upload = Find(id, repository);
  if (!upload) return Status("BLOB_UPLOAD_UNKNOWN", "upload unknown");
  std::lock_guard<std::mutex> lock(mu_);
  uploads_.erase(id);
  return Status::Ok();
}

Status BlobStore::Put(std::string_view digest, std::string_view data) {
  if (!IsSha256(digest)) return Status("DIGEST_INVALID", "unsupported digest");
  if (Sha256Digest(data) != digest) {
    return Status("DIGEST_INVALID", "provided digest did not match uploaded content");
  }
  if (Size(digest)) return Status::Ok();
  std::string temp;
  {
    std::lock_guard<std::mutex> lock(mu_);
    temp = root_ + "/uploads/put-" + std::to_string(next_temp_++) + "-" + RandomId();
  }
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create a blob file");
  bool ok = WriteAll(fd, data.data(), data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    return IoError("cannot write a blob");
  }
  Status published = Publish(temp, digest);
  if (!published.ok()) ::unlink(temp.c_str());
  return published;
}

}  // namespace registry_frontend::storage
