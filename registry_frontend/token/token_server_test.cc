// HandleTokenRequest against a store shaped like the registry demo: grants per scope, denied and
// unknown scopes left out, catalog rule, authentication, expiry, JWT structure and signature.
#include "registry_frontend/token/token_server.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registry_frontend/token/token_test_util.h"

namespace registry_frontend::token {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1795780800;  // 2026-11-27T12:00:00Z
constexpr char kAlice[] = "arn:aws:iam::111122223333:user/alice";
constexpr char kBob[] = "arn:aws:iam::111122223333:user/bob";
constexpr char kCarol[] = "arn:aws:iam::444455556666:user/carol";

// alice: push+pull+delete+describe demo/*; bob: pull+describe demo/*, never classification=
// restricted; carol (other account): pull anything by identity, demo/app's policy lets her
// account pull. partner/app lives in another region, so this registry does not serve it.
constexpr char kStore[] = R"({
  "accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
  "principals": [
    {"arn": "arn:aws:iam::111122223333:user/alice", "inlinePolicies": [{"name": "p", "policy":
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:PutImage", "ecr:BatchDeleteImage", "ecr:DescribeRepositories"],
        "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/demo/*"}]}}]},
    {"arn": "arn:aws:iam::111122223333:user/bob",
     "accessKeys": [{"accessKeyId": "AKIABOB0000000000001", "secretAccessKey": "bob-secret-0123456789"},
                    {"accessKeyId": "AKIABOB0000000000002", "secretAccessKey": "bob-old-secret-012345",
                     "status": "Inactive"}],
     "inlinePolicies": [{"name": "p", "policy":
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability", "ecr:DescribeRepositories"],
         "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/demo/*"},
        {"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/classification": "restricted"}}}]}}]},
    {"arn": "arn:aws:iam::444455556666:user/carol", "inlinePolicies": [{"name": "p", "policy":
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        "Resource": "*"}]}}]}
  ],
  "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/app",
     "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
       "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                  "ecr:BatchCheckLayerAvailability"]}]}},
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/immutable"},
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/restricted",
     "tags": {"classification": "restricted"}},
    {"arn": "arn:aws:ecr:eu-west-1:444455556666:repository/partner/app"}
  ]
})";

constexpr char kKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRj/KEZHGtKyngATx\n"
    "iCTQ+bpfPrrT6kDPshSycznAeqShRANCAAQIW5qRjRFK4F+d9DwYy2eK/6aiy25O\n"
    "muvDv60JC661vEjud0Sv7iGPb+752MZfeeDK3cjRR09OcCtcx0w5b6No\n"
    "-----END PRIVATE KEY-----\n";

class TokenServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = policy_engine::engine::Engine::Create(kStore);
    ASSERT_TRUE(engine) << engine.error().ToString();
    engine_ = std::move(*engine);
    authorizer_ = std::make_unique<auth::Authorizer>(*engine_);
    auto jwt = JwtIssuer::FromPem(kKeyPem);
    ASSERT_TRUE(jwt);
    jwt_ = std::make_unique<JwtIssuer>(std::move(*jwt));
    options_.issuer = "test-issuer";
    options_.service = "test-registry";
  }

  TokenDeps Deps() {
    return TokenDeps{*engine_, *authorizer_, passwords_, *jwt_, registry_, options_, kNow, &trail_};
  }

  http::HttpResponse Get(const std::string& query, const std::string* principal,
                         int64_t issued = kNow) {
    http::HttpRequest request;
    request.method = "GET";
    request.path = "/token";
    request.query = query;
    request.target = "/token?" + query;
    request.remote_ip = "127.0.0.1";
    if (principal != nullptr) {
      request.headers.emplace_back(
          "authorization",
          "Basic " + auth::Base64Encode("AWS:" + passwords_.Issue(*principal, issued)));
    }
    return HandleTokenRequest(request, Deps());
  }

  // The `access` claim of a 200 answer, after checking the response and the JWT around it.
  json Access(const std::string& principal, const std::string& query) {
    http::HttpResponse r = Get(query, &principal);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return nullptr;
    json body = json::parse(r.body);
    EXPECT_EQ(body["token"], body["access_token"]);
    std::string jwt = body["token"];
    EXPECT_TRUE(VerifyEs256(jwt, jwt_->public_key_der()));
    json claims = json::parse(*auth::Base64UrlDecode(SplitJwt(jwt)[1]));
    EXPECT_EQ(claims["sub"], principal);
    return claims["access"];
  }

  static json Grant(const std::string& name, std::vector<std::string> actions) {
    return json{{"type", "repository"}, {"name", name}, {"actions", actions}};
  }

  std::unique_ptr<policy_engine::engine::Engine> engine_;
  std::unique_ptr<auth::Authorizer> authorizer_;
  auth::TokenSigner passwords_{std::string(32, 'k')};
  std::unique_ptr<JwtIssuer> jwt_;
  oci::RegistryIdentity registry_;  // 111122223333 / us-east-1
  TokenServerOptions options_;
  std::vector<auth::DecisionRecord> trail_;
  std::string alice_ = kAlice, bob_ = kBob, carol_ = kCarol;
};

