// BlobStore (digest verification while streaming, nothing stored on mismatch, upload binding) and
// Metadata (manifests, tags, R155 deletes, pagination).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "registry_frontend/storage/blob_store.h"
#include "registry_frontend/storage/metadata.h"
#include "registry_frontend/storage/tag_mutability.h"

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

TEST(TagMutability, WildcardFiltersMatchWholeTags) {
  EXPECT_TRUE(WildcardMatch("latest", "latest"));
  EXPECT_FALSE(WildcardMatch("latest", "latest2"));
  EXPECT_FALSE(WildcardMatch("latest", "xlatest"));
  EXPECT_TRUE(WildcardMatch("dev-*", "dev-"));
  EXPECT_TRUE(WildcardMatch("dev-*", "dev-123"));
  EXPECT_FALSE(WildcardMatch("dev-*", "prod-dev-1"));
  EXPECT_TRUE(WildcardMatch("*-rc*", "1.2-rc3"));
  EXPECT_TRUE(WildcardMatch("*", "anything"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(WildcardMatch("v1.*", "v1.0"));
  EXPECT_FALSE(WildcardMatch("v1.*", "v10"));  // `.` is literal, not a regex dot
  EXPECT_TRUE(IsValidWildcardFilter("release-*_v1.0"));
  EXPECT_FALSE(IsValidWildcardFilter(""));
  EXPECT_FALSE(IsValidWildcardFilter("a/b"));
  EXPECT_FALSE(IsValidWildcardFilter("a?"));
  EXPECT_FALSE(IsValidWildcardFilter(std::string(129, 'a')));
  EXPECT_TRUE(IsValidWildcardFilter(std::string(128, 'a')));
}

TEST(TagMutability, ModesValidationAndProtection) {
  EXPECT_EQ(*ParseMode("IMMUTABLE_WITH_EXCLUSION"), TagMutabilityMode::kImmutableWithExclusion);
  EXPECT_FALSE(ParseMode("immutable"));
  EXPECT_TRUE(Validate({}).ok());
  EXPECT_TRUE(Validate({TagMutabilityMode::kImmutable, {}}).ok());
  EXPECT_FALSE(Validate({TagMutabilityMode::kImmutable, {"x"}}).ok());
  EXPECT_FALSE(Validate({TagMutabilityMode::kMutableWithExclusion, {}}).ok());
  EXPECT_FALSE(Validate({TagMutabilityMode::kMutableWithExclusion, {"a", "b", "c", "d", "e", "f"}}).ok());
  EXPECT_TRUE(Validate({TagMutabilityMode::kMutableWithExclusion, {"a", "b", "c", "d", "e"}}).ok());
  EXPECT_FALSE(Validate({TagMutabilityMode::kImmutableWithExclusion, {"bad/filter"}}).ok());
  // R162.
  EXPECT_FALSE(IsProtected({}, "v1"));
  EXPECT_TRUE(IsProtected({TagMutabilityMode::kImmutable, {}}, "latest"));
  TagMutability ie{TagMutabilityMode::kImmutableWithExclusion, {"latest", "dev-*"}};
  EXPECT_TRUE(IsProtected(ie, "v1"));
  EXPECT_FALSE(IsProtected(ie, "latest"));
  EXPECT_FALSE(IsProtected(ie, "dev-42"));
  TagMutability me{TagMutabilityMode::kMutableWithExclusion, {"v*"}};
  EXPECT_TRUE(IsProtected(me, "v1"));
  EXPECT_FALSE(IsProtected(me, "latest"));
}

TEST(Metadata, ProtectedTagsDoNotMove) {
  TempDir dir;
  auto meta = Metadata::Open(dir.str() + "/metadata.db");
  ASSERT_TRUE(meta) << meta.error().ToString();
  Metadata& m = **meta;
  ASSERT_TRUE(m.EnsureRepository("demo/immutable", "arn").ok());
  EXPECT_EQ(m.GetTagMutability("demo/immutable")->mode, TagMutabilityMode::kMutable);
  ASSERT_TRUE(m.SetTagMutability("demo/immutable",
                                 {TagMutabilityMode::kImmutableWithExclusion, {"latest", "dev-*"}})
                  .ok());
  auto read = m.GetTagMutability("demo/immutable");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->mode, TagMutabilityMode::kImmutableWithExclusion);
  EXPECT_EQ(read->filters, (std::vector<std::string>{"latest", "dev-*"}));
  EXPECT_FALSE(m.SetTagMutability("demo/immutable", {TagMutabilityMode::kImmutable, {"x"}}).ok());

  ASSERT_TRUE(m.PutManifest("demo/immutable", {"sha256:m1", "t", "{1}"}, "v1").ok());
  // R163: another digest under a protected tag → TAG_INVALID, nothing changes.
  Status moved = m.PutManifest("demo/immutable", {"sha256:m2", "t", "{2}"}, "v1", {"sha256:b2"});
  EXPECT_EQ(moved.code(), "TAG_INVALID");
  EXPECT_NE(moved.message().find("ImageTagAlreadyExistsException"), std::string::npos);
  EXPECT_EQ(m.GetManifest("demo/immutable", "v1")->digest, "sha256:m1");
  EXPECT_FALSE(m.GetManifest("demo/immutable", "sha256:m2"));
  EXPECT_FALSE(m.IsBlobReferenced("demo/immutable", "sha256:b2"));
  // R164: the same digest again succeeds.
  EXPECT_TRUE(m.PutManifest("demo/immutable", {"sha256:m1", "t", "{1}"}, "v1").ok());
  // Excluded tags move freely; by digest (no tag) is always fine.
  ASSERT_TRUE(m.PutManifest("demo/immutable", {"sha256:m1", "t", "{1}"}, "latest").ok());
  EXPECT_TRUE(m.PutManifest("demo/immutable", {"sha256:m2", "t", "{2}"}, "latest").ok());
  EXPECT_EQ(m.GetManifest("demo/immutable", "latest")->digest, "sha256:m2");
  // R165: delete, then the tag may be pushed again with another digest.
  ASSERT_TRUE(m.DeleteManifest("demo/immutable", "v1").ok());
  EXPECT_TRUE(m.PutManifest("demo/immutable", {"sha256:m2", "t", "{2}"}, "v1").ok());
  EXPECT_EQ(m.GetManifest("demo/immutable", "v1")->digest, "sha256:m2");
  // MUTABLE (default): tags move, the old image stays untagged.
  ASSERT_TRUE(m.EnsureRepository("demo/app", "arn2").ok());
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m1", "t", "{1}"}, "v1").ok());
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m2", "t", "{2}"}, "v1").ok());
  EXPECT_EQ(m.GetManifest("demo/app", "v1")->digest, "sha256:m2");
  EXPECT_TRUE(m.GetManifest("demo/app", "sha256:m1"));
}

TEST(Metadata, ConcurrentPushesOfOneProtectedTagHaveOneWinner) {
  TempDir dir;
  auto meta = Metadata::Open(dir.str() + "/metadata.db");
  ASSERT_TRUE(meta);
  Metadata& m = **meta;
  ASSERT_TRUE(m.SetTagMutability("demo/immutable", {TagMutabilityMode::kImmutable, {}}).ok());
  constexpr int kThreads = 8;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::string digest = "sha256:m" + std::to_string(i);
      results[i] = m.PutManifest("demo/immutable", {digest, "t", "{}"}, "v1");
    });
  }
  for (auto& t : threads) t.join();
  int won = 0, refused = 0;
  for (const Status& r : results) {
    won += r.ok();
    refused += r.code() == "TAG_INVALID";
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(refused, kThreads - 1);
  auto tags = m.ListTags("demo/immutable", "", 0);
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->size(), 1u);
}

