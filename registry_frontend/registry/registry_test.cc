// The OCI handlers without sockets: OnHeader/OnRequest driven directly with HttpRequest values,
// against the demo store (alice may push and pull payments/worker; bob, in another account, may
// do neither there).
#include "registry_frontend/registry/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "registry_frontend/demo/demo_store.h"

namespace registry_frontend::registry {
namespace {

namespace fs = std::filesystem;
using http::HttpRequest;
using http::HttpResponse;

constexpr int64_t kNow = 1795780800;
constexpr char kAlice[] = "arn:aws:iam::111122223333:user/engineering/alice";
constexpr char kBob[] = "arn:aws:iam::444455556666:user/bob";

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rf-registry-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto engine = policy_engine::engine::Engine::Create(demo::EngineDemoStore());
    ASSERT_TRUE(engine);
    engine_ = std::move(*engine);
    auto registry = Registry::Open(*engine_, dir_.string());
    ASSERT_TRUE(registry) << registry.error().ToString();
    registry_ = *registry;
    registry_->SetClockForTest([this] { return now_; });
    alice_ = "Basic " + auth::Base64Encode("AWS:" + registry_->signer().Issue(kAlice, kNow));
    bob_ = "Basic " + auth::Base64Encode("AWS:" + registry_->signer().Issue(kBob, kNow));
  }
  void TearDown() override { fs::remove_all(dir_); }

  HttpResponse Do(const std::string& method, const std::string& target,
                  const std::string& authorization, const std::string& body = "",
                  http::Headers headers = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.headers = std::move(headers);
    r.headers.emplace_back("host", "127.0.0.1:5000");
    if (!authorization.empty()) r.headers.emplace_back("authorization", authorization);
    r.headers.emplace_back("content-length", std::to_string(body.size()));
    r.remote_ip = "127.0.0.1";
    http::BodyPlan plan = registry_->OnHeader(r);
    if (plan.early) return *plan.early;
    if (plan.sink) {
      EXPECT_TRUE(plan.sink->Write(body.data(), body.size()));
      r.body_in_sink = true;
      r.sink_bytes = body.size();
    } else {
      r.body = body;
    }
    return registry_->OnRequest(r, plan);
  }

  static std::string H(const HttpResponse& r, const char* name) {
    const std::string* v = r.Header(name);
    return v ? *v : "";
  }

  // POST + PATCH + PUT, as skopeo does.
  HttpResponse Push(const std::string& repo, const std::string& data, const std::string& auth,
                    const std::string& digest_override = "") {
    HttpResponse start = Do("POST", "/v2/" + repo + "/blobs/uploads/", auth);
    if (start.status != 202) return start;
    std::string location = H(start, "Location");
    HttpResponse patch = Do("PATCH", location, auth, data);
    EXPECT_EQ(patch.status, 202);
    EXPECT_EQ(H(patch, "Range"), "0-" + std::to_string(data.size() - 1));
    std::string digest = digest_override.empty() ? storage::Sha256Digest(data) : digest_override;
    return Do("PUT", H(patch, "Location") + "?digest=" + digest, auth);
  }

  // PUT a manifest referencing `blobs` (already pushed) under `ref`.
  HttpResponse PutImage(const std::string& repo, const std::string& ref,
                        const std::vector<std::string>& blobs, const std::string& auth,
                        const std::string& salt = "") {
    std::string layers;
    for (const std::string& b : blobs) {
      layers += (layers.empty() ? "" : ",") + std::string(R"({"mediaType":"y","digest":")") + b +
                R"(","size":1})";
    }
    std::string manifest =
        R"({"schemaVersion":2,"annotations":{"salt":")" + salt + R"("},"layers":[)" + layers + "]}";
    return Do("PUT", "/v2/" + repo + "/manifests/" + ref, auth, manifest,
              {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
  }

  // Replaces the engine with `store` and re-opens the registry on the same data directory.
  Status UseStore(std::string_view store, RepositorySettings settings = {}) {
    registry_.reset();
    auto engine = policy_engine::engine::Engine::Create(store);
    if (!engine) return engine.error();
    engine_ = std::move(*engine);
    auto registry = Registry::Open(*engine_, dir_.string(), std::move(settings));
    if (!registry) return registry.error();
    registry_ = *registry;
    registry_->SetClockForTest([this] { return now_; });
    return Status::Ok();
  }
  std::string Login(const char* principal) {
    return "Basic " + auth::Base64Encode("AWS:" + registry_->signer().Issue(principal, kNow));
  }

  // Re-opens the registry on the same data directory with repository settings.
  void Reopen(RepositorySettings settings) {
    registry_.reset();
    auto registry = Registry::Open(*engine_, dir_.string(), std::move(settings));
    ASSERT_TRUE(registry) << registry.error().ToString();
    registry_ = *registry;
    registry_->SetClockForTest([this] { return now_; });
  }

  std::string Admin() {
    return "Basic " +
           auth::Base64Encode(
               "AWS:" + registry_->signer().Issue("arn:aws:iam::111122223333:user/admin", kNow));
  }

  size_t StoredBlobs() {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "blobs")) n += e.is_regular_file();
    return n;
  }

  fs::path dir_;
  int64_t now_ = kNow + 10;
  std::unique_ptr<policy_engine::engine::Engine> engine_;
  std::shared_ptr<Registry> registry_;
  std::string alice_, bob_;
};

