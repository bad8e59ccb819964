// Engine facade: decisions on the demo store, fail-closed errors, snapshot reload.
#include "policy_engine/engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

namespace policy_engine::engine {
namespace {

constexpr char kAlice[] = "arn:aws:iam::111122223333:user/engineering/alice";
constexpr char kBob[] = "arn:aws:iam::444455556666:user/bob";
constexpr char kWorker[] = "arn:aws:ecr:us-east-1:111122223333:repository/payments/worker";
constexpr char kApi[] = "arn:aws:ecr:us-east-1:111122223333:repository/payments/api";

std::string DemoStore() {
  std::ifstream in(std::string(PE_SOURCE_DIR) + "/corpus/stores/demo-store.json");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

model::Context RequestContext() {
  model::Context c;
  c.SetSingle("aws:SourceIp", "127.0.0.1");
  c.SetSingle("aws:SecureTransport", "false");
  c.SetSingle("aws:CurrentTime", "2026-11-27T12:00:00Z");
  c.SetSingle("aws:EpochTime", "1795780800");
  return c;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = Engine::Create(DemoStore());
    ASSERT_TRUE(e) << e.error().ToString();
    engine_ = std::move(*e);
  }
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, AllowsPullForTeamMember) {
  auto r = engine_->Decide(kAlice, "ecr:BatchGetImage", kWorker, RequestContext());
  EXPECT_EQ(r.decision, model::Decision::kAllow) << r.reason;
  EXPECT_FALSE(IsError(r));
}

TEST_F(EngineTest, AllowsPushThroughResourceTagAbac) {
  // DeveloperPush: aws:ResourceTag/team must equal the caller's team tag (CompleteContext).
  auto r = engine_->Decide(kAlice, "ecr:PutImage", kWorker, RequestContext());
  EXPECT_EQ(r.decision, model::Decision::kAllow) << r.reason;
}

TEST_F(EngineTest, CrossAccountNeedsBothSides) {
  auto api = engine_->Decide(kBob, "ecr:BatchGetImage", kApi, RequestContext());
  EXPECT_EQ(api.decision, model::Decision::kAllow) << api.reason;
  auto worker = engine_->Decide(kBob, "ecr:BatchGetImage", kWorker, RequestContext());
  EXPECT_EQ(worker.decision, model::Decision::kImplicitDeny);
  EXPECT_FALSE(IsError(worker));
  auto push = engine_->Decide(kBob, "ecr:PutImage", kApi, RequestContext());
  EXPECT_NE(push.decision, model::Decision::kAllow);
}

TEST_F(EngineTest, ParsedPrincipalOverload) {
  auto p = model::ParsePrincipal(kAlice);
  ASSERT_TRUE(p);
  auto r = engine_->Decide(*p, "ecr:BatchGetImage", kWorker, RequestContext());
  EXPECT_EQ(r.decision, model::Decision::kAllow);
  auto anonymous = engine_->Decide(model::Principal{}, "ecr:BatchGetImage", kWorker, {});
  EXPECT_EQ(anonymous.decision, model::Decision::kImplicitDeny);
  EXPECT_FALSE(IsError(anonymous));
}

TEST_F(EngineTest, UnbuildableRequestsFailClosed) {
  auto unknown = engine_->Decide("arn:aws:iam::111122223333:user/nobody", "ecr:BatchGetImage",
                                 kWorker, RequestContext());
  EXPECT_EQ(unknown.decision, model::Decision::kImplicitDeny);
  EXPECT_TRUE(IsError(unknown));
  auto bad_action = engine_->Decide(kAlice, "ecr:NoSuchAction", kWorker, RequestContext());
  EXPECT_TRUE(IsError(bad_action));
  auto bad_resource = engine_->Decide(kAlice, "ecr:BatchGetImage", "not an arn", model::Context{});
  EXPECT_TRUE(IsError(bad_resource));
  auto quote = engine_->Decide("\"}", "ecr:BatchGetImage", kWorker, model::Context{});
  EXPECT_TRUE(IsError(quote));
  EXPECT_EQ(engine_->error_count(), 4u);
}

TEST_F(EngineTest, ResolvesPrincipalsByNameOrArn) {
  auto alice = engine_->ResolvePrincipal("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(*alice, kAlice);
  auto by_arn = engine_->ResolvePrincipal(kBob);
  ASSERT_TRUE(by_arn);
  EXPECT_EQ(*by_arn, kBob);
  auto missing = engine_->ResolvePrincipal("mallory");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), "NOT_FOUND");
}

TEST_F(EngineTest, ListsRepositories) {
  auto repos = engine_->Repositories();
  ASSERT_EQ(repos.size(), 4u);
  bool found = false;
  for (const auto& r : repos) {
    if (r.arn == kWorker) {
      found = true;
      EXPECT_EQ(r.name, "payments/worker");
      EXPECT_EQ(r.account, "111122223333");
      EXPECT_EQ(r.region, "us-east-1");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(EngineTest, ReloadKeepsOldSnapshotOnError) {
  Status bad = engine_->Reload("{ not json");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(engine_->Repositories().size(), 4u);
  Status good = engine_->Reload(R"({"accounts":[{"id":"111122223333"}]})");
  ASSERT_TRUE(good.ok()) << good.ToString();
  EXPECT_TRUE(engine_->Repositories().empty());
  auto r = engine_->Decide(kAlice, "ecr:BatchGetImage", kWorker, RequestContext());
  EXPECT_TRUE(IsError(r));  // alice is gone with the old snapshot
}

TEST_F(EngineTest, ConcurrentDecideAndReload) {
  std::string text = DemoStore();
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto r = engine_->Decide(kAlice, "ecr:BatchGetImage", kWorker, RequestContext());
        if (r.decision == model::Decision::kAllow) ++allowed;
      }
    });
  }
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(engine_->Reload(text).ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 150);
}

