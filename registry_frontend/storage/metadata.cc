// Metadata (metadata.h): SQLite schema and statements.
#include "registry_frontend/storage/metadata.h"

#include <sqlite3.h>

#include <optional>

namespace registry_frontend::storage {

namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA foreign_keys=ON;
CREATE TABLE IF NOT EXISTS repositories (name TEXT PRIMARY KEY, arn TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (repository TEXT NOT NULL, digest TEXT NOT NULL,
                                  PRIMARY KEY (repository, digest));
CREATE TABLE IF NOT EXISTS manifests (repository TEXT NOT NULL, digest TEXT NOT NULL,
                                      media_type TEXT NOT NULL, body BLOB NOT NULL,
                                      PRIMARY KEY (repository, digest));
CREATE TABLE IF NOT EXISTS tags (repository TEXT NOT NULL, tag TEXT NOT NULL,
                                 digest TEXT NOT NULL, PRIMARY KEY (repository, tag));
CREATE TABLE IF NOT EXISTS repository_settings (name TEXT PRIMARY KEY,
                                                tag_mutability TEXT NOT NULL,
                                                exclusion_filters TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manifest_blobs (repository TEXT NOT NULL, manifest TEXT NOT NULL,
                                           blob TEXT NOT NULL,
                                           PRIMARY KEY (repository, manifest, blob));
CREATE INDEX IF NOT EXISTS manifest_blobs_by_blob ON manifest_blobs(repository, blob);
)sql";

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, const std::string& data) {
    sqlite3_bind_blob(stmt_, i, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t value) {
    sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int column) {
    const void* data = sqlite3_column_blob(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), size);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status SqlError(sqlite3* db, const char* what) {
  return Status("UNKNOWN", std::string(what) + ": " + sqlite3_errmsg(db));
}

bool IsDigestRef(const std::string& reference) { return reference.find(':') != std::string::npos; }

// Filters are stored joined by ',' (R161's alphabet has no ',').
std::string JoinFilters(const std::vector<std::string>& filters) {
  std::string out;
  for (size_t i = 0; i < filters.size(); ++i) out += (i ? "," : "") + filters[i];
  return out;
}

std::vector<std::string> SplitFilters(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Metadata>> Metadata::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status error("UNKNOWN", "cannot open `" + path + "`: " + sqlite3_errstr(rc));
    sqlite3_close(db);
    return error;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Metadata> metadata(new Metadata(db));
  Status schema = metadata->Exec(kSchema);
  if (!schema.ok()) return schema;
  return metadata;
}

Metadata::~Metadata() { sqlite3_close(db_); }

Status Metadata::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Status error("UNKNOWN", std::string("sqlite: ") + (message ? message : "error"));
    sqlite3_free(message);
    return error;
  }
  return Status::Ok();
}

Status Metadata::EnsureRepository(const std::string& name, const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "INSERT INTO repositories(name, arn) VALUES(?1, ?2) "
         "ON CONFLICT(name) DO UPDATE SET arn = excluded.arn");
  if (!s.ok() || s.Bind(1, name).Bind(2, arn).Step() != SQLITE_DONE) {
    return SqlError(db_, "cannot record a repository");
  }
  return Status::Ok();
}

Status Metadata::LinkBlob(const std::string& repository, const std::string& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "INSERT OR IGNORE INTO blobs(repository, digest) VALUES(?1, ?2)");
  if (!s.ok() || s.Bind(1, repository).Bind(2, digest).Step() != SQLITE_DONE) {
    return SqlError(db_, "cannot link a blob");
  }
  return Status::Ok();
}

bool Metadata::HasBlob(const std::string& repository, const std::string& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT 1 FROM blobs WHERE repository = ?1 AND digest = ?2");
  return s.ok() && s.Bind(1, repository).Bind(2, digest).Step() == SQLITE_ROW;
}

Status Metadata::SetTagMutability(const std::string& repository, const TagMutability& mutability) {
  PE_RETURN_IF_ERROR(Validate(mutability));
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(
      db_,
      "INSERT INTO repository_settings(name, tag_mutability, exclusion_filters) "
      "VALUES(?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET "
      "tag_mutability = excluded.tag_mutability, exclusion_filters = excluded.exclusion_filters");
  if (!s.ok() || s.Bind(1, repository)
                         .Bind(2, std::string(ModeName(mutability.mode)))
                         .Bind(3, JoinFilters(mutability.filters))
                         .Step() != SQLITE_DONE) {
    return SqlError(db_, "cannot record repository settings");
  }
  return Status::Ok();
}