TEST_F(RegistryTest, PingChallengesWithoutCredentials) {
  HttpResponse r = Do("GET", "/v2/", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(H(r, "WWW-Authenticate"),
            "Basic realm=\"https://127.0.0.1:5000/\",service=\"ecr.amazonaws.com\"");
  EXPECT_NE(r.body.find("UNAUTHORIZED"), std::string::npos);
  EXPECT_EQ(Do("GET", "/v2/", "Basic Og==").status, 401);
  HttpResponse ok = Do("GET", "/v2/", alice_);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{}");
  EXPECT_EQ(H(ok, "Docker-Distribution-Api-Version"), "registry/2.0");
}

TEST_F(RegistryTest, ExpiredTokenIsRefused) {
  now_ = kNow + 12 * 3600;
  EXPECT_EQ(Do("GET", "/v2/", alice_).status, 401);
  EXPECT_EQ(Do("GET", "/v2/payments/worker/tags/list", alice_).status, 401);
}

TEST_F(RegistryTest, PushPullListDelete) {
  const std::string repo = "payments/worker";
  std::string layer = "layer bytes", config = "{\"config\":true}";
  std::string ld = storage::Sha256Digest(layer), cd = storage::Sha256Digest(config);
  EXPECT_EQ(Do("HEAD", "/v2/" + repo + "/blobs/" + ld, alice_).status, 404);
  HttpResponse put = Push(repo, layer, alice_);
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(H(put, "Docker-Content-Digest"), ld);
  // Single-request (monolithic) upload for the config.
  HttpResponse mono = Do("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + cd, alice_, config);
  ASSERT_EQ(mono.status, 201) << mono.body;
  HttpResponse head = Do("HEAD", "/v2/" + repo + "/blobs/" + ld, alice_);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.head_length.value_or(0), layer.size());

  std::string manifest = R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + cd +
                         R"(","size":1},"layers":[{"mediaType":"y","digest":")" + ld +
                         R"(","size":1}]})";
  std::string md = storage::Sha256Digest(manifest);
  HttpResponse pm = Do("PUT", "/v2/" + repo + "/manifests/v1", alice_, manifest,
                       {{"content-type", "application/vnd.oci.image.manifest.v1+json"}});
  ASSERT_EQ(pm.status, 201) << pm.body;
  EXPECT_EQ(H(pm, "Docker-Content-Digest"), md);
  EXPECT_EQ(H(pm, "Location"), "/v2/" + repo + "/manifests/" + md);

  HttpResponse gm = Do("GET", "/v2/" + repo + "/manifests/v1", alice_);
  ASSERT_EQ(gm.status, 200);
  EXPECT_EQ(gm.body, manifest);
  EXPECT_EQ(H(gm, "Content-Type"), "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(H(gm, "Docker-Content-Digest"), md);
  HttpResponse hm = Do("HEAD", "/v2/" + repo + "/manifests/" + md, alice_);
  EXPECT_EQ(hm.status, 200);
  EXPECT_EQ(hm.head_length.value_or(0), manifest.size());
  HttpResponse gb = Do("GET", "/v2/" + repo + "/blobs/" + ld, alice_);
  ASSERT_EQ(gb.status, 200);
  EXPECT_FALSE(gb.file_path.empty());

  HttpResponse tags = Do("GET", "/v2/" + repo + "/tags/list", alice_);
  EXPECT_EQ(tags.body, R"({"name":"payments/worker","tags":["v1"]})");
  ASSERT_EQ(Do("PUT", "/v2/" + repo + "/manifests/v2", alice_, manifest).status, 201);
  HttpResponse page = Do("GET", "/v2/" + repo + "/tags/list?n=1", alice_);
  EXPECT_EQ(page.body, R"({"name":"payments/worker","tags":["v1"]})");
  EXPECT_EQ(H(page, "Link"), "</v2/payments/worker/tags/list?n=1&last=v1>; rel=\"next\"");

  // Delete needs ecr:BatchDeleteImage, which alice does not have.
  EXPECT_EQ(Do("DELETE", "/v2/" + repo + "/manifests/" + md, alice_).status, 403);
}

