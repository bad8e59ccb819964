// rf_sidecar_test: checked-request parsing, trusted proxies, URI validation, metrics text,
// dispatch and decisions of the sidecar (docs/sidecar.md), without sockets.
#include "registry_frontend/sidecar/sidecar.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>

namespace registry_frontend::sidecar {
namespace {

using http::HttpRequest;
using http::HttpResponse;

constexpr int64_t kNow = 1'800'000'000;

// alice: push/pull demo/*; bob: pull demo/* except tag classification=restricted (R140);
// carol (other account): pull by identity, reaches demo/app only via its repository policy (R116).
std::string Store(std::string_view partner_actions = "\"ecr:BatchGetImage\"") {
  return std::string(R"({
 "accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
 "principals": [
  {"arn": "arn:aws:iam::111122223333:user/alice", "inlinePolicies": [{"name": "push", "policy":
   {"Version": "2012-10-17", "Statement": [{"Sid": "PushPull", "Effect": "Allow", "Action": "ecr:*",
    "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/demo/*"}]}}]},
  {"arn": "arn:aws:iam::111122223333:user/bob", "inlinePolicies": [{"name": "pull", "policy":
   {"Version": "2012-10-17", "Statement": [
    {"Sid": "Pull", "Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
     "ecr:BatchCheckLayerAvailability"], "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/demo/*"},
    {"Sid": "DenyRestricted", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/classification": "restricted"}}},
    {"Sid": "DenyOffice", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}}]},
  {"arn": "arn:aws:iam::444455556666:user/carol", "inlinePolicies": [{"name": "pull", "policy":
   {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], "Resource": "*"}]}}]}],
 "repositories": [
  {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/app", "tags": {"classification": "internal"},
   "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "PartnerPull", "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": [)") +
         std::string(partner_actions) + R"(]}]}},
  {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/restricted", "tags": {"classification": "restricted"}}]
})";
}

const std::string kDigest = "sha256:" + std::string(64, 'a');

class SidecarTest : public ::testing::Test {
 protected:
  void SetUp() override { Make({}); }
  void Make(SidecarOptions options) {
    auto engine = policy_engine::engine::Engine::Create(Store());
    ASSERT_TRUE(engine) << engine.error().ToString();
    options.clock = [] { return kNow; };
    sidecar_ = std::make_unique<Sidecar>(
        std::move(*engine), signer_,
        [this]() -> policy_engine::Result<std::string> { return config_; }, std::move(options));
  }
  std::string Basic(const std::string& user) {
    return "Basic " + auth::Base64Encode(
                          "AWS:" + signer_.Issue("arn:aws:iam::" +
                                                     std::string(user == "carol" ? "444455556666"
                                                                                 : "111122223333") +
                                                     ":user/" + user,
                                                 kNow - 10));
  }
  HttpRequest Auth(const std::string& method, const std::string& uri, const std::string& user) {
    HttpRequest r;
    r.method = "GET";
    r.target = r.path = "/auth";
    r.remote_ip = "127.0.0.1";
    r.headers = {{"x-original-method", method}, {"x-original-uri", uri}};
    if (!user.empty()) r.headers.push_back({"authorization", Basic(user)});
    return r;
  }
  HttpRequest Get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.target = r.path = path;
    r.remote_ip = "127.0.0.1";
    return r;
  }
  static std::string H(const HttpResponse& r, std::string_view name) {
    const std::string* v = r.Header(name);
    return v ? *v : std::string("<none>");
  }