TEST(Metadata, BlobReferencesFollowManifests) {
  TempDir dir;
  auto meta = Metadata::Open(dir.str() + "/metadata.db");
  ASSERT_TRUE(meta);
  Metadata& m = **meta;
  ASSERT_TRUE(m.LinkBlob("demo/app", "sha256:b1").ok());
  ASSERT_TRUE(m.LinkBlob("demo/app", "sha256:b2").ok());
  EXPECT_FALSE(m.IsBlobReferenced("demo/app", "sha256:b1"));
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m1", "t", "{1}"}, "v1", {"sha256:b1"}).ok());
  ASSERT_TRUE(
      m.PutManifest("demo/app", {"sha256:m2", "t", "{2}"}, "v2", {"sha256:b1", "sha256:b2"}).ok());
  EXPECT_TRUE(m.IsBlobReferenced("demo/app", "sha256:b1"));
  EXPECT_TRUE(m.IsBlobReferenced("demo/app", "sha256:b2"));
  EXPECT_FALSE(m.IsBlobReferenced("demo/other", "sha256:b1"));
  ASSERT_TRUE(m.DeleteManifest("demo/app", "v2").ok());
  EXPECT_TRUE(m.IsBlobReferenced("demo/app", "sha256:b1"));  // still in m1
  EXPECT_FALSE(m.IsBlobReferenced("demo/app", "sha256:b2"));
  ASSERT_TRUE(m.DeleteManifest("demo/app", "sha256:m1").ok());
  EXPECT_FALSE(m.IsBlobReferenced("demo/app", "sha256:b1"));
  // Manifests stored without references (older data) are listed, and can be indexed.
  ASSERT_TRUE(m.PutManifest("demo/app", {"sha256:m3", "t", "{3}"}, "v3").ok());
  auto unindexed = m.ManifestsWithoutBlobReferences();
  ASSERT_TRUE(unindexed);
  ASSERT_EQ(unindexed->size(), 1u);
  EXPECT_EQ((*unindexed)[0].first, "demo/app");
  EXPECT_EQ((*unindexed)[0].second.body, "{3}");
  ASSERT_TRUE(m.AddBlobReferences("demo/app", "sha256:m3", {"sha256:b3"}).ok());
  EXPECT_TRUE(m.IsBlobReferenced("demo/app", "sha256:b3"));
  EXPECT_TRUE(m.ManifestsWithoutBlobReferences()->empty());
}

}  // namespace
}  // namespace registry_frontend::storage