namespace {
// Caller holds the connection mutex.
Result<TagMutability> ReadTagMutability(sqlite3* db, const std::string& repository) {
  Stmt s(db, "SELECT tag_mutability, exclusion_filters FROM repository_settings WHERE name = ?1");
  if (!s.ok()) return SqlError(db, "cannot read repository settings");
  int rc = s.Bind(1, repository).Step();
  if (rc == SQLITE_DONE) return TagMutability{};
  if (rc != SQLITE_ROW) return SqlError(db, "cannot read repository settings");
  auto mode = ParseMode(s.Text(0));
  if (!mode) return mode.error();
  return TagMutability{*mode, SplitFilters(s.Text(1))};
}
}  // namespace

Result<TagMutability> Metadata::GetTagMutability(const std::string& repository) {
  std::lock_guard<std::mutex> lock(mu_);
  return ReadTagMutability(db_, repository);
}

bool Metadata::IsBlobReferenced(const std::string& repository, const std::string& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT 1 FROM manifest_blobs WHERE repository = ?1 AND blob = ?2 LIMIT 1");
  return s.ok() && s.Bind(1, repository).Bind(2, digest).Step() == SQLITE_ROW;
}

Result<std::vector<std::pair<std::string, ManifestRecord>>>
Metadata::ManifestsWithoutBlobReferences() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT m.repository, m.digest, m.media_type, m.body FROM manifests m WHERE NOT EXISTS "
         "(SELECT 1 FROM manifest_blobs b WHERE b.repository = m.repository AND "
         "b.manifest = m.digest)");
  if (!s.ok()) return SqlError(db_, "cannot list manifests");
  std::vector<std::pair<std::string, ManifestRecord>> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.emplace_back(s.Text(0), ManifestRecord{s.Text(1), s.Text(2), s.Text(3)});
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "cannot list manifests");
  return out;
}

Status Metadata::AddBlobReferences(const std::string& repository,
                                   const std::string& manifest_digest,
                                   const std::vector<std::string>& blobs) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& blob : blobs) {
    Stmt s(db_,
           "INSERT OR IGNORE INTO manifest_blobs(repository, manifest, blob) VALUES(?1, ?2, ?3)");
    if (!s.ok() ||
        s.Bind(1, repository).Bind(2, manifest_digest).Bind(3, blob).Step() != SQLITE_DONE) {
      return SqlError(db_, "cannot record a manifest's blobs");
    }
  }
  return Status::Ok();
}

Status Metadata::PutManifest(const std::string& repository, const ManifestRecord& manifest,
                             const std::string& tag, const std::vector<std::string>& blobs) {
  std::lock_guard<std::mutex> lock(mu_);
  PE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status error = SqlError(db_, what);
    (void)Exec("ROLLBACK");
    return error;
  };
  if (!tag.empty()) {  // R162–R164, checked before anything is written
    std::optional<std::string> current;
    {
      Stmt s(db_, "SELECT digest FROM tags WHERE repository = ?1 AND tag = ?2");
      int rc = s.ok() ? s.Bind(1, repository).Bind(2, tag).Step() : SQLITE_ERROR;
      if (rc == SQLITE_ROW) current = s.Text(0);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail("cannot read a tag");
    }
    if (current && *current != manifest.digest) {
      auto mutability = ReadTagMutability(db_, repository);
      if (!mutability) {
        (void)Exec("ROLLBACK");
        return mutability.error();
      }
      if (IsProtected(*mutability, tag)) {
        (void)Exec("ROLLBACK");
        return Status("TAG_INVALID",
                      "ImageTagAlreadyExistsException: the image tag '" + tag +
                          "' already exists in the '" + repository +
                          "' repository and cannot be overwritten because the tag is immutable (" +
                          ModeName(mutability->mode) + ")");
      }
    }
  }
  for (const std::string& blob : blobs) {
    Stmt s(db_,
           "INSERT OR IGNORE INTO manifest_blobs(repository, manifest, blob) VALUES(?1, ?2, ?3)");
    if (!s.ok() ||
        s.Bind(1, repository).Bind(2, manifest.digest).Bind(3, blob).Step() != SQLITE_DONE) {
      return fail("cannot record a manifest's blobs");
    }
  }
  {
    Stmt s(db_,
           "INSERT OR REPLACE INTO manifests(repository, digest, media_type, body) "
           "VALUES(?1, ?2, ?3, ?4)");
    if (!s.ok() || s.Bind(1, repository)
                           .Bind(2, manifest.digest)
                           .Bind(3, manifest.media_type)
                           .BindBlob(4, manifest.body)
                           .Step() != SQLITE_DONE) {
      return fail("cannot store a manifest");
    }
  }
  if (!tag.empty()) {
    Stmt s(db_, "INSERT OR REPLACE INTO tags(repository, tag, digest) VALUES(?1, ?2, ?3)");
    if (!s.ok() ||
        s.Bind(1, repository).Bind(2, tag).Bind(3, manifest.digest).Step() != SQLITE_DONE) {
      return fail("cannot store a tag");
    }
  }
  return Exec("COMMIT");
}