TEST_F(TokenServer, AnswersTheTokenSpecShape) {
  http::HttpResponse r =
      Get("service=test-registry&scope=repository%3Ademo%2Fapp%3Apull%2Cpush"
          "&account=AWS",
          &alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(*r.Header("content-type"), "application/json");
  EXPECT_EQ(*r.Header("cache-control"), "no-store");
  json body = json::parse(r.body);
  EXPECT_EQ(body["expires_in"], 300);
  EXPECT_EQ(body["issued_at"], "2026-11-27T12:00:00Z");
  std::string jwt = body["token"];
  auto parts = SplitJwt(jwt);
  ASSERT_EQ(parts.size(), 3u);
  json header = json::parse(*auth::Base64UrlDecode(parts[0]));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(header["kid"], jwt_->key_id());
  json claims = json::parse(*auth::Base64UrlDecode(parts[1]));
  EXPECT_EQ(claims["iss"], "test-issuer");
  EXPECT_EQ(claims["sub"], kAlice);
  EXPECT_EQ(claims["aud"], "test-registry");  // a string, as distribution 2.8 reads it
  EXPECT_EQ(claims["iat"], kNow);
  EXPECT_EQ(claims["nbf"], kNow);
  EXPECT_EQ(claims["exp"], kNow + 300);
  EXPECT_GE(claims["jti"].get<std::string>().size(), 16u);
  EXPECT_EQ(claims["access"], json::array({Grant("demo/app", {"pull", "push"})}));
  EXPECT_TRUE(VerifyEs256(jwt, jwt_->public_key_der()));
  // A fresh jti per token.
  json again = json::parse(*auth::Base64UrlDecode(
      SplitJwt(json::parse(Get("scope=repository:demo/app:pull", &alice_).body)["token"])[1]));
  EXPECT_NE(again["jti"], claims["jti"]);
}

TEST_F(TokenServer, GrantsOnlyWhatTheEngineAllows) {
  EXPECT_EQ(Access(bob_, "scope=repository:demo/app:pull,push"),
            json::array({Grant("demo/app", {"pull"})}));
  // carol: cross-account, only demo/app's repository policy lets her in (R116).
  EXPECT_EQ(Access(carol_, "scope=repository:demo/app:pull,push"),
            json::array({Grant("demo/app", {"pull"})}));
  EXPECT_EQ(Access(carol_, "scope=repository:demo/immutable:pull"), json::array());
  // An explicit deny on the repository's tag.
  EXPECT_EQ(Access(bob_, "scope=repository:demo/restricted:pull"), json::array());
  EXPECT_EQ(Access(alice_, "scope=repository:demo/restricted:pull"),
            json::array({Grant("demo/restricted", {"pull"})}));
  // Delete and `*` need every mapped action.
  EXPECT_EQ(Access(alice_, "scope=repository:demo/app:*"), json::array({Grant("demo/app", {"*"})}));
  EXPECT_EQ(Access(bob_, "scope=repository:demo/app:*"), json::array());
  EXPECT_EQ(Access(bob_, "scope=repository:demo/app:delete,pull"),
            json::array({Grant("demo/app", {"pull"})}));
  // Unknown registry actions are never granted.
  EXPECT_EQ(Access(alice_, "scope=repository:demo/app:pull,frobnicate"),
            json::array({Grant("demo/app", {"pull"})}));
}

TEST_F(TokenServer, UnknownRepositoriesLookLikeDenials) {
  // Same answer for a repository that does not exist, one in another account/region, and one
  // that exists but is denied.
  EXPECT_EQ(Access(carol_, "scope=repository:demo/nope:pull"), json::array());
  EXPECT_EQ(Access(carol_, "scope=repository:partner/app:pull"), json::array());
  EXPECT_EQ(Access(carol_, "scope=repository:demo/immutable:pull"), json::array());
  trail_.clear();
  EXPECT_EQ(Access(alice_, "scope=repository:demo/nope:pull"), json::array());
  EXPECT_TRUE(trail_.empty());  // no decision needed for what is not served
}

TEST_F(TokenServer, SeveralScopesAndOddOnesMixed) {
  json access = Access(alice_,
                       "scope=repository:demo/app:push&scope=repository:demo/immutable:pull"
                       "&scope=repository:demo/app:pull&scope=repository:Demo/app:pull"
                       "&scope=repository:demo%0Aapp:pull&scope=repository:demo/app%00:pull"
                       "&scope=repository:demo/../app:pull&scope=garbage");
  EXPECT_EQ(access,
            json::array({Grant("demo/app", {"push", "pull"}), Grant("demo/immutable", {"pull"})}));
  // Space-separated scopes in one value (the OAuth2 form).
  EXPECT_EQ(Access(bob_, "scope=repository:demo/app:pull%20repository:demo/immutable:pull"),
            json::array({Grant("demo/app", {"pull"}), Grant("demo/immutable", {"pull"})}));
  // A host-prefixed name is a different name: not served here.
  EXPECT_EQ(Access(alice_, "scope=repository:127.0.0.1:5000/demo/app:pull"), json::array());
  // skopeo login asks without a scope.
  EXPECT_EQ(Access(alice_, ""), json::array());
  EXPECT_EQ(Access(alice_, "scope="), json::array());
}

TEST_F(TokenServer, CatalogOnlyWhenEveryServedRepositoryMayBeDescribed) {
  EXPECT_EQ(Access(alice_, "scope=registry:catalog:*"),
            json::array({json{{"type", "registry"}, {"name", "catalog"}, {"actions", {"*"}}}}));
  EXPECT_EQ(Access(bob_, "scope=registry:catalog:*"), json::array());  // not demo/restricted
  EXPECT_EQ(Access(carol_, "scope=registry:catalog:*"), json::array());
  EXPECT_EQ(Access(alice_, "scope=registry:catalog:pull"), json::array());
  EXPECT_EQ(Access(alice_, "scope=registry:other:*"), json::array());
  EXPECT_EQ(Access(alice_, "scope=widget:demo/app:pull"), json::array());
}

TEST_F(TokenServer, ClassIsCarriedThrough) {
  EXPECT_EQ(Access(alice_, "scope=repository(plugin):demo/app:pull"),
            json::array({json{{"type", "repository"},
                              {"class", "plugin"},
                              {"name", "demo/app"},
                              {"actions", {"pull"}}}}));
}

TEST_F(TokenServer, RequiresValidCredentials) {
  auto expect_401 = [](const http::HttpResponse& r, const std::string& why) {
    EXPECT_EQ(r.status, 401) << why;
    ASSERT_NE(r.Header("www-authenticate"), nullptr) << why;
    EXPECT_EQ(*r.Header("www-authenticate"), "Basic realm=\"test-registry\"");
    EXPECT_EQ(json::parse(r.body)["errors"][0]["code"], "UNAUTHORIZED");
  };
  expect_401(Get("scope=repository:demo/app:pull", nullptr), "anonymous");
  // Expired: issued 12 h ago.
  expect_401(Get("scope=repository:demo/app:pull", &alice_, kNow - 12 * 3600), "expired");

  auto with_header = [&](const std::string& value) {
    http::HttpRequest request;
    request.method = "GET";
    request.query = "scope=repository:demo/app:pull";
    request.headers.emplace_back("authorization", value);
    return HandleTokenRequest(request, Deps());
  };
  std::string good = passwords_.Issue(kAlice, kNow);
  expect_401(with_header("Basic " + auth::Base64Encode("alice:" + good)), "user not AWS");
  expect_401(with_header("Bearer " + good), "bearer");
  expect_401(with_header("Basic !!!"), "bad base64");
  auth::TokenSigner other(std::string(32, 'x'));
  expect_401(with_header("Basic " + auth::Base64Encode("AWS:" + other.Issue(kAlice, kNow))),
             "forged");
  EXPECT_EQ(with_header("Basic " + auth::Base64Encode("AWS:" + good)).status, 200);
}

TEST_F(TokenServer, LifetimeIsCappedByThePassword) {
  // A password with 100 s left yields a token with 100 s left.
  http::HttpResponse r = Get("scope=repository:demo/app:pull", &alice_, kNow - 12 * 3600 + 100);
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["expires_in"], 100);
  json claims = json::parse(*auth::Base64UrlDecode(SplitJwt(body["token"])[1]));
  EXPECT_EQ(claims["exp"], kNow + 100);

  options_.lifetime_seconds = 60;
  body = json::parse(Get("", &alice_).body);
  EXPECT_EQ(body["expires_in"], 60);
}

