// Unit tests of the compiled engine: shapes of compiled patterns, the index, incremental updates,
// and agreement with the reference evaluator on the demo store (the randomized differential suite
// is tests/differential).
#include "policy_engine/compile/program.h"

#include <gtest/gtest.h>

#include "policy_engine/parse/parse.h"

namespace policy_engine::compile {
namespace {

constexpr const char* kStore = R"({
  "accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
  "principals": [
    {"arn": "arn:aws:iam::111122223333:user/alice", "tags": {"team": "a"},
     "inlinePolicies": [{"name": "dev", "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:PutImage"],
        "Resource": "arn:aws:ecr:*:111122223333:repository/team-a/*"},
       {"Effect": "Allow", "Action": "ecr:Describe*", "Resource": "*"},
       {"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}]},
    {"arn": "arn:aws:iam::444455556666:user/bob",
     "inlinePolicies": [{"name": "pull", "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}}]}
  ],
  "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/team-a/api", "tags": {"team": "a"},
     "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ecr:BatchGetImage"}]}},
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/other"}
  ]
})";

struct Fixture {
  store::Store store;
  std::shared_ptr<const DecisionProgram> program;
};

Fixture Make(const DecisionProgram::Options& options = {}) {
  auto s = store::Store::Load(kStore);
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  Fixture f{std::move(*s), nullptr};
  auto p = DecisionProgram::Compile(f.store, options);
  EXPECT_TRUE(p.has_value());
  f.program = *p;
  return f;
}

model::Decision Decide(const Fixture& f, const std::string& line, Verdict* out = nullptr) {
  auto req = f.store.ReadRequest(line);
  EXPECT_TRUE(req.has_value()) << req.error().ToString();
  f.store.CompleteContext(*req);
  PreparedRequest prepared;
  f.program->Prepare(*req, prepared);
  Verdict v = f.program->Evaluate(prepared);
  EXPECT_FALSE(v.needs_reference);
  model::DecisionResult ref = f.store.EvaluateReference(*req);
  EXPECT_EQ(v.decision, ref.decision) << line;
  EXPECT_EQ(v.reason, ref.reason_code) << line;
  model::DecisionResult explained = f.program->Explain(v);
  EXPECT_EQ(explained.reason, ref.reason) << line;
  EXPECT_EQ(explained.matched.size(), ref.matched.size()) << line;
  if (out) *out = v;
  return v.decision;
}

std::string Line(const std::string& principal, const std::string& action,
                 const std::string& resource, const std::string& context = "{}") {
  return R"({"id":1,"principal":")" + principal + R"(","action":")" + action + R"(","resource":")" +
         resource + R"(","context":)" + context + "}";
}

const std::string kAlice = "arn:aws:iam::111122223333:user/alice";
const std::string kBob = "arn:aws:iam::444455556666:user/bob";
const std::string kApi = "arn:aws:ecr:us-east-1:111122223333:repository/team-a/api";
const std::string kOther = "arn:aws:ecr:us-east-1:111122223333:repository/other";
const std::string kTls = R"({"aws:SecureTransport":"true"})";

TEST(ProgramTest, DecidesLikeTheReferenceEvaluator) {
  for (bool use_index : {true, false}) {
    Fixture f = Make({use_index});
    EXPECT_EQ(Decide(f, Line(kAlice, "ecr:PutImage", kApi, kTls)), model::Decision::kAllow);
    EXPECT_EQ(Decide(f, Line(kAlice, "ecr:PutImage", kOther, kTls)),
              model::Decision::kImplicitDeny);
    EXPECT_EQ(Decide(f, Line(kAlice, "ecr:DescribeImages", kOther, kTls)), model::Decision::kAllow);
    EXPECT_EQ(Decide(f, Line(kAlice, "ecr:PutImage", kApi, R"({"aws:SecureTransport":"false"})")),
              model::Decision::kExplicitDeny);
    EXPECT_EQ(Decide(f, Line(kBob, "ecr:BatchGetImage", kApi)), model::Decision::kAllow);
    EXPECT_EQ(Decide(f, Line(kBob, "ecr:BatchGetImage", kOther)), model::Decision::kImplicitDeny);
    EXPECT_EQ(Decide(f, Line(kAlice, "ecr:GetAuthorizationToken", "*")),
              model::Decision::kImplicitDeny);
  }
}

TEST(ProgramTest, IndexesStatementsByAction) {
  Fixture f = Make();
  EXPECT_GE(f.program->stats().actions, 60u);  // the ECR catalog at least
  EXPECT_EQ(f.program->stats().entities, 2u);
  EXPECT_EQ(f.program->stats().repositories, 2u);
  EXPECT_NE(f.program->Dump().find("principal arn:aws:iam::111122223333:user/alice"),
            std::string::npos);
}

TEST(ProgramTest, IncrementalRepositoryPolicyUpdateSharesTheRest) {
  Fixture f = Make();
  EXPECT_EQ(Decide(f, Line(kBob, "ecr:BatchGetImage", kOther)), model::Decision::kImplicitDeny);
  store::Repository other = f.store.repositories().at(kOther);
  parse::PolicyParseOptions opt;
  opt.kind = model::PolicyKind::kRepository;
  auto policy = parse::ParsePolicy(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"ecr:BatchGetImage"}]})",
                                   opt);
  ASSERT_TRUE(policy.has_value());
  other.policy = eval::PolicyRef{"repo:other", std::make_shared<model::Policy>(*policy)};
  auto next = f.program->WithRepositoryPolicy(other, f.store);
  ASSERT_TRUE(next.has_value());
  auto req = f.store.ReadRequest(Line(kBob, "ecr:BatchGetImage", kOther));
  ASSERT_TRUE(req.has_value());
  f.store.CompleteContext(*req);
  PreparedRequest prepared;
  (*next)->Prepare(*req, prepared);
  EXPECT_EQ((*next)->Evaluate(prepared).decision, model::Decision::kAllow);
  f.program->Prepare(*req, prepared);  // the old snapshot is unchanged
  EXPECT_EQ(f.program->Evaluate(prepared).decision, model::Decision::kImplicitDeny);
}

