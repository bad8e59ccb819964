// Route table, access records (policy-semantics.md §7.2, table-driven) and the error registry.
#include <gtest/gtest.h>

#include "registry_frontend/oci/access.h"
#include "registry_frontend/oci/errors.h"
#include "registry_frontend/oci/routes.h"

namespace registry_frontend::oci {
namespace {

const std::string kD = "sha256:" + std::string(64, 'a');

struct RouteCase {
  const char* method;
  std::string path;
  RouteId id;
  const char* name;
  std::string reference;
  const char* uuid;
};

TEST(Routes, MatchesTheApi) {
  const RouteCase cases[] = {
      {"GET", "/v2/", RouteId::kBase, "", "", ""},
      {"HEAD", "/v2", RouteId::kBase, "", "", ""},
      {"GET", "/v2/_catalog", RouteId::kCatalog, "", "", ""},
      {"GET", "/v2/demo/app/manifests/v1", RouteId::kGetManifest, "demo/app", "v1", ""},
      {"HEAD", "/v2/a/b/c/manifests/" + kD, RouteId::kHeadManifest, "a/b/c", kD, ""},
      {"PUT", "/v2/app/manifests/latest", RouteId::kPutManifest, "app", "latest", ""},
      {"DELETE", "/v2/app/manifests/" + kD, RouteId::kDeleteManifest, "app", kD, ""},
      {"GET", "/v2/demo/app/blobs/" + kD, RouteId::kGetBlob, "demo/app", kD, ""},
      {"HEAD", "/v2/demo/app/blobs/" + kD, RouteId::kHeadBlob, "demo/app", kD, ""},
      {"DELETE", "/v2/demo/app/blobs/" + kD, RouteId::kDeleteBlob, "demo/app", kD, ""},
      {"POST", "/v2/demo/app/blobs/uploads/", RouteId::kStartUpload, "demo/app", "", ""},
      {"POST", "/v2/demo/app/blobs/uploads", RouteId::kStartUpload, "demo/app", "", ""},
      {"PATCH", "/v2/demo/app/blobs/uploads/0a-1b", RouteId::kPatchUpload, "demo/app", "", "0a-1b"},
      {"PUT", "/v2/demo/app/blobs/uploads/0a", RouteId::kPutUpload, "demo/app", "", "0a"},
      {"GET", "/v2/demo/app/blobs/uploads/0a", RouteId::kGetUpload, "demo/app", "", "0a"},
      {"DELETE", "/v2/demo/app/blobs/uploads/0a", RouteId::kDeleteUpload, "demo/app", "", "0a"},
      {"GET", "/v2/demo/app/tags/list", RouteId::kTagsList, "demo/app", "", ""},
      {"GET", "/v2/demo/app/referrers/" + kD, RouteId::kReferrers, "demo/app", kD, ""},
      // Names may contain the route keywords as components.
      {"GET", "/v2/blobs/manifests/manifests/v1", RouteId::kGetManifest, "blobs/manifests", "v1",
       ""},
  };
  for (const RouteCase& c : cases) {
    auto m = MatchRoute(c.method, c.path);
    ASSERT_TRUE(std::holds_alternative<RouteMatch>(m)) << c.method << " " << c.path;
    const RouteMatch& r = std::get<RouteMatch>(m);
    EXPECT_EQ(r.id, c.id) << c.path;
    EXPECT_EQ(r.name, c.name) << c.path;
    EXPECT_EQ(r.reference, c.reference) << c.path;
    EXPECT_EQ(r.uuid, c.uuid) << c.path;
  }
}

TEST(Routes, RejectsBadInput) {
  struct Bad {
    const char* method;
    std::string path;
    ErrorCode code;
  };
  const Bad cases[] = {
      {"GET", "/v2/Demo/manifests/v1", ErrorCode::kNameInvalid},
      {"GET", "/v2/demo/../x/manifests/v1", ErrorCode::kNameInvalid},
      {"GET", "/v2/demo%2Fapp/manifests/v1", ErrorCode::kNameInvalid},
      {"GET", "/v2//manifests/v1", ErrorCode::kNameInvalid},
      {"GET", "/v2/a--/manifests/v1", ErrorCode::kNameInvalid},
      {"GET", "/v2/app/manifests/-bad", ErrorCode::kTagInvalid},
      {"GET", "/v2/app/blobs/notadigest", ErrorCode::kDigestInvalid},
      {"PATCH", "/v2/app/blobs/uploads/../x", ErrorCode::kNotFound},
      {"PATCH", "/v2/app/blobs/uploads/UP", ErrorCode::kBlobUploadUnknown},
      {"POST", "/v2/app/manifests/v1", ErrorCode::kUnsupported},
      {"GET", "/v2/app/other/v1", ErrorCode::kNotFound},
      {"GET", "/v1/app/manifests/v1", ErrorCode::kNotFound},
  };
  for (const Bad& c : cases) {
    auto m = MatchRoute(c.method, c.path);
    ASSERT_TRUE(std::holds_alternative<OciError>(m)) << c.path;
    EXPECT_EQ(std::get<OciError>(m).code, c.code) << c.path;
  }
}

TEST(Routes, Grammar) {
  EXPECT_TRUE(IsValidRepositoryName("a/b-c/d__e/f.g"));
  EXPECT_TRUE(IsValidRepositoryName("a---b"));
  EXPECT_FALSE(IsValidRepositoryName("a/"));
  EXPECT_FALSE(IsValidRepositoryName("a._b"));
  EXPECT_TRUE(IsValidTag("v1.0_RC-2"));
  EXPECT_FALSE(IsValidTag(std::string(129, 'a')));
  EXPECT_TRUE(IsSha256Digest(kD));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(64, 'A')));
  EXPECT_TRUE(IsDigest("sha512:abc"));
}