TEST_F(RegistryTest, BlobRanges) {
  const std::string repo = "payments/worker";
  std::string data = "0123456789";
  ASSERT_EQ(Push(repo, data, alice_).status, 201);
  ASSERT_EQ(PutImage(repo, "v1", {storage::Sha256Digest(data)}, alice_).status, 201);  // R157
  std::string url = "/v2/" + repo + "/blobs/" + storage::Sha256Digest(data);
  HttpResponse part = Do("GET", url, alice_, "", {{"range", "bytes=2-4"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  EXPECT_EQ(H(part, "Content-Range"), "bytes 2-4/10");
  HttpResponse tail = Do("GET", url, alice_, "", {{"range", "bytes=7-"}});
  EXPECT_EQ(tail.body, "789");
  HttpResponse clipped = Do("GET", url, alice_, "", {{"range", "bytes=8-100"}});
  EXPECT_EQ(clipped.body, "89");
  HttpResponse beyond = Do("GET", url, alice_, "", {{"range", "bytes=10-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(H(beyond, "Content-Range"), "bytes */10");
  HttpResponse odd = Do("GET", url, alice_, "", {{"range", "bytes=-3"}});  // suffix: whole blob
  EXPECT_EQ(odd.status, 200);
  EXPECT_FALSE(odd.file_path.empty());
}

TEST_F(RegistryTest, DeniedPushStoresNothing) {
  const std::string repo = "payments/worker";
  HttpResponse r = Push(repo, "secret layer", bob_);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("\"code\":\"DENIED\""), std::string::npos);
  EXPECT_NE(r.body.find("User: arn:aws:iam::444455556666:user/bob is not authorized to perform: "
                        "ecr:InitiateLayerUpload on resource: "
                        "arn:aws:ecr:us-east-1:111122223333:repository/payments/worker"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Do("PUT", "/v2/" + repo + "/manifests/v1", bob_, "{}").status, 403);
  EXPECT_EQ(StoredBlobs(), 0u);
  EXPECT_EQ(registry_->authorizer().denied(), 2u);
}

TEST_F(RegistryTest, UploadIdsAreBoundToTheirRepositoryAndPrincipalChecks) {
  HttpResponse start = Do("POST", "/v2/payments/worker/blobs/uploads/", alice_);
  ASSERT_EQ(start.status, 202);
  std::string uuid = H(start, "Docker-Upload-UUID");
  // Bob is denied before the upload id is even looked at.
  EXPECT_EQ(Do("PATCH", "/v2/payments/worker/blobs/uploads/" + uuid, bob_, "x").status, 403);
  // Status and cancel.
  HttpResponse status = Do("GET", "/v2/payments/worker/blobs/uploads/" + uuid, alice_);
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(Do("DELETE", "/v2/payments/worker/blobs/uploads/" + uuid, alice_).status, 204);
  HttpResponse gone = Do("GET", "/v2/payments/worker/blobs/uploads/" + uuid, alice_);
  EXPECT_EQ(gone.status, 404);
  EXPECT_NE(gone.body.find("BLOB_UPLOAD_UNKNOWN"), std::string::npos);
}

TEST_F(RegistryTest, UploadsBelongToTheirPrincipal) {
  std::string admin =
      "Basic " + auth::Base64Encode("AWS:" + registry_->signer().Issue(
                                                 "arn:aws:iam::111122223333:user/admin", kNow));
  HttpResponse start = Do("POST", "/v2/payments/worker/blobs/uploads/", alice_);
  ASSERT_EQ(start.status, 202);
  std::string location = H(start, "Location");
  // admin may push to the repository, but not into alice's upload.
  HttpResponse patch = Do("PATCH", location, admin, "x");
  EXPECT_EQ(patch.status, 404);
  EXPECT_NE(patch.body.find("BLOB_UPLOAD_UNKNOWN"), std::string::npos);
  EXPECT_EQ(Do("DELETE", location, admin).status, 404);
  EXPECT_EQ(Do("GET", location, alice_).status, 204);
}

TEST_F(RegistryTest, WrongDigestStoresNothing) {
  HttpResponse r = Push("payments/worker", "abc", alice_, storage::Sha256Digest("something else"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("DIGEST_INVALID"), std::string::npos);
  EXPECT_EQ(StoredBlobs(), 0u);
}

TEST_F(RegistryTest, ManifestChecks) {
  const std::string repo = "payments/worker";
  std::string missing = storage::Sha256Digest("never pushed");
  std::string manifest = R"({"schemaVersion":2,"layers":[{"digest":")" + missing + R"("}]})";
  HttpResponse r = Do("PUT", "/v2/" + repo + "/manifests/v1", alice_, manifest);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("MANIFEST_BLOB_UNKNOWN"), std::string::npos);
  EXPECT_NE(
      Do("PUT", "/v2/" + repo + "/manifests/v1", alice_, "{not json").body.find("MANIFEST_INVALID"),
      std::string::npos);
  EXPECT_NE(
      Do("PUT", "/v2/" + repo + "/manifests/" + missing, alice_, "{}").body.find("DIGEST_INVALID"),
      std::string::npos);
  HttpResponse unknown = Do("GET", "/v2/" + repo + "/manifests/nope", alice_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find(R"("detail":{"Tag":"nope"})"), std::string::npos) << unknown.body;
}

TEST_F(RegistryTest, RepositoriesMustExist) {
  HttpResponse r = Do("GET", "/v2/payments/missing/manifests/v1", alice_);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("NAME_UNKNOWN"), std::string::npos) << r.body;
  EXPECT_EQ(Do("GET", "/v2/Bad/manifests/v1", alice_).status, 400);
  EXPECT_EQ(Do("DELETE", "/v2/payments/worker/blobs/" + storage::Sha256Digest("x"), alice_).status,
            405);
}

TEST_F(RegistryTest, CatalogIsFiltered) {
  HttpResponse alice = Do("GET", "/v2/_catalog", alice_);
  ASSERT_EQ(alice.status, 200);
  EXPECT_EQ(alice.body,
            R"({"repositories":["payments/api","payments/worker","platform/base-images"]})");
  HttpResponse bob = Do("GET", "/v2/_catalog", bob_);
  EXPECT_EQ(bob.body, R"({"repositories":[]})");
}

TEST_F(RegistryTest, CrossRepositoryMount) {
  ASSERT_EQ(Push("payments/worker", "shared", alice_).status, 201);
  std::string d = storage::Sha256Digest("shared");
  // alice may read payments/worker and push to payments/api (team tag): the blob is mounted.
  HttpResponse mounted =
      Do("POST", "/v2/payments/api/blobs/uploads/?mount=" + d + "&from=payments%2Fworker", alice_);
  EXPECT_EQ(mounted.status, 201) << mounted.body;
  EXPECT_EQ(H(mounted, "Docker-Content-Digest"), d);
  EXPECT_EQ(Do("HEAD", "/v2/payments/api/blobs/" + d, alice_).status, 200);
  // A blob the source does not hold: silently a normal upload (R153).
  std::string other = storage::Sha256Digest("not there");
  HttpResponse fallback = Do(
      "POST", "/v2/payments/api/blobs/uploads/?mount=" + other + "&from=payments/worker", alice_);
  EXPECT_EQ(fallback.status, 202);
  EXPECT_FALSE(H(fallback, "Docker-Upload-UUID").empty());
}

TEST_F(RegistryTest, RepositorySettingsAreStrict) {
  auto ok = ParseRepositorySettings(
      R"({"repositories":[{"name":"payments/worker","imageTagMutability":"IMMUTABLE_WITH_EXCLUSION",
          "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"latest"}]},
          {"name":"payments/api"}]})");
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->tag_mutability.at("payments/worker").mode,
            storage::TagMutabilityMode::kImmutableWithExclusion);
  EXPECT_EQ(ok->tag_mutability.at("payments/worker").filters, std::vector<std::string>{"latest"});
  EXPECT_EQ(ok->tag_mutability.at("payments/api").mode, storage::TagMutabilityMode::kMutable);
  EXPECT_TRUE(ParseRepositorySettings("{}"));
  for (const char* bad :
       {"[]", "{\"repos\":[]}", R"({"repositories":[{"name":"a","colour":"red"}]})",
        R"({"repositories":[{"name":"Bad Name"}]})",
        R"({"repositories":[{"name":"a","imageTagMutability":"FROZEN"}]})",
        R"({"repositories":[{"name":"a","imageTagMutability":"MUTABLE_WITH_EXCLUSION"}]})",
        R"({"repositories":[{"name":"a","imageTagMutability":"IMMUTABLE",
               "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"x"}]}]})",
        R"({"repositories":[{"name":"a","imageTagMutability":"MUTABLE_WITH_EXCLUSION",
               "imageTagMutabilityExclusionFilters":[{"filterType":"REGEX","filter":"x"}]}]})",
        R"({"repositories":[{"name":"a","imageTagMutability":"MUTABLE_WITH_EXCLUSION",
               "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"a/b"}]}]})",
        R"({"repositories":[{"name":"a"},{"name":"a"}]})"}) {
    EXPECT_FALSE(ParseRepositorySettings(bad)) << bad;
  }
  // Settings for a repository the registry does not serve are refused at start.
  RepositorySettings unknown;
  unknown.tag_mutability["payments/nowhere"] = {storage::TagMutabilityMode::kImmutable, {}};
  registry_.reset();
  EXPECT_FALSE(Registry::Open(*engine_, dir_.string(), unknown));
}

