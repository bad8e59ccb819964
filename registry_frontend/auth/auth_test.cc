// Tokens (sign, verify, expiry, forgery, `:`-free), Basic parsing, and authorization against the
// demo store with AWS-style denial messages (R152).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "registry_frontend/auth/authorizer.h"
#include "registry_frontend/auth/token.h"
#include "registry_frontend/demo/demo_store.h"

namespace registry_frontend::auth {
namespace {

constexpr int64_t kNow = 1795780800;  // 2026-11-17T08:00:00Z
constexpr char kAlice[] = "arn:aws:iam::111122223333:user/engineering/alice";
constexpr char kBob[] = "arn:aws:iam::444455556666:user/bob";

std::string Basic(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

TEST(Base64, RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\xfe\x00 x"}) {
    EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(s)), s);
  }
  EXPECT_EQ(Base64Encode(":"), "Og==");
  EXPECT_FALSE(Base64Decode("Og="));
  EXPECT_FALSE(Base64Decode("O!=="));
}

TEST(Token, IssueAndVerify) {
  TokenSigner signer(std::string(32, 'k'));
  std::string token = signer.Issue(kAlice, kNow);
  EXPECT_EQ(token.find(':'), std::string::npos);  // survives get-login-password's split(':')
  auto claims = signer.Verify(token, kNow + 60);
  ASSERT_TRUE(claims) << claims.error().ToString();
  EXPECT_EQ(claims->principal_arn, kAlice);
  EXPECT_EQ(claims->expires_at - claims->issued_at, 12 * 3600);
}

TEST(Token, ExpiresAfterTwelveHours) {
  TokenSigner signer(std::string(32, 'k'));
  std::string token = signer.Issue(kAlice, kNow);
  EXPECT_TRUE(signer.Verify(token, kNow + 12 * 3600 - 1));
  auto expired = signer.Verify(token, kNow + 12 * 3600);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code(), "UNAUTHORIZED");
  EXPECT_EQ(expired.error().message(), "token expired");
}

TEST(Token, RejectsForgeries) {
  TokenSigner signer(std::string(32, 'k'));
  TokenSigner other(std::string(32, 'x'));
  std::string token = signer.Issue(kAlice, kNow);
  EXPECT_FALSE(other.Verify(token, kNow));
  // Swap the payload for another principal, keep the signature.
  std::string forged_payload =
      Base64UrlEncode(std::to_string(kNow) + "|" + std::to_string(kNow + 43200) + "|" + kBob);
  std::string forged = "PCT1." + forged_payload + token.substr(token.rfind('.'));
  EXPECT_FALSE(signer.Verify(forged, kNow));
  for (std::string bad : {std::string(), std::string("PCT1."), std::string("PCT1.abc"),
                          std::string("junk"), token + "x", token.substr(0, token.size() - 2)}) {
    EXPECT_FALSE(signer.Verify(bad, kNow)) << bad;
  }
}

TEST(Basic, OnlyAwsUserWithValidToken) {
  TokenSigner signer(std::string(32, 'k'));
  std::string token = signer.Issue(kAlice, kNow);
  std::string good = Basic("AWS", token);
  EXPECT_GT(good.size(), 100u);
  EXPECT_TRUE(AuthenticateBasic(&good, signer, kNow));
  EXPECT_FALSE(AuthenticateBasic(nullptr, signer, kNow));
  std::string empty = "Basic Og==";  // skopeo without credentials
  EXPECT_FALSE(AuthenticateBasic(&empty, signer, kNow));
  std::string user = Basic("alice", token);
  EXPECT_FALSE(AuthenticateBasic(&user, signer, kNow));
  std::string bearer = "Bearer " + token;
  EXPECT_FALSE(AuthenticateBasic(&bearer, signer, kNow));
  std::string garbage = "Basic !!!!";
  EXPECT_FALSE(AuthenticateBasic(&garbage, signer, kNow));
}