// policy-semantics.md §7.2, M1–M17.
TEST(Access, ActionTable) {
  RegistryIdentity reg{"111122223333", "us-east-1", "aws"};
  const std::string arn = "arn:aws:ecr:us-east-1:111122223333:repository/demo/app";
  struct Row {
    const char* label;
    RouteId id;
    AccessQuery query;
    std::vector<std::string> actions;
  };
  const Row rows[] = {
      {"M1", RouteId::kBase, {}, {}},
      {"M2", RouteId::kGetManifest, {}, {"ecr:BatchGetImage"}},
      {"M3", RouteId::kHeadManifest, {}, {"ecr:BatchGetImage"}},
      {"M4", RouteId::kGetBlob, {}, {"ecr:GetDownloadUrlForLayer"}},
      {"M5", RouteId::kHeadBlob, {}, {"ecr:BatchCheckLayerAvailability"}},
      {"M6", RouteId::kStartUpload, {}, {"ecr:InitiateLayerUpload"}},
      {"M7", RouteId::kPatchUpload, {}, {"ecr:UploadLayerPart"}},
      {"M8", RouteId::kPutUpload, {}, {"ecr:CompleteLayerUpload"}},
      {"M8+body",
       RouteId::kPutUpload,
       {false, "", true},
       {"ecr:CompleteLayerUpload", "ecr:UploadLayerPart"}},
      {"M9",
       RouteId::kStartUpload,
       {true, "", true},
       {"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"}},
      {"M10 get", RouteId::kGetUpload, {}, {"ecr:UploadLayerPart"}},
      {"M10 delete", RouteId::kDeleteUpload, {}, {"ecr:UploadLayerPart"}},
      {"M12", RouteId::kPutManifest, {}, {"ecr:PutImage"}},
      {"M13", RouteId::kDeleteManifest, {}, {"ecr:BatchDeleteImage"}},
      {"M14", RouteId::kDeleteBlob, {}, {}},
      {"M15", RouteId::kTagsList, {}, {"ecr:ListImages"}},
      {"M16", RouteId::kCatalog, {}, {}},
      {"M17", RouteId::kReferrers, {}, {"ecr:BatchGetImage"}},
  };
  for (const Row& row : rows) {
    RouteMatch m;
    m.id = row.id;
    m.name = "demo/app";
    auto records = AccessRecordsFor(m, row.query, reg);
    std::vector<std::string> actions;
    for (const auto& r : records) {
      actions.push_back(r.action);
      EXPECT_EQ(r.arn, arn) << row.label;
      EXPECT_FALSE(r.mount_source) << row.label;
    }
    EXPECT_EQ(actions, row.actions) << row.label;
  }
}

TEST(Access, MountChecksTheSourceSeparately) {  // M11, R153
  RouteMatch m;
  m.id = RouteId::kStartUpload;
  m.name = "demo/copy";
  AccessQuery q;
  q.mount_from = "demo/app";
  auto records = AccessRecordsFor(m, q, {});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].action, "ecr:InitiateLayerUpload");
  EXPECT_EQ(records[1].action, "ecr:CompleteLayerUpload");
  EXPECT_EQ(records[2].action, "ecr:GetDownloadUrlForLayer");
  EXPECT_TRUE(records[2].mount_source);
  EXPECT_EQ(records[2].arn, "arn:aws:ecr:us-east-1:111122223333:repository/demo/app");
}

TEST(Errors, EnvelopeAndStatus) {
  auto r = ErrorResponse({ErrorCode::kBlobUnknown, "", "null"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry",)"
                    R"("detail":null}]})"
                    "\n");
  EXPECT_EQ(*r.Header("content-type"), "application/json; charset=utf-8");
  auto head = ErrorResponse({ErrorCode::kDenied, "no \"way\"", "null"}, true);
  EXPECT_EQ(head.status, 403);
  EXPECT_TRUE(head.body.empty());
  ASSERT_TRUE(head.head_length);
  EXPECT_GT(*head.head_length, 0u);
  EXPECT_EQ(ErrorStatus(ErrorCode::kUnauthorized), 401);
  EXPECT_EQ(ErrorStatus(ErrorCode::kRangeInvalid), 416);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kManifestBlobUnknown), "MANIFEST_BLOB_UNKNOWN");
}

TEST(Errors, JsonQuoteEscapesQuotesBackslashesAndControlBytesOnly) {
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote(std::string("\n\x01x\x1f", 4)), "\"\\u000a\\u0001x\\u001f\"");
  EXPECT_EQ(JsonQuote("\"\""), "\"\\\"\\\"\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9 \x7f"), "\"caf\xc3\xa9 \x7f\"");  // UTF-8 and DEL as they are
  auto r = ErrorResponse({ErrorCode::kDenied, "no \"way\"", "{\"k\":1}"});
  EXPECT_EQ(r.body, R"({"errors":[{"code":"DENIED","message":"no \"way\"","detail":{"k":1}}]})"
                    "\n");
}

}  // namespace
}  // namespace registry_frontend::oci