TEST_F(RegistryTest, ImmutableTagsAreRefusedAfterAuthorization) {
  RepositorySettings settings;
  settings.tag_mutability["payments/worker"] = {storage::TagMutabilityMode::kImmutableWithExclusion,
                                                {"latest"}};
  Reopen(settings);
  const std::string repo = "payments/worker";
  ASSERT_EQ(Push(repo, "layer A", alice_).status, 201);
  ASSERT_EQ(Push(repo, "layer B", alice_).status, 201);
  std::string a = storage::Sha256Digest("layer A"), b = storage::Sha256Digest("layer B");
  HttpResponse first = PutImage(repo, "v1", {a}, alice_);
  ASSERT_EQ(first.status, 201) << first.body;
  std::string da = H(first, "Docker-Content-Digest");

  // R163 / §7.3: another digest under the protected tag → 400 TAG_INVALID, nothing changes.
  HttpResponse moved = PutImage(repo, "v1", {b}, alice_);
  EXPECT_EQ(moved.status, 400);
  EXPECT_NE(moved.body.find(R"("code":"TAG_INVALID")"), std::string::npos) << moved.body;
  EXPECT_NE(moved.body.find("ImageTagAlreadyExistsException"), std::string::npos);
  EXPECT_NE(moved.body.find(R"("detail":{"Tag":"v1"})"), std::string::npos);
  EXPECT_EQ(H(Do("HEAD", "/v2/" + repo + "/manifests/v1", alice_), "Docker-Content-Digest"), da);
  // The refused image was not stored, and its layer is not downloadable (R157).
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/blobs/" + b, alice_).status, 404);
  // R166: authorization comes first — bob is denied, not told about the tag.
  HttpResponse bob = PutImage(repo, "v1", {b}, bob_);
  EXPECT_EQ(bob.status, 403);
  EXPECT_EQ(bob.body.find("TAG_INVALID"), std::string::npos);
  // R164: the same manifest again is a success.
  EXPECT_EQ(PutImage(repo, "v1", {a}, alice_).status, 201);
  // Excluded tag: moves freely.
  ASSERT_EQ(PutImage(repo, "latest", {a}, alice_).status, 201);
  EXPECT_EQ(PutImage(repo, "latest", {b}, alice_).status, 201);
  // R165: delete (admin), then the tag may be pushed with another digest.
  ASSERT_EQ(Do("DELETE", "/v2/" + repo + "/manifests/v1", Admin()).status, 202);
  HttpResponse again = PutImage(repo, "v1", {b}, alice_);
  EXPECT_EQ(again.status, 201) << again.body;
  // The settings given at start are the source of truth: restarted without them, the repository
  // is MUTABLE again.
  Reopen({});
  EXPECT_EQ(PutImage(repo, "v1", {a}, alice_).status, 201);
}