// Publish frees the old snapshot only after decisions reading it have ended (reader_slots.h):
// request threads decide without pause while snapshots come and go; each decision is whole
// (alice is allowed by the demo store and unknown to the empty one, never anything else), and
// under the asan preset a snapshot freed too early is a use-after-free report.
TEST_F(EngineTest, PublishWaitsForDecisionsInFlight) {
  std::string demo = DemoStore();
  std::string empty = R"({"accounts":[{"id":"111122223333"}]})";
  std::atomic<bool> stop{false};
  std::atomic<int> allowed{0}, unknown{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      RequestKey keys[] = {{"aws:SourceIp", "10.0.0.1"}, {"aws:SecureTransport", "true"}};
      while (!stop.load()) {
        auto r = engine_->Decide(kAlice, "ecr:BatchGetImage", kWorker, keys);
        if (r.decision == model::Decision::kAllow) {
          ++allowed;
        } else if (IsError(r)) {
          ++unknown;
        } else {
          ++other;
        }
      }
    });
  }
  for (int i = 0; i < 40; ++i) {
    auto next = Engine::Prepare(i % 2 == 0 ? empty : demo, engine_->options());
    ASSERT_TRUE(next) << next.error().ToString();
    auto old = engine_->Publish(std::move(*next));
    ASSERT_TRUE(old) << old.error().ToString();
    EXPECT_NE(*old, nullptr);
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(allowed.load() + unknown.load(), 0);
  // The last published store is the demo store again: alice is back.
  EXPECT_EQ(engine_->Decide(kAlice, "ecr:BatchGetImage", kWorker, RequestContext()).decision,
            model::Decision::kAllow);
}