TEST_F(TokenServer, RejectsOtherServicesAndMethods) {
  http::HttpResponse r = Get("service=someone-else&scope=repository:demo/app:pull", &alice_);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown service"), std::string::npos);
  EXPECT_EQ(Get("service=test-registry", &alice_).status, 200);

  http::HttpRequest post;
  post.method = "POST";
  r = HandleTokenRequest(post, Deps());
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(*r.Header("allow"), "GET");
  http::HttpRequest head;
  head.method = "HEAD";
  r = HandleTokenRequest(head, Deps());
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(r.body.empty());
  ASSERT_TRUE(r.head_length.has_value());
  EXPECT_GT(*r.head_length, 0u);
}

TEST_F(TokenServer, DecisionsAreReportedAndUnknownPrincipalsFailClosed) {
  trail_.clear();
  Access(bob_, "scope=repository:demo/app:pull,push");
  ASSERT_FALSE(trail_.empty());
  EXPECT_EQ(trail_[0].action, "ecr:BatchGetImage");
  EXPECT_EQ(trail_[0].resource, "arn:aws:ecr:us-east-1:111122223333:repository/demo/app");
  EXPECT_EQ(trail_[0].decision, "Allow");
  EXPECT_EQ(trail_.back().decision, "ImplicitDeny");
  // Each ECR action is decided once per scope even when two registry actions share it.
  size_t checks = 0;
  for (const auto& d : trail_) checks += d.action == "ecr:BatchCheckLayerAvailability";
  EXPECT_EQ(checks, 1u);

  // A valid password for a principal the store no longer has: 200, nothing granted.
  std::string gone = "arn:aws:iam::111122223333:user/mallory";
  uint64_t errors = authorizer_->errors();
  EXPECT_EQ(Access(gone, "scope=repository:demo/app:pull"), json::array());
  EXPECT_GT(authorizer_->errors(), errors);
}

