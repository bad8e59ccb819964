// BlobStore (digest verification while streaming, nothing stored on mismatch, upload binding) and
// Metadata (manifests, tags, R155 deletes, pagination).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "registry_frontend/storage/blob_store.h"
#include "registry_frontend/storage/metadata.h"

namespace registry_frontend::storage {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("rf-storage-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(Sha256, KnownVector) {
  EXPECT_EQ(Sha256Digest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BlobStore, StreamsVerifiesAndPublishes) {
  TempDir dir;
  auto store = BlobStore::Open(dir.str());
  ASSERT_TRUE(store);
  auto id = (*store)->StartUpload("demo/app");
  ASSERT_TRUE(id);
  {
    auto sink = (*store)->OpenSink(*id, "demo/app");
    ASSERT_TRUE(sink);
    EXPECT_TRUE((*sink)->Write("ab", 2));
    // One writer at a time.
    EXPECT_EQ((*store)->OpenSink(*id, "demo/app").error().code(), "BLOB_UPLOAD_INVALID");
  }
  {
    EXPECT_EQ((*store)->OpenSink(*id, "demo/app", 0).error().code(), "RANGE_INVALID");
    auto sink = (*store)->OpenSink(*id, "demo/app", 2);
    ASSERT_TRUE(sink);
    EXPECT_TRUE((*sink)->Write("c", 1));
  }
  EXPECT_EQ(*(*store)->UploadSize(*id, "demo/app"), 3u);
  std::string digest = Sha256Digest("abc");
  ASSERT_TRUE((*store)->Complete(*id, "demo/app", digest).ok());
  EXPECT_EQ((*store)->Size(digest).value_or(0), 3u);
  EXPECT_EQ(CountFiles(dir.str() + "/uploads"), 0u);
  // The upload is over.
  EXPECT_EQ((*store)->UploadSize(*id, "demo/app").error().code(), "BLOB_UPLOAD_UNKNOWN");
}

TEST(BlobStore, MismatchStoresNothing) {
  TempDir dir;
  auto store = BlobStore::Open(dir.str());
  ASSERT_TRUE(store);
  auto id = (*store)->StartUpload("demo/app");
  ASSERT_TRUE(id);
  {
    auto sink = (*store)->OpenSink(*id, "demo/app");
    ASSERT_TRUE(sink);
    EXPECT_TRUE((*sink)->Write("abc", 3));
  }
  std::string wrong = Sha256Digest("abd");
  EXPECT_EQ((*store)->Complete(*id, "demo/app", wrong).code(), "DIGEST_INVALID");
  EXPECT_FALSE((*store)->Size(wrong));
  EXPECT_FALSE((*store)->Size(Sha256Digest("abc")));
  EXPECT_EQ(CountFiles(dir.str()), 0u);
  EXPECT_EQ((*store)->Put(wrong, "abc").code(), "DIGEST_INVALID");
  EXPECT_EQ(CountFiles(dir.str()), 0u);
}

TEST(BlobStore, UploadsAreBoundToTheirRepository) {
  TempDir dir;
  auto store = BlobStore::Open(dir.str());
  ASSERT_TRUE(store);
  auto id = (*store)->StartUpload("demo/app");
  ASSERT_TRUE(id);
  EXPECT_EQ((*store)->OpenSink(*id, "demo/other").error().code(), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ((*store)->Cancel(*id, "demo/other").code(), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_TRUE((*store)->Cancel(*id, "demo/app").ok());
  EXPECT_EQ(CountFiles(dir.str()), 0u);
}

TEST(BlobStore, AbandonedUploadsAreRemoved) {
  TempDir dir;
  auto store = BlobStore::Open(dir.str(), std::chrono::seconds(0));
  ASSERT_TRUE(store);
  auto first = (*store)->StartUpload("demo/app");
  ASSERT_TRUE(first);
  auto busy = (*store)->StartUpload("demo/app");
  ASSERT_TRUE(busy);  // removes `first` (idle limit 0)
  auto sink = (*store)->OpenSink(*busy, "demo/app");
  ASSERT_TRUE(sink);
  auto third = (*store)->StartUpload("demo/app");  // keeps `busy`: a sink is open
  ASSERT_TRUE(third);
  EXPECT_EQ((*store)->UploadSize(*first, "demo/app").error().code(), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_TRUE((*store)->UploadSize(*busy, "demo/app"));
  EXPECT_EQ(CountFiles(dir.str() + "/uploads"), 2u);
}

TEST(BlobStore, OpenRemovesLeftoverUploads) {
  TempDir dir;
  {
    auto store = BlobStore::Open(dir.str());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Put(Sha256Digest("x"), "x").ok());
  }
  fs::create_directories(dir.str() + "/uploads");
  { std::ofstream(dir.str() + "/uploads/partial") << "half"; }
  auto store = BlobStore::Open(dir.str());
  ASSERT_TRUE(store);
  EXPECT_EQ(CountFiles(dir.str() + "/uploads"), 0u);
  EXPECT_TRUE((*store)->Size(Sha256Digest("x")));
}

TEST(Metadata, ManifestsTagsAndDeletes) {
  TempDir dir;
  auto meta = Metadata::Open(dir.str() + "/metadata.db");
  ASSERT_TRUE(meta) << meta.error().ToString();
  Metadata& m = **meta;
  ASSERT_TRUE(m.EnsureRepository("demo/app", "arn").ok());
  ASSERT_TRUE(m.LinkBlob("demo/app", "sha256:1").ok());
  EXPECT_TRUE(m.HasBlob("demo/app", "sha256:1"));
  EXPECT_FALSE(m.HasBlob("demo/other", "sha256:1"));
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m1", "type/a", "{1}"}, "v1").ok());
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m1", "type/a", "{1}"}, "v2").ok());
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m2", "type/b", "{2}"}, "v3").ok());
  auto byTag = m.GetManifest("demo/app", "v1");
  ASSERT_TRUE(byTag);
  EXPECT_EQ(byTag->digest, "sha256:m1");
  EXPECT_EQ(byTag->body, "{1}");
  EXPECT_EQ(m.GetManifest("demo/app", "sha256:m2")->media_type, "type/b");
  EXPECT_EQ(m.GetManifest("demo/other", "v1").error().code(), "NOT_FOUND");

  auto page = m.ListTags("demo/app", "", 2);
  ASSERT_TRUE(page);
  EXPECT_EQ(*page, (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(*m.ListTags("demo/app", "v2", 0), (std::vector<std::string>{"v3"}));

  // R155: deleting one of two tags keeps the image; deleting the last removes it.
  ASSERT_TRUE(m.DeleteManifest("demo/app", "v1").ok());
  EXPECT_TRUE(m.GetManifest("demo/app", "sha256:m1"));
  ASSERT_TRUE(m.DeleteManifest("demo/app", "v2").ok());
  EXPECT_FALSE(m.GetManifest("demo/app", "sha256:m1"));
  // By digest: the image and all its tags.
  ASSERT_TRUE(m.DeleteManifest("demo/app", "sha256:m2").ok());
  EXPECT_TRUE(m.ListTags("demo/app", "", 0)->empty());
  EXPECT_EQ(m.DeleteManifest("demo/app", "sha256:m2").code(), "NOT_FOUND");
  EXPECT_EQ(m.DeleteManifest("demo/app", "nope").code(), "NOT_FOUND");
}

}  // namespace
}  // namespace registry_frontend::storage