TEST_F(EngineTest, PublishRefusedByAcceptChangesNothing) {
  auto next = Engine::Prepare(R"({"accounts":[{"id":"111122223333"}]})", engine_->options());
  ASSERT_TRUE(next);
  auto refused = engine_->Publish(std::move(*next), [](const std::vector<RepositoryInfo>& r) {
    return r.empty() ? Status("INVALID_ARGUMENT", "no repositories") : Status::Ok();
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "no repositories");
  EXPECT_EQ(engine_->Repositories().size(), 4u);
  EXPECT_FALSE(engine_->Publish(SnapshotHandle()));  // nothing to publish
  EXPECT_FALSE(Engine::Prepare("{ not json", engine_->options()));
}

// Counters live in per-thread slots; the accessors sum them.
TEST_F(EngineTest, CountersSumAcrossThreads) {
  RequestKey keys[] = {{"aws:SourceIp", "10.0.0.1"}};
  uint64_t before = engine_->direct_count() + engine_->memo_hits();
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) engine_->Decide(kAlice, "ecr:BatchGetImage", kWorker, keys);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(engine_->direct_count() + engine_->memo_hits() - before, 30u);
  uint64_t errors = engine_->error_count();
  engine_->Decide("arn:aws:iam::111122223333:user/nobody", "ecr:BatchGetImage", kWorker, keys);
  EXPECT_EQ(engine_->error_count(), errors + 1);
}

}  // namespace
}  // namespace policy_engine::engine

namespace policy_engine::engine {
namespace {

constexpr char kKeyStore[] = R"({"accounts": [{"id": "111122223333"}], "principals": [
  {"arn": "arn:aws:iam::111122223333:user/alice", "accessKeys": [
     {"accessKeyId": "AKIAALICE0000000001", "secretAccessKey": "alice-secret-0123456789"},
     {"accessKeyId": "AKIAALICE0000000002", "secretAccessKey": "alice-old-secret-0123",
      "status": "Inactive"}]},
  {"arn": "arn:aws:iam::111122223333:role/ci"}]})";

TEST(EngineAccessKeyTest, AuthenticatesActiveKeysOnly) {
  auto e = Engine::Create(kKeyStore);
  ASSERT_TRUE(e) << e.error().ToString();
  auto alice = (*e)->AuthenticateAccessKey("AKIAALICE0000000001", "alice-secret-0123456789");
  ASSERT_TRUE(alice);
  EXPECT_EQ(*alice, "arn:aws:iam::111122223333:user/alice");
  auto info = (*e)->FindAccessKey("AKIAALICE0000000002");
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->active);
  // Inactive, wrong secret (same and other length), unknown id: one answer for all.
  for (auto [id, secret] : std::vector<std::pair<const char*, const char*>>{
           {"AKIAALICE0000000002", "alice-old-secret-0123"},
           {"AKIAALICE0000000001", "alice-secret-0123456780"},
           {"AKIAALICE0000000001", "short"},
           {"AKIAUNKNOWN00000001", "alice-secret-0123456789"}}) {
    auto r = (*e)->AuthenticateAccessKey(id, secret);
    ASSERT_FALSE(r) << id;
    EXPECT_EQ(r.error().code(), "UNAUTHENTICATED");
  }
  EXPECT_EQ((*e)->FindAccessKey("AKIAUNKNOWN00000001").error().code(), "NOT_FOUND");
}

TEST(EngineAccessKeyTest, StoreRejectsBadKeysWithTheirLocation) {
  std::string store = kKeyStore;
  auto bad = [&](std::string_view from, std::string_view to) {
    std::string s = store;
    s.replace(s.find(from), from.size(), to);
    auto e = Engine::Create(s);
    EXPECT_FALSE(e) << to;
    return e ? Status::Ok() : e.error();
  };
  Status st = bad("AKIAALICE0000000001", "akia-lower");
  EXPECT_EQ(st.location().pointer, "/principals/0/accessKeys/0/accessKeyId");
  st = bad("AKIAALICE0000000002", "AKIAALICE0000000001");
  EXPECT_EQ(st.code(), "STORE_DUPLICATE");
  st = bad("alice-secret-0123456789", "has space 0123456789");
  EXPECT_EQ(st.location().pointer, "/principals/0/accessKeys/0/secretAccessKey");
  EXPECT_EQ(st.message().find("has space"), std::string::npos);  // never echoes a secret
  st = bad("\"Inactive\"", "\"Disabled\"");
  EXPECT_EQ(st.location().pointer, "/principals/0/accessKeys/1/status");
  st = bad(R"(role/ci"})", R"(role/ci", "accessKeys": []})");
  EXPECT_EQ(st.code(), "STORE_INVALID_REFERENCE");
}

}  // namespace
}  // namespace policy_engine::engine