TEST_F(TokenServer, CallerFactsPrincipalAndAuditLines) {
  // The caller's facts (e.g. resolved through a trusted proxy) decide aws:SourceIp.
  auth::RequestFacts facts;
  facts.source_ip = "203.0.113.7";
  facts.user_agent = "skopeo/1.9.3";
  std::string principal;
  TokenDeps deps = Deps();
  deps.facts = &facts;
  deps.principal = &principal;
  trail_.clear();
  http::HttpRequest request;
  request.method = "GET";
  request.path = "/token";
  request.query = "scope=repository:demo/app:pull,push";
  request.remote_ip = "127.0.0.1";
  request.headers.emplace_back(
      "authorization", "Basic " + auth::Base64Encode("AWS:" + passwords_.Issue(kBob, kNow)));
  http::HttpResponse r = HandleTokenRequest(request, deps);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(principal, kBob);

  auto lines = AuditRecords(request, principal, facts, trail_, "tok-1", r.status);
  ASSERT_EQ(lines.size(), trail_.size());
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].principal, kBob);
  EXPECT_EQ(lines[0].action, "ecr:BatchGetImage");
  EXPECT_EQ(lines[0].decision, "Allow");
  EXPECT_EQ(lines[0].error_code, "");
  EXPECT_EQ(lines[0].source_ip, "203.0.113.7");
  EXPECT_EQ(lines[0].user_agent, "skopeo/1.9.3");
  EXPECT_EQ(lines[0].request_id, "tok-1");
  EXPECT_EQ(lines[0].path, "/token");
  EXPECT_EQ(lines[0].status, 200);
  EXPECT_EQ(lines[0].parameters,
            (std::vector<std::pair<std::string, std::string>>{{"repositoryName", "demo/app"}}));
  EXPECT_EQ(lines.back().decision, "ImplicitDeny");
  EXPECT_EQ(lines.back().error_code, "AccessDeniedException");
  EXPECT_EQ(lines.back().sequence, lines.size() - 1);
  // No credential reaches the audit line.
  std::string text = audit::FormatAuditLine(lines.back());
  EXPECT_EQ(text.find(passwords_.Issue(kBob, kNow)), std::string::npos);
  EXPECT_NE(text.find("203.0.113.7"), std::string::npos);

  // A failed authentication names nobody.
  principal = "stale";
  request.headers.clear();
  EXPECT_EQ(HandleTokenRequest(request, deps).status, 401);
  EXPECT_EQ(principal, "");
}

}  // namespace
}  // namespace registry_frontend::token

