// Differential tests: the compiled engine (DecisionProgram, index on and off) must decide exactly
// like the reference evaluator — decision, reason code and text, decisive statements — on
//  * seeded random stores and requests (RandomWorld): kShards x kSeedsPerShard stores x
//    kRequestsPerSeed requests, over 100,000 compared decisions in all (scaled down under ASan);
//  * the demo store and its request lines (corpus/stores);
//  * every decision case of corpus/decisions, each wrapped in a one-principal store (CaseToStore).
// A mismatch prints the seed, the path of the store document written to the temp directory, the
// request line and both results; `portcullis-difftest --dump SEED` prints the same store and
// request stream (tests/differential/README.md).
#include "tests/differential/differential.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/model/policy.h"
#include "tests/differential/case_store.h"
#include "tests/differential/random_store.h"

namespace policy_engine::differential {
namespace {

namespace fs = std::filesystem;

// Sizes of the bounded run. Debug build: about 4,000 requests/s per core, so a shard takes
// 10–25 s and ctest -j2 runs two at a time. ASan/UBSan costs about 4x: half the seeds keeps the
// sanitizer run of this suite near one minute.
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kSeedsPerShard = 70;
#else
constexpr uint64_t kSeedsPerShard = 140;
#endif
constexpr int kShards = 4;
constexpr size_t kRequestsPerSeed = 200;
constexpr size_t kMaxPrintedMismatches = 10;

std::string ArtifactDir() { return fs::temp_directory_path().string(); }

class RandomStoresTest : public ::testing::TestWithParam<int> {};

TEST_P(RandomStoresTest, CompiledDecidesLikeReference) {
  const uint64_t first = 1 + static_cast<uint64_t>(GetParam()) * kSeedsPerShard;
  DiffStats total;
  size_t printed = 0;
  for (uint64_t seed = first; seed < first + kSeedsPerShard; ++seed) {
    DiffStats s = RunSeed(seed, kRequestsPerSeed, ArtifactDir(), [&](const MismatchReport& r) {
      if (printed++ >= kMaxPrintedMismatches) return;
      ADD_FAILURE() << "seed " << r.seed << ", request " << r.request_index << ", store "
                    << r.store_path << " (portcullis-difftest --dump " << r.seed << " --requests "
                    << r.request_index + 1 << ")\n"
                    << r.detail;
    });
    total.Add(s);
  }
  std::cout << "seeds " << first << ".." << first + kSeedsPerShard - 1 << "\n" << total.Summary();
  EXPECT_EQ(total.store_errors, 0u) << "every generated store must load";
  EXPECT_EQ(total.mismatches, 0u);
  // The generator must keep exercising the compiled path: rejections and deferrals stay rare.
  EXPECT_LT(total.rejected * 10, total.requests) << "over 10% of request lines rejected";
  EXPECT_LT(total.needs_reference * 20, total.requests) << "over 5% deferred to the reference";
  // The engine facade's direct path (what front ends call) must decide a large share of the
  // requests it was given; the rest (sessions, services, unknown repositories) take its general
  // path. Both were compared with the reference above.
  EXPECT_GT(total.engine_checked * 2, total.requests);
  EXPECT_GT(total.engine_direct * 10, total.engine_checked * 3) << "under 30% by the direct path";
#if !defined(__SANITIZE_ADDRESS__)
  // 4 shards x 25,000: the issue asks for at least 100,000 compared decisions.
  EXPECT_GE(total.compared, 25000u);
#endif
  // Every decision and every step of §5.3 that the store format can reach (no VPC endpoints;
  // session policies take the reference path) decides some of the compared requests.
  for (size_t d = 0; d < total.decisions.size(); ++d) {
    EXPECT_GT(total.decisions[d], 0u) << model::DecisionName(static_cast<model::Decision>(d));
  }
  for (model::Reason r : {model::Reason::kAnonymous, model::Reason::kExplicitDeny,
                          model::Reason::kScpGate, model::Reason::kServiceAllowed,
                          model::Reason::kServiceNotAllowed, model::Reason::kResourceDirect,
                          model::Reason::kResourceRole, model::Reason::kRootOwnAccount,
                          model::Reason::kIdentityAllows, model::Reason::kBoundaryDenies,
                          model::Reason::kNoIdentityAllow, model::Reason::kCrossNoResource,
                          model::Reason::kCrossNoIdentity, model::Reason::kCrossBoth}) {
    EXPECT_GT(total.reasons[static_cast<size_t>(r)], 0u)
        << model::ReasonText(r, model::PolicySetRole::kIdentity, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, RandomStoresTest, ::testing::Range(0, kShards));

TEST(RandomWorldTest, IsDeterministic) {
  RandomWorld a(42), b(42), c(43);
  EXPECT_EQ(a.store_json(), b.store_json());
  EXPECT_NE(a.store_json(), c.store_json());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.NextRequest(), b.NextRequest());
}

// Walks the loaded stores of a few seeds and checks that the generator reaches every condition
// operator with every qualifier and IfExists, both NotX forms, NotPrincipal, both versions and
// the interesting resource and principal shapes.
TEST(RandomWorldTest, CoversEveryOperatorAndElement) {
  std::set<std::string> seen;
  auto visit = [&](const model::Policy* policy) {
    if (policy == nullptr) return;
    seen.insert(policy->version == model::PolicyVersion::k2008_10_17 ? "v2008"
                : policy->version == model::PolicyVersion::kMissing  ? "vmissing"
                                                                     : "v2012");
    for (const model::Statement& st : policy->statements) {
      if (st.not_action) seen.insert("NotAction");
      if (st.not_resource) seen.insert("NotResource");
      if (st.principal.negated) seen.insert("NotPrincipal");
      if (st.principal.wildcard) seen.insert("Principal*");
      for (const model::PrincipalValue& v : st.principal.values) {
        if (v.type == model::PrincipalType::kService) seen.insert("Service");
        if (v.value.find(":assumed-role/") != std::string::npos) seen.insert("SessionArn");
        if (v.value.find(":role/") != std::string::npos) seen.insert("RoleArn");
        if (v.value.find(":user/") != std::string::npos) seen.insert("UserArn");
        if (v.value.ends_with(":root")) seen.insert("RootArn");
        if (v.value.size() == 12) seen.insert("AccountId");
        if (v.value.starts_with("AIDA") || v.value.starts_with("AROA")) seen.insert("UniqueId");
      }
      for (const model::PatternValue& r : st.resources) {
        if (r.tmpl.has_variables()) seen.insert("ResourceVariable");
        if (r.raw == "*") seen.insert("Resource*");
      }
      for (const model::ConditionClause& c : st.conditions) {
        std::string q = c.qualifier == model::SetQualifier::kForAllValues  ? "ForAllValues:"
                        : c.qualifier == model::SetQualifier::kForAnyValue ? "ForAnyValue:"
                                                                           : "";
        seen.insert(q + std::string(model::ConditionOperatorName(c.op)));
        if (c.if_exists) seen.insert(std::string(model::ConditionOperatorName(c.op)) + "IfExists");
        for (const model::PatternValue& v : c.values) {
          if (v.tmpl.has_variables()) seen.insert("ConditionVariable");
        }
      }
    }
  };
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomWorld world(seed);
    auto checker = DifferentialChecker::Create(world.store_json());
    ASSERT_TRUE(checker.has_value()) << seed << ": " << checker.error().ToString();
    const store::Store& s = (*checker)->store();
    for (const auto& [arn, m] : s.managed_policies()) visit(m.policy.get());
    for (const auto& [key, g] : s.groups()) {
      for (const auto& r : g.inline_policies) visit(r.policy.get());
    }
    for (const auto& [arn, e] : s.entities()) {
      for (const auto& r : e.inline_policies) visit(r.policy.get());
    }
    for (const auto& [id, a] : s.accounts()) {
      for (const auto& level : a.scp_levels) {
        for (const auto& r : level) visit(r.policy.get());
      }
      for (const auto& level : a.rcp_levels) {
        for (const auto& r : level) visit(r.policy.get());
      }
    }
    for (const auto& [arn, r] : s.repositories()) {
      if (r.policy) visit(r.policy->policy.get());
    }
    for (const store::Registry& r : s.registries()) visit(r.policy.policy.get());
  }
  std::vector<std::string> want = {
      "v2008",        "vmissing",         "v2012",     "NotAction",  "NotResource",
      "NotPrincipal", "Principal*",       "Service",   "SessionArn", "RoleArn",
      "UserArn",      "RootArn",          "AccountId", "UniqueId",   "ResourceVariable",
      "Resource*",    "ConditionVariable"};
  for (int i = 0; i < model::kConditionOperatorCount; ++i) {
    std::string name(model::ConditionOperatorName(static_cast<model::ConditionOperator>(i)));
    want.push_back(name);
    want.push_back("ForAllValues:" + name);
    want.push_back("ForAnyValue:" + name);
    if (name != "Null") want.push_back(name + "IfExists");
  }
  for (const std::string& w : want) EXPECT_TRUE(seen.count(w)) << "never generated: " << w;
}

// The demo store and its request lines (corpus/stores).
TEST(DemoStoreTest, CompiledDecidesLikeReference) {
  const fs::path dir = fs::path(PE_SOURCE_DIR) / "corpus" / "stores";
  std::ifstream store_in(dir / "demo-store.json");
  ASSERT_TRUE(store_in.good());
  std::string store_json((std::istreambuf_iterator<char>(store_in)),
                         std::istreambuf_iterator<char>());
  auto checker = DifferentialChecker::Create(store_json);
  ASSERT_TRUE(checker.has_value()) << checker.error().ToString();
  DiffStats stats;
  std::ifstream requests(dir / "demo-requests.jsonl");
  ASSERT_TRUE(requests.good());
  std::string line;
  while (std::getline(requests, line)) {
    if (line.empty()) continue;
    std::string diff = (*checker)->Check(line, stats);
    EXPECT_TRUE(diff.empty()) << "demo-store.json\n" << diff;
  }
  std::cout << stats.Summary();
  EXPECT_GE(stats.requests, 30u);
  EXPECT_EQ(stats.mismatches, 0u);
  EXPECT_GT(stats.compared, stats.requests / 2);
}

// Every case of corpus/decisions, wrapped in a store.
TEST(CorpusCasesTest, CompiledDecidesLikeReference) {
  const fs::path dir = fs::path(PE_SOURCE_DIR) / "corpus" / "decisions";
  DiffStats stats;
  size_t cases = 0, not_convertible = 0, store_rejected = 0;
  for (const char* file : {"worked.jsonl", "smoke.jsonl", "generated.jsonl", "demo.jsonl"}) {
    std::ifstream in(dir / file);
    ASSERT_TRUE(in.good()) << file;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++cases;
      auto converted = CaseToStore(line);
      if (!converted) {
        ++not_convertible;
        continue;
      }
      auto checker = DifferentialChecker::Create(converted->store_json);
      if (!checker) {
        ++store_rejected;  // an invalid policy: the case expects an error
        continue;
      }
      ++stats.stores;
      std::string diff = (*checker)->Check(converted->request_line, stats);
      EXPECT_TRUE(diff.empty()) << file << " case " << converted->id
                                << "\n  store: " << converted->store_json << "\n"
                                << diff;
    }
  }
  std::cout << cases << " corpus cases: " << not_convertible << " not expressible as a store, "
            << store_rejected << " rejected by the loader (invalid policies)\n"
            << stats.Summary();
  EXPECT_GE(cases, 2000u);
  EXPECT_EQ(stats.mismatches, 0u);
  EXPECT_GT(stats.compared, cases * 9 / 10);
}

}  // namespace
}  // namespace policy_engine::differential