namespace policy_engine::engine {
namespace {

constexpr char kMemoStore[] = R"({"accounts": [{"id": "111122223333"}], "principals": [
  {"arn": "arn:aws:iam::111122223333:user/alice", "inlinePolicies": [{"name": "pull", "policy":
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage",
     "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}}]}],
  "repositories": [{"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app"}]})";
constexpr char kAliceArn[] = "arn:aws:iam::111122223333:user/alice";
constexpr char kAppArn[] = "arn:aws:ecr:us-east-1:111122223333:repository/app";

model::Context From(const char* ip) {
  model::Context c;
  c.SetSingle("aws:SourceIp", ip);
  c.SetSingle("aws:CurrentTime", "2026-11-28T02:00:00Z");
  return c;
}

// The memo answers identical inputs only: same result as a fresh decision, a different context
// value is decided afresh, and a reload starts from an empty memo (no stale answer). A result is
// stored the second time its inputs are seen (admission), so the third identical request hits.
TEST(EngineMemoTest, AnswersIdenticalInputsOnlyAndNeverAcrossReloads) {
  auto e = Engine::Create(kMemoStore);
  ASSERT_TRUE(e);
  Engine& engine = **e;
  auto first = engine.Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, From("10.1.2.3"));
  EXPECT_EQ(first.decision, model::Decision::kAllow);
  engine.Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, From("10.1.2.3"));
  EXPECT_EQ(engine.memo_hits(), 0u) << "seen twice: stored, not yet answered";
  auto again = engine.Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, From("10.1.2.3"));
  EXPECT_EQ(engine.memo_hits(), 1u);
  EXPECT_EQ(again.decision, first.decision);
  EXPECT_EQ(again.reason, first.reason);
  EXPECT_EQ(again.matched.size(), first.matched.size());
  // Another source address: decided, not remembered (and denied by the condition).
  auto outside = engine.Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, From("192.0.2.1"));
  EXPECT_EQ(outside.decision, model::Decision::kImplicitDeny);
  EXPECT_EQ(engine.memo_hits(), 1u);
  // Another action or resource: decided afresh.
  engine.Decide(kAliceArn, "ecr:PutImage", kAppArn, From("10.1.2.3"));
  EXPECT_EQ(engine.memo_hits(), 1u);
  // A reload that removes the grant: the next identical request is denied.
  std::string store = kMemoStore;
  store.replace(store.find("\"Allow\""), 7, "\"Deny\"");
  ASSERT_TRUE(engine.Reload(store).ok());
  auto after = engine.Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, From("10.1.2.3"));
  EXPECT_EQ(after.decision, model::Decision::kExplicitDeny);
  EXPECT_EQ(engine.memo_hits(), 1u);
  // Errors are not remembered.
  for (int i = 0; i < 3; ++i) {
    engine.Decide("arn:aws:iam::111122223333:user/nobody", "ecr:BatchGetImage", kAppArn,
                  From("10.1.2.3"));
  }
  EXPECT_EQ(engine.memo_hits(), 1u);
  EXPECT_EQ(engine.error_count(), 3u);
}

// The flat-key overload (what front ends call) shares the memo and its admission.
TEST(EngineMemoTest, FlatKeysAreRemembered) {
  auto e = Engine::Create(kMemoStore);
  ASSERT_TRUE(e);
  const RequestKey keys[] = {{"aws:SourceIp", "10.1.2.3"}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, keys).decision,
              model::Decision::kAllow);
  }
  EXPECT_EQ((*e)->memo_hits(), 1u);
  const RequestKey outside[] = {{"aws:SourceIp", "192.0.2.1"}};
  EXPECT_EQ((*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, outside).decision,
            model::Decision::kImplicitDeny);
  EXPECT_EQ((*e)->memo_hits(), 1u);
}