namespace registry_frontend::token {
namespace {

// `docker login -u AKIA… -p SECRET`: a long-term access key pair from the configuration
// authenticates its user; inactive keys and wrong secrets get 401. The token lives for the
// token lifetime (there is no password expiry to cap it).
TEST_F(TokenServer, AccessKeyPairsAuthenticateTheirUser) {
  auto request = [&](const std::string& user, const std::string& secret) {
    http::HttpRequest r;
    r.method = "GET";
    r.query = "scope=repository:demo/app:pull,push";
    r.headers.emplace_back("authorization", "Basic " + auth::Base64Encode(user + ":" + secret));
    return HandleTokenRequest(r, Deps());
  };
  http::HttpResponse ok = request("AKIABOB0000000000001", "bob-secret-0123456789");
  ASSERT_EQ(ok.status, 200) << ok.body;
  json body = json::parse(ok.body);
  json claims = json::parse(*auth::Base64UrlDecode(SplitJwt(body["token"])[1]));
  EXPECT_EQ(claims["sub"], kBob);
  EXPECT_EQ(claims["access"], json::array({Grant("demo/app", {"pull"})}));  // bob: no push
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), options_.lifetime_seconds);
  EXPECT_EQ(request("AKIABOB0000000000002", "bob-old-secret-012345").status, 401);  // inactive
  EXPECT_EQ(request("AKIABOB0000000000001", "bob-secret-0123456780").status, 401);  // wrong
  EXPECT_EQ(request("AKIAUNKNOWN000000001", "bob-secret-0123456789").status, 401);  // unknown
}

}  // namespace
}  // namespace registry_frontend::token