Result<ManifestRecord> Metadata::GetManifest(const std::string& repository,
                                             const std::string& reference) {
  std::lock_guard<std::mutex> lock(mu_);
  const char* sql =
      IsDigestRef(reference)
          ? "SELECT digest, media_type, body FROM manifests WHERE repository = ?1 AND digest = ?2"
          : "SELECT m.digest, m.media_type, m.body FROM tags t JOIN manifests m "
            "ON m.repository = t.repository AND m.digest = t.digest "
            "WHERE t.repository = ?1 AND t.tag = ?2";
  Stmt s(db_, sql);
  if (!s.ok()) return SqlError(db_, "cannot read a manifest");
  int rc = s.Bind(1, repository).Bind(2, reference).Step();
  if (rc == SQLITE_DONE) return Status("NOT_FOUND", "manifest unknown");
  if (rc != SQLITE_ROW) return SqlError(db_, "cannot read a manifest");
  return ManifestRecord{s.Text(0), s.Text(1), s.Text(2)};
}

Status Metadata::DeleteManifest(const std::string& repository, const std::string& reference) {
  std::lock_guard<std::mutex> lock(mu_);
  PE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto run = [&](const char* sql, const std::string& a, const std::string& b) {
    Stmt s(db_, sql);
    return s.ok() && s.Bind(1, a).Bind(2, b).Step() == SQLITE_DONE;
  };
  std::string digest = reference;
  bool ok = true;
  if (!IsDigestRef(reference)) {
    Stmt s(db_, "SELECT digest FROM tags WHERE repository = ?1 AND tag = ?2");
    if (!s.ok() || s.Bind(1, repository).Bind(2, reference).Step() != SQLITE_ROW) {
      (void)Exec("ROLLBACK");
      return Status("NOT_FOUND", "manifest unknown");
    }
    digest = s.Text(0);
    ok = run("DELETE FROM tags WHERE repository = ?1 AND tag = ?2", repository, reference);
    Stmt left(db_, "SELECT 1 FROM tags WHERE repository = ?1 AND digest = ?2");
    if (ok && left.ok() && left.Bind(1, repository).Bind(2, digest).Step() == SQLITE_ROW) {
      return Exec("COMMIT");  // other tags keep the image (R155)
    }
  } else {
    Stmt s(db_, "SELECT 1 FROM manifests WHERE repository = ?1 AND digest = ?2");
    if (!s.ok() || s.Bind(1, repository).Bind(2, digest).Step() != SQLITE_ROW) {
      (void)Exec("ROLLBACK");
      return Status("NOT_FOUND", "manifest unknown");
    }
  }
  ok = ok && run("DELETE FROM tags WHERE repository = ?1 AND digest = ?2", repository, digest) &&
       run("DELETE FROM manifest_blobs WHERE repository = ?1 AND manifest = ?2", repository,
           digest) &&
       run("DELETE FROM manifests WHERE repository = ?1 AND digest = ?2", repository, digest);
  if (!ok) {
    Status error = SqlError(db_, "cannot delete a manifest");
    (void)Exec("ROLLBACK");
    return error;
  }
  return Exec("COMMIT");
}

Result<std::vector<ManifestRecord>> Metadata::Referrers(const std::string& repository,
                                                        const std::string& subject_digest) {
  std::lock_guard<std::mutex> lock(mu_);
  // json_valid first: json_extract on a body that is not JSON would be an SQL error.
  Stmt s(db_,
         "SELECT digest, media_type, body FROM manifests WHERE repository = ?1 AND "
         "json_valid(CAST(body AS TEXT)) AND "
         "json_extract(CAST(body AS TEXT), '$.subject.digest') = ?2 ORDER BY digest");
  if (!s.ok()) return SqlError(db_, "cannot list referrers");
  s.Bind(1, repository).Bind(2, subject_digest);
  std::vector<ManifestRecord> out;
  for (int rc = s.Step(); rc != SQLITE_DONE; rc = s.Step()) {
    if (rc != SQLITE_ROW) return SqlError(db_, "cannot list referrers");
    out.push_back({s.Text(0), s.Text(1), s.Text(2)});
  }
  return out;
}

Result<std::vector<std::string>> Metadata::ListTags(const std::string& repository,
                                                    const std::string& last, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT tag FROM tags WHERE repository = ?1 AND tag > ?2 ORDER BY tag LIMIT ?3");
  if (!s.ok()) return SqlError(db_, "cannot list tags");
  s.Bind(1, repository).Bind(2, last).Bind(3, limit == 0 ? int64_t{-1} : int64_t(limit));
  std::vector<std::string> tags;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) tags.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return SqlError(db_, "cannot list tags");
  return tags;
}

}  // namespace registry_frontend::storage