// Regression (found by tests/differential, seed 4): `${*}` in a Resource is a literal `*` (R103),
// compiled as an exact pattern, and must not match the resource `*` of a wildcard-only action —
// only star-only patterns do (R50). The compiled engine compared the text and allowed.
TEST(ProgramTest, LiteralStarResourceDoesNotMatchWildcardOnlyAction) {
  constexpr const char* kLiteralStar = R"({
    "accounts": [{"id": "111122223333"}],
    "principals": [{"arn": "arn:aws:iam::111122223333:user/alice",
      "inlinePolicies": [{"name": "p", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "${*}"}]}}]}]})";
  for (bool use_index : {true, false}) {
    auto s = store::Store::Load(kLiteralStar);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    Fixture f{std::move(*s), nullptr};
    auto program = DecisionProgram::Compile(f.store, {use_index});
    ASSERT_TRUE(program.has_value());
    f.program = *program;
    EXPECT_EQ(Decide(f, Line(kAlice, "ecr:GetAuthorizationToken", "*")),
              model::Decision::kImplicitDeny);
  }
}

TEST(ProgramTest, ManyIncrementalUpdatesFoldTheOverlayAndKeepTheLatestPolicy) {
  Fixture f = Make();
  parse::PolicyParseOptions opt;
  opt.kind = model::PolicyKind::kRepository;
  auto grant = parse::ParsePolicy(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"ecr:BatchGetImage"}]})",
                                  opt);
  ASSERT_TRUE(grant.has_value());
  auto grant_policy = std::make_shared<model::Policy>(*grant);
  std::shared_ptr<const DecisionProgram> program = f.program;
  store::Repository other = f.store.repositories().at(kOther);
  auto req = f.store.ReadRequest(Line(kBob, "ecr:BatchGetImage", kOther));
  ASSERT_TRUE(req.has_value());
  f.store.CompleteContext(*req);
  PreparedRequest prepared;
  // More updates than the overlay holds: the overlay is folded into new tables at least once.
  for (int i = 0; i < 600; ++i) {
    bool granted = i % 2 == 0;
    other.policy =
        granted ? std::optional<eval::PolicyRef>({"repo:other", grant_policy}) : std::nullopt;
    auto next = program->WithRepositoryPolicy(other, f.store);
    ASSERT_TRUE(next.has_value());
    program = *next;
    program->Prepare(*req, prepared);
    ASSERT_EQ(program->Evaluate(prepared).decision,
              granted ? model::Decision::kAllow : model::Decision::kImplicitDeny)
        << "update " << i;
  }
  EXPECT_EQ(program->stats().repositories, 2u);
}

TEST(ProgramTest, IncrementalEntityUpdateAddsAPrincipal) {
  Fixture f = Make();
  // A store that also has carol, whose identity policy allows pulls on team-a repositories.
  std::string with_carol = kStore;
  std::string carol = R"({"arn": "arn:aws:iam::111122223333:user/carol",
     "inlinePolicies": [{"name": "pull", "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "ecr:BatchGetImage",
        "Resource": "arn:aws:ecr:*:111122223333:repository/team-a/*"}]}}]},)";
  with_carol.insert(with_carol.find("{\"arn\": \"arn:aws:iam::111122223333:user/alice\""), carol);
  auto next_store = store::Store::Load(with_carol);
  ASSERT_TRUE(next_store.has_value()) << next_store.error().ToString();
  const std::string kCarol = "arn:aws:iam::111122223333:user/carol";
  auto next = f.program->WithEntity(next_store->entities().at(kCarol), *next_store);
  ASSERT_TRUE(next.has_value());
  auto req = next_store->ReadRequest(Line(kCarol, "ecr:BatchGetImage", kApi));
  ASSERT_TRUE(req.has_value());
  next_store->CompleteContext(*req);
  PreparedRequest prepared;
  (*next)->Prepare(*req, prepared);
  EXPECT_EQ((*next)->Evaluate(prepared).decision, model::Decision::kAllow);
  EXPECT_EQ((*next)->stats().entities, 3u);
  f.program->Prepare(*req, prepared);  // the old snapshot does not know carol
  EXPECT_EQ(f.program->Evaluate(prepared).decision, model::Decision::kImplicitDeny);
  // An entity the store does not define is refused.
  store::Entity ghost = next_store->entities().at(kCarol);
  ghost.arn = "arn:aws:iam::111122223333:user/ghost";
  EXPECT_FALSE(f.program->WithEntity(ghost, f.store).has_value());
}

TEST(ProgramTest, FlagsRequestsForTheReferencePath) {
  Fixture f = Make();
  // R63: two spellings of one key.
  auto req =
      f.store.ReadRequest(Line(kAlice, "ecr:PutImage", kApi,
                               R"({"aws:SecureTransport":"true","aws:securetransport":"false"})"));
  ASSERT_TRUE(req.has_value());
  PreparedRequest prepared;
  f.program->Prepare(*req, prepared);
  EXPECT_TRUE(prepared.needs_reference);
  EXPECT_TRUE(f.program->Evaluate(prepared).needs_reference);
}

}  // namespace
}  // namespace policy_engine::compile