  auth::TokenSigner signer_{std::string(32, 'k')};
  std::string config_ = Store();
  std::unique_ptr<Sidecar> sidecar_;
};

// --- URI validation -------------------------------------------------------------------------

TEST(ParseTargetTest, SplitsPathAndQuery) {
  auto c = ParseTarget("POST", "/v2/demo/app/blobs/uploads/?mount=sha256:1&from=demo/x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->path, "/v2/demo/app/blobs/uploads/");
  EXPECT_EQ(c->query, "mount=sha256:1&from=demo/x");
}

TEST(ParseTargetTest, RefusesDangerousTargets) {
  struct Case {
    const char* target;
    const char* needle;
  } cases[] = {
      {"", "empty"},
      {"http://evil/v2/demo/app/manifests/v1", "absolute-form"},
      {"v2/demo/app/manifests/v1", "does not start"},
      {"//evil/v2/", "starts with `//`"},
      {"/v2/demo%2Fapp/manifests/v1", "percent-encoded character at offset 8"},
      {"/v2/demo/%2e%2e/x/manifests/v1", "percent-encoded"},
      {"/v2/demo/../secret/manifests/v1", "dot segment `..` at offset 9"},
      {"/v2/./demo/app/manifests/v1", "dot segment `.`"},
      {"/v2/demo//app/manifests/v1", "empty path segment"},
      {"/v2/demo/app/manifests/v1#x", "fragment"},
      {"/v2/demo app/manifests/v1", "offset 8"},
      {"/v2/demo\\app", "backslash"},
  };
  for (const auto& c : cases) {
    auto r = ParseTarget("GET", c.target);
    ASSERT_FALSE(r) << c.target;
    EXPECT_NE(r.error().message().find(c.needle), std::string::npos)
        << c.target << " → " << r.error().message();
  }
  EXPECT_FALSE(ParseTarget("GET", "/" + std::string(9000, 'a')));
}

// --- headers -----------------------------------------------------------------------------------

TEST(FromAuthRequestTest, MissingRepeatedAndContradictoryHeaders) {
  HttpRequest r;
  r.method = "GET";
  r.target = r.path = "/auth";
  EXPECT_NE(FromAuthRequest(r).error().message().find("missing X-Original-Method"),
            std::string::npos);
  r.headers = {{"x-original-method", "GET"}};
  EXPECT_NE(FromAuthRequest(r).error().message().find("missing X-Original-URI"), std::string::npos);
  r.headers = {{"x-original-method", "GET, PUT"}, {"x-original-uri", "/v2/"}};
  EXPECT_NE(FromAuthRequest(r).error().message().find("more than once"), std::string::npos);
  r.headers = {{"x-original-method", "GET"}, {"x-original-uri", "/v2/, /v2/x/manifests/y"}};
  EXPECT_NE(FromAuthRequest(r).error().message().find("more than once"), std::string::npos);
  r.headers = {{"x-original-method", "GET"},
               {"x-original-uri", "/v2/"},
               {"x-forwarded-uri", "/v2/other/manifests/v1"}};
  EXPECT_NE(FromAuthRequest(r).error().message().find("contradictory"), std::string::npos);
  r.headers = {{"x-original-method", "get"}, {"x-original-uri", "/v2/"}};
  EXPECT_NE(FromAuthRequest(r).error().message().find("upper-case"), std::string::npos);
  r.headers = {{"x-original-method", "PUT"}, {"x-original-uri", "/v2/a/manifests/v1?x=1"}};
  auto ok = FromAuthRequest(r);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->method, "PUT");
  EXPECT_EQ(ok->path, "/v2/a/manifests/v1");
  EXPECT_EQ(ok->query, "x=1");
}

TEST(FromExtAuthzTest, StripsPrefixAndChecksAgreement) {
  HttpRequest r;
  r.method = "HEAD";
  r.target = "/ext_authz/v2/a/blobs/sha256:1?x=1";
  auto ok = FromExtAuthz(r, "/ext_authz");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->method, "HEAD");
  EXPECT_EQ(ok->path, "/v2/a/blobs/sha256:1");
  r.headers = {{"x-original-method", "GET"}};
  EXPECT_NE(FromExtAuthz(r, "/ext_authz").error().message().find("contradictory"),
            std::string::npos);
  r.headers.clear();
  r.target = "/ext_authz";
  EXPECT_FALSE(FromExtAuthz(r, "/ext_authz"));
  r.target = "/ext_authz/v2/a/../b/manifests/v1";
  EXPECT_FALSE(FromExtAuthz(r, "/ext_authz"));
}

// --- trusted proxies ----------------------------------------------------------------------------

// ParseIp's own dotted-quad parser accepts exactly what inet_pton(AF_INET) accepts.
TEST(ParseIpTest, DottedQuadsAsInetPton) {
  for (const char* text :
       {"0.0.0.0",     "10.1.2.7",   "255.255.255.255", "256.1.1.1",  "1.2.3",
        "1.2.3.4.5",   "01.2.3.4",   "1.02.3.4",        "1.2.3.00",   "1.2.3.0",
        "1..2.3",      ".1.2.3",     "1.2.3.",          "1.2.3.4 ",   " 1.2.3.4",
        "1.2.3.-4",    "1234.1.1.1", "1.2.3.4567",      "1.2.3.4a",   "0x1.2.3.4",
        "127.000.0.1", "9.9.9.9",    "192.168.1.1",     "1.1.1.1111", "",
        "a.b.c.d",     "::1",        "::ffff:1.2.3.4",  "2001:db8::7"}) {
    IpAddress parsed;
    bool ours = ParseIp(text, parsed);
    in_addr v4{};
    in6_addr v6{};
    bool system = inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1;
    EXPECT_EQ(ours, system) << text;
    if (ours && inet_pton(AF_INET, text, &v4) == 1) {
      EXPECT_EQ(std::memcmp(&parsed.bytes[12], &v4, 4), 0) << text;
      EXPECT_EQ(parsed.bytes[10], 0xff) << text;
    }
  }
}