TEST_F(RegistryTest, OnlyReferencedBlobsAreDownloadable) {
  const std::string repo = "payments/worker";
  std::string data = "uploaded, not referenced";
  std::string d = storage::Sha256Digest(data);
  ASSERT_EQ(Push(repo, data, alice_).status, 201);
  // HEAD (push-time existence check) sees it; GET does not (R157), even for an allowed caller.
  EXPECT_EQ(Do("HEAD", "/v2/" + repo + "/blobs/" + d, alice_).status, 200);
  HttpResponse get = Do("GET", "/v2/" + repo + "/blobs/" + d, alice_);
  EXPECT_EQ(get.status, 404);
  EXPECT_NE(get.body.find("BLOB_UNKNOWN"), std::string::npos);
  // Still authorization first: bob gets 403, not 404.
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/blobs/" + d, bob_).status, 403);
  // Referenced by a manifest → served; by a manifest of another repository → not.
  HttpResponse pm = PutImage(repo, "v1", {d}, alice_);
  ASSERT_EQ(pm.status, 201);
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/blobs/" + d, alice_).status, 200);
  ASSERT_EQ(
      Do("POST", "/v2/payments/api/blobs/uploads/?mount=" + d + "&from=payments/worker", alice_)
          .status,
      201);
  EXPECT_EQ(Do("GET", "/v2/payments/api/blobs/" + d, Admin()).status, 404);
  // The manifest deleted → unreferenced again.
  ASSERT_EQ(
      Do("DELETE", "/v2/" + repo + "/manifests/" + H(pm, "Docker-Content-Digest"), Admin()).status,
      202);
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/blobs/" + d, alice_).status, 404);
}