TEST(EngineMemoTest, CanBeTurnedOff) {
  EngineOptions options;
  options.decision_memo_slots = 0;
  auto e = Engine::Create(kMemoStore, options);
  ASSERT_TRUE(e);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, From("10.1.2.3")).decision,
              model::Decision::kAllow);
  }
  EXPECT_EQ((*e)->memo_hits(), 0u);
}

}  // namespace
}  // namespace policy_engine::engine

namespace policy_engine::engine {
namespace {

model::Context At(const char* time, const char* agent = "skopeo/1.9.3") {
  model::Context c;
  c.SetSingle("aws:SourceIp", "10.1.2.3");
  c.SetSingle("aws:CurrentTime", time);
  c.SetSingle("aws:UserAgent", agent);
  return c;
}

// Request keys no policy names are left out of the memo key: kMemoStore has no date or user-agent
// condition, so a later second and another client still hit; a store that names them does not.
TEST(EngineMemoTest, KeysNoPolicyReadsDoNotSplitTheMemo) {
  auto e = Engine::Create(kMemoStore);
  ASSERT_TRUE(e);
  (*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:00Z"));
  (*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:03Z"));  // stored
  auto later = (*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn,
                            At("2026-11-28T02:00:07Z", "docker/24"));
  EXPECT_EQ((*e)->memo_hits(), 1u);
  EXPECT_EQ(later.decision, model::Decision::kAllow);
  // The source address is named (IpAddress on aws:SourceIp): another address is decided afresh.
  model::Context other = At("2026-11-28T02:00:07Z");
  other.SetSingle("aws:SourceIp", "192.0.2.1");
  EXPECT_EQ((*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, other).decision,
            model::Decision::kImplicitDeny);
  EXPECT_EQ((*e)->memo_hits(), 1u);
}

TEST(EngineMemoTest, KeysAPolicyNamesInAnyCaseOrEscapedStayInTheKey) {
  // A date condition and a user-agent condition spelled in another case.
  std::string store = kMemoStore;
  store.replace(store.find(R"("Condition": {)"), 14,
                R"("Condition": {"DateLessThan": {"AWS:CURRENTTIME": "2026-11-28T02:00:05Z"},
                   "StringLike": {"Aws:UserAgent": "skopeo/*"}, )");
  auto e = Engine::Create(store);
  ASSERT_TRUE(e) << e.error().ToString();
  for (int i = 0; i < 2; ++i) {  // seen twice: stored
    EXPECT_EQ(
        (*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:00Z")).decision,
        model::Decision::kAllow);
  }
  EXPECT_EQ(
      (*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:07Z")).decision,
      model::Decision::kImplicitDeny);  // past the date: not the remembered Allow
  EXPECT_EQ(
      (*e)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:00Z", "docker/24"))
          .decision,
      model::Decision::kImplicitDeny);  // another client: not the remembered Allow
  EXPECT_EQ((*e)->memo_hits(), 0u);
  // A store with a \u escape anywhere keeps every key (a key could be spelled escaped).
  std::string escaped = kMemoStore;
  escaped.replace(escaped.find(R"("name": "pull")"), 14, R"("name": "p\u0075ll")");
  auto f = Engine::Create(escaped);
  ASSERT_TRUE(f) << f.error().ToString();
  (*f)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:00Z"));
  (*f)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:00Z"));  // stored
  (*f)->Decide(kAliceArn, "ecr:BatchGetImage", kAppArn, At("2026-11-28T02:00:07Z"));
  EXPECT_EQ((*f)->memo_hits(), 0u);
}

}  // namespace
}  // namespace policy_engine::engine