TEST(TrustedProxiesTest, CidrMatching) {
  TrustedProxies t({*ParseCidr("10.0.0.0/8"), *ParseCidr("192.168.1.7"), *ParseCidr("fd00::/8")});
  EXPECT_TRUE(t.Contains("10.1.2.3"));
  EXPECT_FALSE(t.Contains("11.0.0.1"));
  EXPECT_TRUE(t.Contains("192.168.1.7"));
  EXPECT_FALSE(t.Contains("192.168.1.8"));
  EXPECT_TRUE(t.Contains("fd12::1"));
  EXPECT_FALSE(t.Contains("fe80::1"));
  EXPECT_FALSE(t.Contains("garbage"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/x"));
  EXPECT_FALSE(ParseCidr("host.example"));
}

TEST(ResolveClientTest, HeadersOnlyFromTrustedPeers) {
  TrustedProxies t({*ParseCidr("127.0.0.1/32"), *ParseCidr("10.0.0.0/8")});
  HttpRequest r;
  r.remote_ip = "198.51.100.9";  // not a proxy: its forwarding headers are ignored
  r.headers = {{"x-forwarded-for", "203.0.113.5"}, {"x-forwarded-proto", "https"}};
  auto c = ResolveClient(r, t);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source_ip, "198.51.100.9");
  EXPECT_FALSE(c->secure);
  EXPECT_FALSE(c->from_headers);

  r.remote_ip = "127.0.0.1";  // trusted: rightmost hop that is not itself a trusted proxy
  r.headers = {{"x-forwarded-for", "1.1.1.1, 203.0.113.5, 10.2.3.4"},
               {"x-forwarded-proto", "https"}};
  c = ResolveClient(r, t);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source_ip, "203.0.113.5");
  EXPECT_TRUE(c->secure);

  r.headers = {{"x-forwarded-for", "10.9.9.9, 10.2.3.4"}};  // every hop trusted: the leftmost
  EXPECT_EQ(ResolveClient(r, t)->source_ip, "10.9.9.9");
  r.headers = {{"x-real-ip", "2001:db8::1"}};
  EXPECT_EQ(ResolveClient(r, t)->source_ip, "2001:db8::1");
  r.headers = {{"x-forwarded-for", "1.2.3.4, not-an-ip"}};
  EXPECT_NE(ResolveClient(r, t).error().message().find("not-an-ip"), std::string::npos);
  r.headers = {{"x-forwarded-proto", "gopher"}};
  EXPECT_FALSE(ResolveClient(r, t));
  r.headers = {{"x-real-ip", "::zz"}};
  EXPECT_FALSE(ResolveClient(r, t));
}

// --- metrics
// --------------------------------------------------------------------------------------