TEST_F(RegistryTest, AuditLogHasOneLinePerDecision) {
  std::string path = (dir_ / "audit.jsonl").string();
  fs::create_directories(dir_);
  auto log = audit::AuditLog::Open(path);
  ASSERT_TRUE(log);
  std::shared_ptr<audit::AuditLog> shared = std::move(*log);
  registry_->SetAuditLog(shared);
  const std::string repo = "payments/worker";
  std::string layer = "audited layer", ld = storage::Sha256Digest(layer);
  // M9: one request, three decisions (Initiate, UploadPart, Complete).
  ASSERT_EQ(Do("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + ld, alice_, layer).status, 201);
  ASSERT_EQ(PutImage(repo, "v1", {ld}, alice_).status, 201);
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/manifests/v1", bob_).status, 403);
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/manifests/nope", alice_).status, 404);
  EXPECT_EQ(Do("GET", "/v2/", alice_).status, 200);                    // no decision, no line
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/tags/list", "").status, 401);  // no decision either
  shared->Flush();

  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  std::string raw;
  for (std::string line; std::getline(in, line);) {
    raw += line + "\n";
    lines.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(lines.size(), 6u) << raw;
  const std::string arn = "arn:aws:ecr:us-east-1:111122223333:repository/payments/worker";
  std::vector<std::string> events;
  for (const auto& j : lines) events.push_back(j["eventName"]);
  EXPECT_EQ(events, (std::vector<std::string>{"InitiateLayerUpload", "UploadLayerPart",
                                              "CompleteLayerUpload", "PutImage", "BatchGetImage",
                                              "BatchGetImage"}));
  // The three decisions of one request share its id; requests have distinct ids; events too.
  EXPECT_EQ(lines[0]["requestID"], lines[2]["requestID"]);
  EXPECT_NE(lines[0]["eventID"], lines[2]["eventID"]);
  EXPECT_NE(lines[0]["requestID"], lines[3]["requestID"]);
  EXPECT_NE(lines[3]["requestID"], lines[4]["requestID"]);
  for (const auto& j : lines) {
    EXPECT_EQ(j["resources"][0]["ARN"], arn);
    EXPECT_EQ(j["requestParameters"]["repositoryName"], repo);
    EXPECT_EQ(j["sourceIPAddress"], "127.0.0.1");
    EXPECT_EQ(j["eventTime"], auth::Iso8601(now_));
    EXPECT_EQ(j["eventSource"], "ecr.amazonaws.com");
    EXPECT_EQ(j["awsRegion"], "us-east-1");
    EXPECT_FALSE(j["additionalEventData"]["reason"].get<std::string>().empty());
  }
  const auto& first = lines[0]["additionalEventData"];
  EXPECT_EQ(lines[0]["userIdentity"]["arn"], kAlice);
  EXPECT_EQ(first["decision"], "Allow");
  EXPECT_EQ(first["httpMethod"], "POST");
  EXPECT_EQ(first["path"], "/v2/payments/worker/blobs/uploads/");  // no query
  EXPECT_EQ(first["httpStatus"], 201);
  EXPECT_EQ(lines[0]["requestParameters"]["layerDigest"], ld);
  EXPECT_FALSE(lines[0].contains("errorCode"));
  EXPECT_FALSE(first["statements"].empty());
  EXPECT_TRUE(first["statements"][0].contains("policy"));
  EXPECT_TRUE(first["statements"][0]["index"].is_number());
  EXPECT_TRUE(first["statements"][0].contains("sid"));
  EXPECT_EQ(lines[3]["additionalEventData"]["httpStatus"], 201);
  EXPECT_EQ(lines[3]["requestParameters"]["imageTag"], "v1");
  EXPECT_EQ(lines[4]["userIdentity"]["arn"], kBob);
  EXPECT_EQ(lines[4]["additionalEventData"]["decision"], "ImplicitDeny");
  EXPECT_EQ(lines[4]["additionalEventData"]["httpStatus"], 403);
  EXPECT_EQ(lines[4]["errorCode"], "AccessDeniedException");
  EXPECT_EQ(lines[5]["additionalEventData"]["decision"], "Allow");
  EXPECT_EQ(lines[5]["additionalEventData"]["httpStatus"], 404);  // allowed, then MANIFEST_UNKNOWN
  EXPECT_EQ(lines[5]["errorCode"], "MANIFEST_UNKNOWN");
  EXPECT_EQ(lines[5]["additionalEventData"]["path"], "/v2/payments/worker/manifests/nope");
  // Never the password nor policy text.
  std::string password = alice_.substr(6);
  EXPECT_EQ(raw.find(password), std::string::npos);
  EXPECT_EQ(raw.find("PCT1."), std::string::npos);
  EXPECT_EQ(raw.find("\"Statement\""), std::string::npos);
  EXPECT_EQ(raw.find("\"Effect\""), std::string::npos);
}

TEST_F(RegistryTest, OlderDataGetsItsBlobReferencesAtStart) {
  const std::string repo = "payments/worker";
  std::string data = "layer from an older data directory", d = storage::Sha256Digest(data);
  ASSERT_EQ(Push(repo, data, alice_).status, 201);
  registry_.reset();
  {  // a manifest written as the first slice did: no blob references recorded
    auto meta = storage::Metadata::Open((dir_ / "metadata.db").string());
    ASSERT_TRUE(meta);
    std::string body = R"({"schemaVersion":2,"layers":[{"digest":")" + d + R"("}]})";
    ASSERT_TRUE((*meta)->PutManifest(repo, {storage::Sha256Digest(body), "x", body}, "old").ok());
    EXPECT_FALSE((*meta)->IsBlobReferenced(repo, d));
  }
  Reopen({});
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/blobs/" + d, alice_).status, 200);
}

}  // namespace
}  // namespace registry_frontend::registry

namespace registry_frontend::registry {
namespace {

// The built-in demo configuration (corpus/stores/registry-demo.json, issue #4 item 9).
TEST_F(RegistryTest, BuiltInDemoConfiguration) {
  ASSERT_TRUE(UseStore(demo::DemoStore()).ok());
  const std::string alice = Login("arn:aws:iam::111122223333:user/alice");
  const std::string bob = Login("arn:aws:iam::111122223333:user/bob");
  const std::string carol = Login("arn:aws:iam::444455556666:user/carol");
  std::string layer = "demo layer", digest = storage::Sha256Digest(layer);
  // alice pushes and pulls demo/*.
  for (const char* repo : {"demo/app", "demo/immutable", "demo/restricted"}) {
    ASSERT_EQ(Push(repo, layer, alice).status, 201) << repo;
    ASSERT_EQ(PutImage(repo, "v1", {digest}, alice).status, 201) << repo;
    EXPECT_EQ(Do("GET", std::string("/v2/") + repo + "/manifests/v1", alice).status, 200);
  }
  // bob only pulls, and never a repository tagged classification=restricted (aws:ResourceTag).
  EXPECT_EQ(Do("GET", "/v2/demo/app/manifests/v1", bob).status, 200);
  EXPECT_EQ(Do("GET", "/v2/demo/app/blobs/" + digest, bob).status, 200);
  EXPECT_EQ(Do("POST", "/v2/demo/app/blobs/uploads/", bob).status, 403);
  EXPECT_EQ(PutImage("demo/app", "v2", {digest}, bob).status, 403);
  EXPECT_EQ(Do("GET", "/v2/demo/restricted/manifests/v1", bob).status, 403);
  // carol (another account) pulls demo/app: her identity policy and its repository policy allow
  // (R116); demo/immutable has no repository policy, so she is refused there.
  EXPECT_EQ(Do("GET", "/v2/demo/app/manifests/v1", carol).status, 200);
  EXPECT_EQ(Do("GET", "/v2/demo/app/blobs/" + digest, carol).status, 200);
  EXPECT_EQ(Do("GET", "/v2/demo/immutable/manifests/v1", carol).status, 403);
  EXPECT_EQ(Do("POST", "/v2/demo/app/blobs/uploads/", carol).status, 403);
  // demo/immutable's IMMUTABLE comes from the configuration: the tag cannot move (R163)…
  HttpResponse moved = PutImage("demo/immutable", "v1", {digest}, alice, "other");
  EXPECT_EQ(moved.status, 400);
  EXPECT_NE(moved.body.find("ImageTagAlreadyExistsException"), std::string::npos);
  // …while demo/app's MUTABLE tag moves.
  EXPECT_EQ(PutImage("demo/app", "v1", {digest}, alice, "other").status, 201);
}

TEST_F(RegistryTest, SettingsFromTheStoreAreValidatedAndTheFileWins) {
  std::string store(demo::DemoStore());
  std::string bad = store;
  size_t at = bad.find("\"imageTagMutability\": \"IMMUTABLE\"");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 33, "\"imageTagMutability\": \"FROZEN\"");
  Status refused = UseStore(bad);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("repository/demo/immutable"), std::string::npos)
      << refused.message();
  // --repository-settings overrides the store: demo/immutable becomes MUTABLE.
  auto file = ParseRepositorySettings(
      R"({"repositories":[{"name":"demo/immutable","imageTagMutability":"MUTABLE"}]})");
  ASSERT_TRUE(file);
  ASSERT_TRUE(UseStore(store, *file).ok());
  const std::string alice = Login("arn:aws:iam::111122223333:user/alice");
  std::string layer = "demo layer", digest = storage::Sha256Digest(layer);
  ASSERT_EQ(Push("demo/immutable", layer, alice).status, 201);
  ASSERT_EQ(PutImage("demo/immutable", "v1", {digest}, alice).status, 201);
  EXPECT_EQ(PutImage("demo/immutable", "v1", {digest}, alice, "other").status, 201);
}

}  // namespace
}  // namespace registry_frontend::registry