TEST(Token, KeyFileIsCreatedOnceAndReused) {
  std::string path = ::testing::TempDir() + "rf-auth-key-" + std::to_string(::getpid()) + "/k";
  auto a = TokenSigner::LoadOrCreate(path);
  ASSERT_TRUE(a) << a.error().ToString();
  auto b = TokenSigner::LoadOrCreate(path);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->Verify(a->Issue(kAlice, kNow), kNow));
  std::remove(path.c_str());
}

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = policy_engine::engine::Engine::Create(demo::EngineDemoStore());
    ASSERT_TRUE(e) << e.error().ToString();
    engine_ = std::move(*e);
  }
  oci::AccessRecord Record(const char* action, const char* name) {
    return {action, name, oci::RepositoryArn({}, name), false};
  }
  RequestFacts Facts() { return {"127.0.0.1", false, kNow, "skopeo/1.9.3"}; }
  std::unique_ptr<policy_engine::engine::Engine> engine_;
};

TEST_F(AuthorizerTest, AllowsEveryRecordOrNamesTheFirstDenied) {
  Authorizer authorizer(*engine_);
  auto push = authorizer.Authorize(kAlice,
                                   {Record("ecr:InitiateLayerUpload", "payments/worker"),
                                    Record("ecr:UploadLayerPart", "payments/worker"),
                                    Record("ecr:CompleteLayerUpload", "payments/worker")},
                                   Facts());
  EXPECT_EQ(push.outcome, Outcome::kAllow) << push.message;
  auto denied = authorizer.Authorize(kBob, {Record("ecr:PutImage", "payments/worker")}, Facts());
  EXPECT_EQ(denied.outcome, Outcome::kDeny);
  // Cross-account with neither side allowing: the engine names the missing resource policy.
  EXPECT_EQ(denied.message,
            "User: arn:aws:iam::444455556666:user/bob is not authorized to perform: ecr:PutImage "
            "on resource: arn:aws:ecr:us-east-1:111122223333:repository/payments/worker because "
            "no resource-based policy allows the ecr:PutImage action");
  auto cross =
      authorizer.Authorize(kBob, {Record("ecr:BatchGetImage", "payments/worker")}, Facts());
  EXPECT_EQ(cross.outcome, Outcome::kDeny);
  EXPECT_NE(cross.message.find("no resource-based policy allows"), std::string::npos)
      << cross.message;
  EXPECT_EQ(authorizer.allowed(), 1u);
  EXPECT_EQ(authorizer.denied(), 2u);
}

TEST_F(AuthorizerTest, ExplicitDenyNamesThePolicyKind) {
  Authorizer authorizer(*engine_);
  // platform/base-images: a repository-policy Deny for pushes by anyone but the ci role.
  auto r = authorizer.Authorize(kAlice, {Record("ecr:PutImage", "platform/base-images")}, Facts());
  EXPECT_EQ(r.outcome, Outcome::kDeny);
  EXPECT_NE(r.message.find("with an explicit deny in a resource-based policy"), std::string::npos)
      << r.message;
}

TEST_F(AuthorizerTest, UnknownPrincipalFailsClosedAndIsCounted) {
  Authorizer authorizer(*engine_);
  auto r = authorizer.Authorize("arn:aws:iam::111122223333:user/ghost",
                                {Record("ecr:BatchGetImage", "payments/worker")}, Facts());
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(authorizer.errors(), 1u);
  EXPECT_NE(r.message.find("could not be evaluated"), std::string::npos);
}

TEST(Context, RequestKeys) {
  RequestFacts facts{"10.0.0.1", false, kNow, "skopeo/1.9.3"};
  RequestKeys keys(facts);
  auto value = [&](std::string_view name) -> std::string {
    for (const auto& k : keys.keys()) {
      if (k.name == name) return std::string(k.value);
    }
    return "(absent)";
  };
  EXPECT_EQ(keys.keys().size(), 5u);
  EXPECT_EQ(value("aws:SourceIp"), "10.0.0.1");
  EXPECT_EQ(value("aws:SecureTransport"), "false");
  EXPECT_EQ(value("aws:EpochTime"), std::to_string(kNow));
  EXPECT_EQ(value("aws:CurrentTime"), Iso8601(kNow));
  EXPECT_EQ(Iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(value("aws:UserAgent"), "skopeo/1.9.3");
  // The time is formatted per second: the next second is not the cached one.
  RequestKeys next(RequestFacts{"", true, kNow + 1, ""});
  EXPECT_EQ(next.keys().size(), 3u);
  EXPECT_EQ(next.keys()[1].value, Iso8601(kNow + 1));
  EXPECT_EQ(next.keys()[0].value, "true");
}

}  // namespace
}  // namespace registry_frontend::auth