TEST(MetricsTest, PrometheusText) {
  Metrics m;
  m.CountDecision(MetricOutcome::kAllow, "ecr:BatchGetImage");
  m.CountDecision(MetricOutcome::kDeny, "ecr:PutImage");
  m.CountDecision(MetricOutcome::kError, "ecr:Unheard");
  m.ObserveLatency(3'000);          // 3 µs: first bucket (10 µs)
  m.ObserveLatency(700'000);        // 0.7 ms: le=0.001
  m.ObserveLatency(5'000'000'000);  // 5 s: only +Inf
  m.CountReload(true);
  m.CountReload(false);
  m.CountAuthFailure();
  m.SetSnapshot(12, 3456);
  std::string text = m.Render();
  for (const char* line : {
           "portcullis_decisions_total{outcome=\"allow\",action=\"ecr:BatchGetImage\"} 1\n",
           "portcullis_decisions_total{outcome=\"deny\",action=\"ecr:PutImage\"} 1\n",
           "portcullis_decisions_total{outcome=\"error\",action=\"other\"} 1\n",
           "portcullis_decisions_total{outcome=\"allow\",action=\"ecr:PutImage\"} 0\n",
           "# TYPE portcullis_decision_seconds histogram\n",
           "portcullis_decision_seconds_bucket{le=\"1e-05\"} 1\n",
           "portcullis_decision_seconds_bucket{le=\"0.0005\"} 1\n",
           "portcullis_decision_seconds_bucket{le=\"0.001\"} 2\n",
           "portcullis_decision_seconds_bucket{le=\"1\"} 2\n",
           "portcullis_decision_seconds_bucket{le=\"+Inf\"} 3\n",
           "portcullis_decision_seconds_sum 5.000703\n",
           "portcullis_decision_seconds_count 3\n",
           "portcullis_reloads_total{result=\"ok\"} 1\n",
           "portcullis_reloads_total{result=\"error\"} 1\n",
           "portcullis_snapshot_statements 12\n",
           "portcullis_snapshot_bytes 3456\n",
           "portcullis_auth_failures_total 1\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
  // Every non-comment line is `name{labels} value` or `name value`.
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    EXPECT_EQ(line.rfind("portcullis_", 0), 0u) << line;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
  }
}

// --- dispatch and decisions
// ------------------------------------------------------------------------

TEST_F(SidecarTest, EndpointTable) {
  EXPECT_EQ(sidecar_->Handle(Get("/healthz")).body, "ok\n");
  HttpResponse m = sidecar_->Handle(Get("/metrics"));
  EXPECT_EQ(m.status, 200);
  // The test store has 6 statements (alice 1, bob 3, carol 1, demo/app 1): Engine::Stats.
  EXPECT_NE(m.body.find("portcullis_snapshot_statements 6\n"), std::string::npos) << m.body;
  EXPECT_EQ(m.body.find("portcullis_snapshot_bytes 0\n"), std::string::npos);
  EXPECT_EQ(H(m, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("portcullis_decision_memo_hits_total 0\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("portcullis_engine_direct_decisions_total 0\n"), std::string::npos);
  EXPECT_EQ(sidecar_->Handle(Get("/nothing")).status, 404);
  EXPECT_EQ(sidecar_->Handle(Get("/authx")).status, 404);
  EXPECT_EQ(sidecar_->Handle(Get("/admin/reload")).status, 405);
}

TEST_F(SidecarTest, AllowsWithPrincipalAndStatement) {
  HttpResponse r = sidecar_->Handle(Auth("PUT", "/v2/demo/app/manifests/v1", "alice"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "x-portcullis-decision"), "Allow");
  EXPECT_EQ(H(r, "x-portcullis-principal"), "arn:aws:iam::111122223333:user/alice");
  EXPECT_EQ(H(r, "x-portcullis-statement"), "arn:aws:iam::111122223333:user/alice#push#0/PushPull");
  EXPECT_EQ(sidecar_->metrics().decisions(MetricOutcome::kAllow, "ecr:PutImage"), 1u);
}

TEST_F(SidecarTest, MetricsCountTheEnginesDirectDecisionsAndMemoHits) {
  // The same check three times within one second: decided, decided and remembered (admission on
  // the second sighting), answered from the memo.
  HttpRequest r = Auth("GET", "/v2/demo/app/manifests/v1", "alice");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sidecar_->Handle(r).status, 200);
  const auto& engine = sidecar_->engine();
  EXPECT_EQ(engine.memo_hits(), 1u);
  EXPECT_EQ(engine.direct_count(), 2u);
  std::string body = sidecar_->Handle(Get("/metrics")).body;
  EXPECT_NE(body.find("portcullis_decision_memo_hits_total 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("portcullis_engine_direct_decisions_total 2\n"), std::string::npos) << body;
}

TEST_F(SidecarTest, DeniesWithR152Message) {
  HttpResponse r = sidecar_->Handle(Auth("PUT", "/v2/demo/app/manifests/v1", "bob"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(H(r, "x-portcullis-decision"), "ImplicitDeny");
  EXPECT_EQ(H(r, "x-portcullis-reason"),
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: "
            "ecr:PutImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/demo/app "
            "because no identity-based policy allows the ecr:PutImage action");
  EXPECT_NE(r.body.find("\"DENIED\""), std::string::npos);
  EXPECT_EQ(sidecar_->metrics().decisions(MetricOutcome::kDeny, "ecr:PutImage"), 1u);
}

TEST_F(SidecarTest, TagConditionAndCrossAccount) {
  // R140: bob's explicit deny on classification=restricted.
  HttpResponse r = sidecar_->Handle(Auth("GET", "/v2/demo/restricted/manifests/v1", "bob"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(H(r, "x-portcullis-decision"), "ExplicitDeny");
  EXPECT_EQ(H(r, "x-portcullis-statement"),
            "arn:aws:iam::111122223333:user/bob#pull#1/DenyRestricted");
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/demo/app/manifests/v1", "bob")).status, 200);
  // R116: carol (other account) needs the repository policy.
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/demo/app/manifests/v1", "carol")).status, 200);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/demo/restricted/manifests/v1", "carol")).status, 403);
}

TEST_F(SidecarTest, AuthenticationFailures) {
  HttpResponse r = sidecar_->Handle(Auth("GET", "/v2/demo/app/manifests/v1", ""));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(H(r, "www-authenticate").find("service=\"ecr.amazonaws.com\""), std::string::npos);
  HttpRequest forged = Auth("GET", "/v2/", "alice");
  std::string& a = forged.headers.back().second;
  std::string token = *auth::Base64Decode(a.substr(6));
  token.back() = token.back() == 'A' ? 'B' : 'A';
  a = "Basic " + auth::Base64Encode(token);
  EXPECT_EQ(sidecar_->Handle(forged).status, 401);
  HttpRequest expired = Auth("GET", "/v2/", "");
  expired.headers.push_back(
      {"authorization",
       "Basic " + auth::Base64Encode("AWS:" + signer_.Issue("arn:aws:iam::111122223333:user/alice",
                                                            kNow - 13 * 3600))});
  HttpResponse e = sidecar_->Handle(expired);
  EXPECT_EQ(e.status, 401);
  EXPECT_NE(H(e, "x-portcullis-reason").find("expired"), std::string::npos)
      << H(e, "x-portcullis-reason");
  // /v2/ with good credentials: authentication only.
  HttpResponse ping = sidecar_->Handle(Auth("GET", "/v2/", "bob"));
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(H(ping, "x-portcullis-decision"), "Authenticated");
}

TEST_F(SidecarTest, BadInputNeverAllows) {
  for (const char* uri : {"http://x/v2/demo/app/manifests/v1", "/v2/demo%2fapp/manifests/v1",
                          "/v2/demo/app/../app/manifests/v1"}) {
    HttpResponse r = sidecar_->Handle(Auth("GET", uri, "alice"));
    EXPECT_EQ(r.status, 403) << uri;
    EXPECT_EQ(H(r, "x-portcullis-decision"), "BadRequest") << uri;
  }
  HttpRequest missing = Auth("GET", "/v2/", "alice");
  missing.headers.erase(missing.headers.begin());
  EXPECT_EQ(sidecar_->Handle(missing).status, 403);
  // Not registry routes, catalog, blob delete: denied, never allowed.
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/admin", "alice")).status, 403);
  EXPECT_EQ(
      H(sidecar_->Handle(Auth("GET", "/v2/demo/app/nothing", "alice")), "x-portcullis-decision"),
      "NotARegistryRoute");
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/_catalog", "alice")).status, 403);
  EXPECT_EQ(sidecar_->Handle(Auth("DELETE", "/v2/demo/app/blobs/" + kDigest, "alice")).status, 403);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/demo/app/manifests/-bad", "alice")).status, 403);
}

TEST_F(SidecarTest, PassThroughList) {
  SidecarOptions o;
  o.pass_through = {"/static/"};
  Make(std::move(o));
  HttpResponse r = sidecar_->Handle(Auth("GET", "/static/logo.png", ""));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "x-portcullis-decision"), "PassThrough");
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/statics", "")).status, 403);
}

TEST_F(SidecarTest, MountSourceIsRequired) {
  // bob may push nowhere; alice may pull demo/app but not mount from a repository she cannot
  // read: carol-style cross-account source denied → the whole mount is denied (docs/sidecar.md).
  std::string mount = "/v2/demo/app/blobs/uploads/?mount=" + kDigest + "&from=other/x";
  HttpResponse r = sidecar_->Handle(Auth("POST", mount, "alice"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(H(r, "x-portcullis-reason").find("other/x"), std::string::npos);
  std::string ok = "/v2/demo/app/blobs/uploads/?mount=" + kDigest + "&from=demo/restricted";
  EXPECT_EQ(sidecar_->Handle(Auth("POST", ok, "alice")).status, 200);
}

TEST_F(SidecarTest, SourceIpFromTrustedProxyOnly) {
  // bob is denied from 203.0.113.0/24 (aws:SourceIp).
  HttpRequest r = Auth("GET", "/v2/demo/app/manifests/v1", "bob");
  r.headers.push_back({"x-forwarded-for", "203.0.113.7"});
  r.remote_ip = "127.0.0.1";
  EXPECT_EQ(sidecar_->Handle(r).status, 200);  // no trusted proxy configured: header ignored
  SidecarOptions o;
  o.trusted = TrustedProxies({*ParseCidr("127.0.0.1")});
  Make(std::move(o));
  EXPECT_EQ(sidecar_->Handle(r).status, 403);
  r.remote_ip = "127.0.0.2";  // not in the trusted range
  EXPECT_EQ(sidecar_->Handle(r).status, 200);
}

TEST_F(SidecarTest, ExtAuthzMode) {
  HttpRequest r;
  r.method = "PUT";
  r.target = "/ext_authz/v2/demo/app/manifests/v1";
  r.path = r.target;
  r.remote_ip = "127.0.0.1";
  r.headers = {{"authorization", Basic("bob")}};
  HttpResponse denied = sidecar_->Handle(r);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(H(denied, "x-portcullis-reason").find("ecr:PutImage"), std::string::npos);
  r.headers = {{"authorization", Basic("alice")}};
  EXPECT_EQ(sidecar_->Handle(r).status, 200);
  r.target = r.path = "/ext_authz/v2/demo/%2e%2e/manifests/v1";
  EXPECT_EQ(sidecar_->Handle(r).status, 400);  // Envoy forwards it: a real 400
}

TEST_F(SidecarTest, RepositoryNamesFollowTheReloadedRegistry) {
  // Every repository moves to eu-west-1: after the reload, names map to eu-west-1 ARNs (the
  // registry identity is published with the snapshot), which alice's reloaded policy allows.
  const std::string manifest = "/v2/demo/app/manifests/v1";
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "alice")).status, 200);
  std::string moved = Store();
  for (size_t at; (at = moved.find("us-east-1")) != std::string::npos;) {
    moved.replace(at, 9, "eu-west-1");
  }
  config_ = moved;
  ASSERT_TRUE(sidecar_->Reload("test").ok());
  HttpResponse r = sidecar_->Handle(Auth("GET", manifest, "alice"));
  EXPECT_EQ(r.status, 200) << H(r, "x-portcullis-reason");
}

TEST_F(SidecarTest, ReloadSwapsOrKeepsTheOldSnapshot) {
  const std::string manifest = "/v2/demo/app/manifests/v1";
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 200);  // R116 via policy
  config_ = "{ broken";
  policy_engine::Status bad = sidecar_->Reload("test");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(sidecar_->metrics().reloads(false), 1u);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 200);  // old one serves
  config_ = Store("\"ecr:ListImages\"");  // the repository policy no longer lets carol pull
  ASSERT_TRUE(sidecar_->Reload("test").ok());
  EXPECT_EQ(sidecar_->metrics().reloads(true), 1u);
  HttpResponse r = sidecar_->Handle(Auth("GET", manifest, "carol"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(H(r, "x-portcullis-reason").find("no resource-based policy"), std::string::npos)
      << H(r, "x-portcullis-reason");
}

// Reloads compile on the idle worker (SCHED_IDLE); when it cannot run (here: busy with another
// task), the reloading thread compiles itself after the budget, so a change still applies.
TEST_F(SidecarTest, ReloadFallsBackWhenTheIdleCompileMissesItsBudget) {
  auto worker = std::make_shared<reload::IdleWorker>();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  worker->Post([released] { released.wait(); });  // the worker is busy until released
  SidecarOptions o;
  o.idle_worker = worker;
  o.idle_compile_budget = std::chrono::milliseconds(50);
  Make(std::move(o));
  const std::string manifest = "/v2/demo/app/manifests/v1";
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 200);
  config_ = Store("\"ecr:ListImages\"");  // the repository policy no longer lets carol pull
  ASSERT_TRUE(sidecar_->Reload("test").ok());
  EXPECT_EQ(sidecar_->metrics().reload_fallbacks(), 1u);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 403);
  EXPECT_NE(sidecar_->Handle(Get("/metrics")).body.find("portcullis_reload_fallbacks_total 1\n"),
            std::string::npos);
  release.set_value();
  // With the worker free again, the next reload applies too (compiled there, or here again if
  // the idle thread gets no core within the budget on a busy machine: both are correct).
  config_ = Store();
  ASSERT_TRUE(sidecar_->Reload("test").ok());
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 200);
}

TEST_F(SidecarTest, AdminReloadLoopbackAndToken) {
  SidecarOptions o;
  o.admin_token = "s3cret";
  Make(std::move(o));
  HttpRequest r = Get("/admin/reload");
  r.method = "POST";
  EXPECT_EQ(sidecar_->Handle(r).status, 401);
  r.headers = {{"authorization", "Bearer wrong!"}};
  EXPECT_EQ(sidecar_->Handle(r).status, 401);
  r.headers = {{"authorization", "Bearer s3cret"}};
  // The reload itself is deferred: the server runs it off its I/O threads.
  HttpResponse accepted = sidecar_->Handle(r);
  ASSERT_TRUE(accepted.deferred);
  HttpResponse reloaded = accepted.deferred();
  EXPECT_EQ(reloaded.status, 200);
  EXPECT_EQ(reloaded.body, "reloaded: 6 statements\n");
  config_ = "{\"principals\": 7}";
  HttpResponse deferred = sidecar_->Handle(r);
  ASSERT_TRUE(deferred.deferred);
  HttpResponse refused = deferred.deferred();
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("refused"), std::string::npos);
  r.remote_ip = "192.0.2.1";
  r.headers.push_back({"x-forwarded-for", "127.0.0.1"});
  EXPECT_EQ(sidecar_->Handle(r).status, 403);
}

// The same configuration text is not compiled again (SHA-256 of the text); any change is.
TEST_F(SidecarTest, UnchangedConfigurationIsNotRecompiled) {
  SidecarOptions o;
  o.initial_config = config_;  // what the engine was created from, as `portcullis sidecar` does
  Make(std::move(o));
  bool recompiled = true;
  ASSERT_TRUE(sidecar_->Reload("test", &recompiled).ok());
  EXPECT_FALSE(recompiled);
  EXPECT_EQ(sidecar_->metrics().reloads_unchanged(), 1u);
  EXPECT_EQ(sidecar_->metrics().reloads(true), 0u);
  config_ = Store("\"ecr:ListImages\"");  // one repository policy differs
  ASSERT_TRUE(sidecar_->Reload("test", &recompiled).ok());
  EXPECT_TRUE(recompiled);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/demo/app/manifests/v1", "carol")).status, 403);
  ASSERT_TRUE(sidecar_->Reload("test", &recompiled).ok());  // the new text again
  EXPECT_FALSE(recompiled);
  // A refused text does not become the serving one: fixing it back is a real reload.
  config_ = "{ broken";
  EXPECT_FALSE(sidecar_->Reload("test", &recompiled).ok());
  config_ = Store();
  ASSERT_TRUE(sidecar_->Reload("test", &recompiled).ok());
  EXPECT_TRUE(recompiled);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/demo/app/manifests/v1", "carol")).status, 200);
  EXPECT_EQ(sidecar_->metrics().reloads_unchanged(), 2u);
  EXPECT_NE(sidecar_->Handle(Get("/metrics"))
                .body.find("portcullis_reloads_total{result=\"unchanged\"} 2\n"),
            std::string::npos);
  // The admin endpoint says which it was.
  HttpRequest r = Get("/admin/reload");
  r.method = "POST";
  HttpResponse unchanged = sidecar_->Handle(r);
  ASSERT_TRUE(unchanged.deferred);
  EXPECT_EQ(unchanged.deferred().body, "unchanged: 6 statements\n");
}

TEST_F(SidecarTest, AuditLineWithDecisiveStatement) {
  std::string path = ::testing::TempDir() + "/sidecar_audit_test.jsonl";
  std::remove(path.c_str());
  auto log = audit::AuditLog::Open(path);
  ASSERT_TRUE(log) << log.error().message();
  std::shared_ptr<audit::AuditLog> shared = std::move(*log);
  sidecar_->SetAuditLog(shared);
  HttpRequest r = Auth("GET", "/v2/demo/restricted/manifests/v1", "bob");
  r.headers.push_back({"user-agent", "skopeo/1.9"});
  EXPECT_EQ(sidecar_->Handle(r).status, 403);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", "/v2/", "bob")).status, 200);  // no decision, no line
  shared->Flush();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string lines = text.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 1) << lines;
  for (const char* needle :
       {"DenyRestricted", "ExplicitDeny", "skopeo/1.9", "user/bob", "demo/restricted", "403"}) {
    EXPECT_NE(lines.find(needle), std::string::npos) << needle << " in " << lines;
  }
  std::remove(path.c_str());
}

TEST_F(SidecarTest, FileWatcherReloadsChangedFile) {
  std::string path = ::testing::TempDir() + "/sidecar_watch_test.json";
  auto write = [&path](const std::string& text) {
    std::string tmp = path + ".new";
    std::ofstream(tmp, std::ios::binary) << text;
    std::rename(tmp.c_str(), path.c_str());  // atomic, as docs/sidecar.md asks
  };
  auto read = [&path]() -> policy_engine::Result<std::string> {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  write(Store());
  auto engine = policy_engine::engine::Engine::Create(Store());
  ASSERT_TRUE(engine);
  SidecarOptions o;
  o.clock = [] { return kNow; };
  sidecar_ = std::make_unique<Sidecar>(std::move(*engine), signer_, read, std::move(o));
  sidecar_->StartWatcher(path, std::chrono::milliseconds(20));
  auto wait_for = [this](bool ok, uint64_t n) {
    for (int i = 0; i < 200 && sidecar_->metrics().reloads(ok) < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return sidecar_->metrics().reloads(ok);
  };
  const std::string manifest = "/v2/demo/app/manifests/v1";
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 200);
  write(Store("\"ecr:ListImages\""));
  EXPECT_EQ(wait_for(true, 1), 1u);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 403);
  write("{\"repositories\": 1}");
  EXPECT_EQ(wait_for(false, 1), 1u);
  EXPECT_EQ(sidecar_->Handle(Auth("GET", manifest, "carol")).status, 403);  // still the last good
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(sidecar_->metrics().reloads(false), 1u) << "a broken file is reported once";
  sidecar_->StopWatcher();
  std::remove(path.c_str());
}

TEST(CredentialCacheTest, ExactValueAndValidityAtHitTime) {
  CredentialCache cache;
  auth::TokenClaims claims{"arn:aws:iam::111122223333:user/alice", kNow - 10, kNow + 100};
  EXPECT_FALSE(cache.Find("Basic abc", kNow));
  cache.Insert("Basic abc", claims);
  ASSERT_TRUE(cache.Find("Basic abc", kNow));
  EXPECT_EQ(cache.Find("Basic abc", kNow)->principal_arn, claims.principal_arn);
  EXPECT_FALSE(cache.Find("Basic abd", kNow));
  EXPECT_FALSE(cache.Find("Basic abc ", kNow));
  EXPECT_FALSE(cache.Find("Basic abc", kNow + 100)) << "expired at the hit's time";
  cache.Insert("Basic future", {"x", kNow + 1000, kNow + 5000});
  EXPECT_FALSE(cache.Find("Basic future", kNow)) << "not yet valid";
  cache.Insert(std::string(CredentialCache::kMaxHeader + 1, 'a'), claims);
  EXPECT_FALSE(cache.Find(std::string(CredentialCache::kMaxHeader + 1, 'a'), kNow));
  cache.Clear();
  EXPECT_FALSE(cache.Find("Basic abc", kNow));
}

TEST(CredentialCacheTest, TwoValuesShareASetAndTheLeastRecentlyUsedGoes) {
  // Three values of one set: two fit, the third replaces the one used least recently.
  std::vector<std::string> same;
  size_t set = CredentialCache::SetOf("Basic 0");
  for (int i = 0; same.size() < 3; ++i) {
    std::string v = "Basic " + std::to_string(i);
    if (CredentialCache::SetOf(v) == set) same.push_back(v);
  }
  CredentialCache cache;
  auth::TokenClaims claims{"arn:aws:iam::111122223333:user/alice", kNow - 10, kNow + 100};
  cache.Insert(same[0], claims);
  cache.Insert(same[1], claims);
  EXPECT_TRUE(cache.Find(same[1], kNow));
  EXPECT_TRUE(cache.Find(same[0], kNow));  // same[0] is now the recent one
  cache.Insert(same[2], claims);
  EXPECT_TRUE(cache.Find(same[0], kNow));
  EXPECT_TRUE(cache.Find(same[2], kNow));
  EXPECT_FALSE(cache.Find(same[1], kNow)) << "the least recently used way was replaced";
  cache.Insert(same[2], claims);  // again: refreshed in place, same[0] stays
  EXPECT_TRUE(cache.Find(same[0], kNow));
}

TEST_F(SidecarTest, CachedPasswordsStillExpireAndForgeriesAreNotCached) {
  int64_t now = kNow;  // Make() pins the clock: build one with a clock the test moves
  auto engine = policy_engine::engine::Engine::Create(Store());
  ASSERT_TRUE(engine);
  SidecarOptions moving;
  moving.clock = [&now] { return now; };
  sidecar_ = std::make_unique<Sidecar>(std::move(*engine), signer_, nullptr, std::move(moving));
  HttpRequest r = Auth("GET", "/v2/demo/app/manifests/v1", "alice");  // issued kNow - 10
  EXPECT_EQ(sidecar_->Handle(r).status, 200);
  EXPECT_EQ(sidecar_->Handle(r).status, 200);  // from the cache
  now = kNow - 10 + auth::kTokenLifetimeSeconds;
  HttpResponse expired = sidecar_->Handle(r);
  EXPECT_EQ(expired.status, 401);
  now = kNow;
  HttpRequest forged = r;
  std::string& a = forged.headers.back().second;
  std::string token = *auth::Base64Decode(a.substr(6));
  token.back() = token.back() == 'A' ? 'B' : 'A';
  a = "Basic " + auth::Base64Encode(token);
  EXPECT_EQ(sidecar_->Handle(forged).status, 401);
  EXPECT_EQ(sidecar_->Handle(forged).status, 401);
}

}  // namespace
}  // namespace registry_frontend::sidecar