namespace registry_frontend::registry {
namespace {

// OCI 1.1 referrers: a signature-like artifact whose subject is an image is listed under the
// image's digest, filtered by artifactType, and disappears when deleted.
TEST_F(RegistryTest, ReferrersListManifestsBySubject) {
  const std::string repo = "payments/worker";
  std::string layer = "image layer", ld = storage::Sha256Digest(layer);
  ASSERT_EQ(Push(repo, layer, alice_).status, 201);
  HttpResponse image = PutImage(repo, "v1", {ld}, alice_);
  ASSERT_EQ(image.status, 201);
  std::string subject = H(image, "Docker-Content-Digest");
  std::string sig = "signature", sd = storage::Sha256Digest(sig);
  ASSERT_EQ(Push(repo, sig, alice_).status, 201);
  auto referrer = [&](const std::string& artifact_type, const std::string& subject_digest) {
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("artifactType":")" +
           artifact_type +
           R"(","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":")" + sd +
           R"(","size":9},"layers":[{"mediaType":"application/octet-stream","digest":")" + sd +
           R"(","size":9}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("digest":")" +
           subject_digest + R"(","size":1},"annotations":{"k":"v"}})";
  };
  http::Headers oci = {{"content-type", "application/vnd.oci.image.manifest.v1+json"}};
  std::string cosign = referrer("application/vnd.dev.cosign.artifact.sig.v1+json", subject);
  std::string sbom = referrer("application/spdx+json", subject);
  std::string cosign_digest = storage::Sha256Digest(cosign);
  HttpResponse put = Do("PUT", "/v2/" + repo + "/manifests/" + cosign_digest, alice_, cosign, oci);
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(H(put, "OCI-Subject"), subject);
  ASSERT_EQ(Do("PUT", "/v2/" + repo + "/manifests/sbom", alice_, sbom, oci).status, 201);

  HttpResponse all = Do("GET", "/v2/" + repo + "/referrers/" + subject, alice_);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(H(all, "Content-Type"), "application/vnd.oci.image.index.v1+json");
  auto index = nlohmann::json::parse(all.body);
  ASSERT_EQ(index["manifests"].size(), 2u) << all.body;
  std::set<std::string> types;
  for (const auto& d : index["manifests"]) {
    types.insert(d["artifactType"].get<std::string>());
    EXPECT_EQ(d["annotations"]["k"], "v");
  }
  EXPECT_EQ(types, (std::set<std::string>{"application/vnd.dev.cosign.artifact.sig.v1+json",
                                          "application/spdx+json"}));
  HttpResponse filtered =
      Do("GET", "/v2/" + repo + "/referrers/" + subject + "?artifactType=application/spdx%2Bjson",
         alice_);
  ASSERT_EQ(filtered.status, 200);
  EXPECT_EQ(H(filtered, "OCI-Filters-Applied"), "artifactType");
  index = nlohmann::json::parse(filtered.body);
  ASSERT_EQ(index["manifests"].size(), 1u) << filtered.body;
  EXPECT_EQ(index["manifests"][0]["size"], sbom.size());
  EXPECT_EQ(index["manifests"][0]["digest"], storage::Sha256Digest(sbom));
  // Nothing refers to the layer; bob may not list (ecr:BatchGetImage denied).
  EXPECT_EQ(
      nlohmann::json::parse(Do("GET", "/v2/" + repo + "/referrers/" + ld, alice_).body)["manifests"]
          .size(),
      0u);
  EXPECT_EQ(Do("GET", "/v2/" + repo + "/referrers/" + subject, bob_).status, 403);
  // Deleting a referrer removes it from the list.
  const std::string admin = Login("arn:aws:iam::111122223333:user/admin");
  ASSERT_EQ(Do("DELETE", "/v2/" + repo + "/manifests/" + cosign_digest, admin).status, 202);
  index = nlohmann::json::parse(Do("GET", "/v2/" + repo + "/referrers/" + subject, alice_).body);
  EXPECT_EQ(index["manifests"].size(), 1u);
  // A subject that is not a descriptor is MANIFEST_INVALID.
  std::string broken = R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + sd +
                       R"(","size":9},"layers":[],"subject":{"digest":"nope"}})";
  HttpResponse bad = Do("PUT", "/v2/" + repo + "/manifests/broken", alice_, broken, oci);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("MANIFEST_INVALID"), std::string::npos);
}

}  // namespace
}  // namespace registry_frontend::registry
