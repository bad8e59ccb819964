// Unit tests of the reference evaluator: one test per rule family, named after the rule.
// The worked cases C01–C44 run as a corpus (tests/corpus); these tests pin the mechanics.
#include "policy_engine/eval/reference_evaluator.h"

#include <gtest/gtest.h>

#include "policy_engine/parse/parse.h"

namespace policy_engine::eval {
namespace {

using model::Decision;
using model::PolicyKind;

constexpr const char* kRepo = "arn:aws:ecr:us-east-1:111122223333:repository/app";
constexpr const char* kAlice = "arn:aws:iam::111122223333:user/alice";
constexpr const char* kBob = "arn:aws:iam::444455556666:user/bob";
constexpr const char* kSession = "arn:aws:sts::111122223333:assumed-role/ci/run1";

PolicyRef P(const std::string& text, PolicyKind kind, std::string name = "p") {
  parse::PolicyParseOptions opt;
  opt.kind = kind;
  auto r = parse::ParsePolicy(text, opt);
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  return {std::move(name),
          std::make_shared<const model::Policy>(r.has_value() ? *r : model::Policy{})};
}
PolicyRef Id(const std::string& statements) {
  return P(R"({"Version":"2012-10-17","Statement":)" + statements + "}", PolicyKind::kIdentity,
           "id");
}
PolicyRef Rp(const std::string& statements) {
  return P(R"({"Version":"2012-10-17","Statement":)" + statements + "}", PolicyKind::kRepository,
           "repo");
}

model::Request Req(const char* principal, const char* action = "ecr:BatchGetImage",
                   const char* resource = kRepo) {
  model::Request r;
  r.principal = *model::ParsePrincipal(principal);
  r.action = action;
  r.resource = resource;
  return r;
}

Decision D(const PolicySet& set, const model::Request& r) {
  return EvaluateReference(set, r).decision;
}

const char* kAllowAll = R"([{"Effect":"Allow","Action":"*","Resource":"*"}])";

TEST(ReferenceEvaluatorTest, R109AnonymousIsAlwaysImplicitlyDenied) {
  PolicySet s;
  s.resource = {Rp(R"([{"Effect":"Allow","Principal":"*","Action":"*"}])")};
  EXPECT_EQ(D(s, Req("anonymous")), Decision::kImplicitDeny);
}

TEST(ReferenceEvaluatorTest, R110ExplicitDenyWinsAndIsReported) {
  PolicySet s;
  s.identity = {Id(kAllowAll)};
  s.resource = {Rp(R"([{"Sid":"NoPush","Effect":"Deny","Principal":{"AWS":"111122223333"},
                        "Action":"ecr:PutImage"}])")};
  auto r = EvaluateReference(s, Req(kAlice, "ecr:PutImage"));
  EXPECT_EQ(r.decision, Decision::kExplicitDeny);
  ASSERT_EQ(r.matched.size(), 1u);
  EXPECT_EQ(r.matched[0].sid, "NoPush");
  EXPECT_EQ(r.matched[0].strength, model::PrincipalStrength::kAccount);  // R57
  EXPECT_EQ(D(s, Req(kAlice, "ecr:BatchGetImage")), Decision::kAllow);
}

TEST(ReferenceEvaluatorTest, R112EverySCPLevelMustAllow) {
  PolicySet s;
  s.identity = {Id(kAllowAll)};
  s.scp_levels = {
      {P(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyKind::kScp)},
      {P(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})", PolicyKind::kScp)}};
  EXPECT_EQ(D(s, Req(kAlice)), Decision::kImplicitDeny);
  s.scp_levels.pop_back();
  EXPECT_EQ(D(s, Req(kAlice)), Decision::kAllow);
}

TEST(ReferenceEvaluatorTest, R114ServicePrincipalsNeedAResourcePolicyGrant) {
  PolicySet s;
  s.resource = {Rp(R"([{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},
                        "Action":"ecr:BatchGetImage"}])")};
  EXPECT_EQ(D(s, Req("codebuild.amazonaws.com")), Decision::kAllow);
  EXPECT_EQ(D(s, Req("lambda.amazonaws.com")), Decision::kImplicitDeny);
  // R107: SCPs do not apply to service principals.
  s.scp_levels = {
      {P(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})", PolicyKind::kScp)}};
  EXPECT_EQ(D(s, Req("codebuild.amazonaws.com")), Decision::kAllow);
}

TEST(ReferenceEvaluatorTest, R115SameAccountPrincipalStrengths) {
  PolicySet s;
  s.resource = {Rp(R"([{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci"},
                        "Action":"ecr:PutImage"}])")};
  EXPECT_EQ(D(s, Req(kSession, "ecr:PutImage")), Decision::kAllow);  // C03
  s.boundary = {P(R"({"Statement":{"Effect":"Allow","Action":"ecr:BatchGetImage",
                     "Resource":"*"}})",
                  PolicyKind::kPermissionsBoundary)};
  EXPECT_EQ(D(s, Req(kSession, "ecr:PutImage")), Decision::kImplicitDeny);  // C15
  s.resource = {Rp(R"([{"Effect":"Allow","Principal":{"AWS":")" + std::string(kSession) +
                   R"("},"Action":"ecr:PutImage"}])")};
  EXPECT_EQ(D(s, Req(kSession, "ecr:PutImage")), Decision::kAllow);  // C16
  // R54: the role name inside a session ARN compares case-insensitively.
  EXPECT_EQ(D(s, Req("arn:aws:sts::111122223333:assumed-role/CI/run1", "ecr:PutImage")),
            Decision::kAllow);
  EXPECT_EQ(D(s, Req("arn:aws:sts::111122223333:assumed-role/ci/run2", "ecr:PutImage")),
            Decision::kImplicitDeny);
}

TEST(ReferenceEvaluatorTest, R116CrossAccountNeedsBothSides) {
  PolicySet s;
  s.identity = {Id(kAllowAll)};
  EXPECT_EQ(D(s, Req(kBob)), Decision::kImplicitDeny);  // C07
  s.resource = {Rp(R"([{"Effect":"Allow","Principal":{"AWS":"444455556666"},
                        "Action":"ecr:BatchGetImage"}])")};
  EXPECT_EQ(D(s, Req(kBob)), Decision::kAllow);  // C05
  s.identity.clear();
  EXPECT_EQ(D(s, Req(kBob)), Decision::kImplicitDeny);  // C06
}

TEST(ReferenceEvaluatorTest, R117WildcardOnlyActionsIgnoreResourcePolicies) {
  PolicySet s;
  s.resource = {Rp(R"([{"Effect":"Allow","Principal":"*","Action":"ecr:*"}])")};
  EXPECT_EQ(D(s, Req(kAlice, "ecr:GetAuthorizationToken", "*")), Decision::kImplicitDeny);  // C34
  s.identity = {Id(R"([{"Effect":"Allow","Action":"ecr:GetAuthorizationToken",
                       "Resource":"arn:aws:ecr:*:*:*"}])")};
  EXPECT_EQ(D(s, Req(kAlice, "ecr:GetAuthorizationToken", "*")), Decision::kImplicitDeny);  // R50
  s.identity = {Id(R"([{"Effect":"Allow","Action":"ecr:GetAuthorizationToken",
                       "NotResource":"arn:aws:ecr:*:*:repository/x"}])")};
  EXPECT_EQ(D(s, Req(kBob, "ecr:GetAuthorizationToken", "*")), Decision::kAllow);  // R49
}

TEST(ReferenceEvaluatorTest, R118RootIsAllowedInItsOwnAccountButNotPastDenies) {
  PolicySet s;
  EXPECT_EQ(D(s, Req("arn:aws:iam::111122223333:root")), Decision::kAllow);
  s.resource = {Rp(R"([{"Effect":"Deny","Principal":"*","Action":"ecr:*"}])")};
  EXPECT_EQ(D(s, Req("arn:aws:iam::111122223333:root")), Decision::kExplicitDeny);
  PolicySet cross;
  EXPECT_EQ(D(cross, Req("arn:aws:iam::444455556666:root")), Decision::kImplicitDeny);
}

TEST(ReferenceEvaluatorTest, R58NotPrincipalExemptsOnlyWhenEveryLayerIsListed) {
  auto deny_except = [](const std::string& listed) {
    return Rp(R"([{"Effect":"Deny","NotPrincipal":{"AWS":)" + listed + R"(},"Action":"ecr:*"}])");
  };
  PolicySet s;
  s.identity = {Id(kAllowAll)};
  s.resource = {deny_except(R"(["arn:aws:iam::111122223333:user/admin",
                               "arn:aws:iam::111122223333:root"])")};
  EXPECT_EQ(D(s, Req(kAlice)), Decision::kExplicitDeny);                           // C09
  EXPECT_EQ(D(s, Req("arn:aws:iam::111122223333:user/admin")), Decision::kAllow);  // C10
  s.resource = {deny_except(R"(["arn:aws:iam::111122223333:user/alice"])")};
  EXPECT_EQ(D(s, Req(kAlice)), Decision::kExplicitDeny);
  s.resource = {deny_except(R"(["arn:aws:iam::111122223333:root",
                               "arn:aws:iam::111122223333:role/ci", ")" +
                            std::string(kSession) + R"("])")};
  EXPECT_EQ(D(s, Req(kSession)), Decision::kAllow);
  // R59: with a permissions boundary the Deny always applies.
  s.boundary = {P(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})",
                  PolicyKind::kPermissionsBoundary)};
  EXPECT_EQ(D(s, Req(kSession)), Decision::kExplicitDeny);
}

TEST(ReferenceEvaluatorTest, R121SessionPoliciesCapIdentityGrants) {
  PolicySet s;
  s.identity = {Id(kAllowAll)};
  s.session = std::vector<PolicyRef>{
      P(R"({"Statement":{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}})",
        PolicyKind::kSession)};
  EXPECT_EQ(D(s, Req(kSession)), Decision::kAllow);
  EXPECT_EQ(D(s, Req(kSession, "ecr:PutImage")), Decision::kImplicitDeny);
  // R115.2: a federated user has identity-path permissions only through a session policy.
  PolicySet f;
  f.identity = {Id(kAllowAll)};
  EXPECT_EQ(D(f, Req("arn:aws:sts::111122223333:federated-user/bob")), Decision::kImplicitDeny);
}

model::ConditionClause Clause(const std::string& op, const std::string& key,
                              const std::string& values) {
  auto p = Id(R"([{"Effect":"Allow","Action":"*","Resource":"*","Condition":{")" + op + R"(":{")" +
              key + R"(":)" + values + "}}}]");
  EXPECT_FALSE(p.policy->statements.empty());
  if (p.policy->statements.empty() || p.policy->statements[0].conditions.empty()) return {};
  return p.policy->statements[0].conditions[0];
}

bool Eval(const model::ConditionClause& c, const model::Context& ctx) {
  return EvaluateClauseReference(c, ctx, nullptr);
}

TEST(ReferenceEvaluatorTest, R66R67PlainOperatorsOnAbsentSingleAndMultiKeys) {
  model::Context none, one, multi;
  one.SetSingle("aws:PrincipalTag/team", "core");
  multi.Set("aws:TagKeys", {true, {"a", "b"}});
  EXPECT_FALSE(Eval(Clause("StringEquals", "aws:PrincipalTag/team", R"("core")"), none));
  EXPECT_TRUE(Eval(Clause("StringEquals", "aws:PrincipalTag/team", R"("core")"), one));
  EXPECT_TRUE(Eval(Clause("StringNotEquals", "aws:PrincipalTag/team", R"("x")"), none));  // C17
  EXPECT_FALSE(Eval(Clause("StringNotEquals", "aws:PrincipalTag/team", R"("core")"), one));
  EXPECT_FALSE(Eval(Clause("StringEquals", "aws:TagKeys", R"("a")"), multi));  // C28
  EXPECT_FALSE(Eval(Clause("StringNotEquals", "aws:TagKeys", R"("z")"), multi));
  // R62: key names are case-insensitive.
  EXPECT_TRUE(Eval(Clause("StringEquals", "AWS:PRINCIPALTAG/TEAM", R"("core")"), one));  // E13
}

TEST(ReferenceEvaluatorTest, R64NegatedOperatorsNorTheirValues) {
  model::Context ctx;
  ctx.SetSingle("aws:PrincipalTag/role", "audit");
  EXPECT_FALSE(
      Eval(Clause("StringNotEquals", "aws:PrincipalTag/role", R"(["audit","security"])"), ctx));
  ctx.SetSingle("aws:PrincipalTag/role", "dev");
  EXPECT_TRUE(
      Eval(Clause("StringNotEquals", "aws:PrincipalTag/role", R"(["audit","security"])"), ctx));
}

TEST(ReferenceEvaluatorTest, R68R72IfExistsOnAbsentKeys) {
  model::Context none;
  EXPECT_TRUE(Eval(Clause("StringEqualsIfExists", "aws:PrincipalTag/x", R"("a")"), none));  // E14
  EXPECT_TRUE(Eval(Clause("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", R"("a")"), none));
  EXPECT_TRUE(Eval(Clause("ForAllValues:StringEqualsIfExists", "aws:TagKeys", R"("a")"), none));
}

TEST(ReferenceEvaluatorTest, R69R73NullAndQualifiedNull) {
  model::Context none, some, empty_set, empty_string;
  some.Set("aws:TagKeys", {true, {"env"}});
  empty_set.Set("aws:TagKeys", {true, {}});
  empty_string.SetSingle("aws:ResourceTag/env", "");
  EXPECT_TRUE(Eval(Clause("Null", "aws:TagKeys", R"("true")"), none));
  EXPECT_FALSE(Eval(Clause("Null", "aws:TagKeys", R"("true")"), some));
  EXPECT_TRUE(Eval(Clause("Null", "aws:TagKeys", R"(false)"), some));
  EXPECT_TRUE(Eval(Clause("Null", "aws:TagKeys", R"("TRUE")"), empty_set));              // R60
  EXPECT_TRUE(Eval(Clause("Null", "aws:ResourceTag/env", R"("false")"), empty_string));  // Q5
  EXPECT_FALSE(Eval(Clause("ForAnyValue:Null", "aws:TagKeys", R"("true")"), none));      // C41
  EXPECT_TRUE(Eval(Clause("ForAllValues:Null", "aws:TagKeys", R"("false")"), none));
}

TEST(ReferenceEvaluatorTest, R70R71SetOperators) {
  model::Context none, tags, other;
  tags.Set("aws:TagKeys", {true, {"team-a", "env"}});
  other.Set("aws:TagKeys", {true, {"team-a", "owner"}});
  auto all = Clause("ForAllValues:StringLike", "aws:TagKeys", R"(["team*","env"])");
  EXPECT_TRUE(Eval(all, tags));    // E15
  EXPECT_FALSE(Eval(all, other));  // E16
  EXPECT_TRUE(Eval(all, none));    // C18
  auto any = Clause("ForAnyValue:StringEquals", "aws:TagKeys", R"(["env"])");
  EXPECT_TRUE(Eval(any, tags));
  EXPECT_FALSE(Eval(any, none));  // C19
  auto any_not = Clause("ForAnyValue:StringNotEquals", "aws:TagKeys", R"(["env","team"])");
  EXPECT_FALSE(Eval(any_not, none));  // C29
  EXPECT_TRUE(Eval(any_not, other));
  // A single-valued key is a one-element set (R70).
  model::Context single;
  single.SetSingle("aws:PrincipalOrgID", "o-mine");
  EXPECT_TRUE(
      Eval(Clause("ForAllValues:StringEquals", "aws:PrincipalOrgID", R"("o-mine")"), single));
}

TEST(ReferenceEvaluatorTest, R78R83R86TypedOperatorsAndCoercionFailures) {
  model::Context ctx;
  ctx.SetSingle("aws:MultiFactorAuthAge", "1");
  ctx.SetSingle("aws:SourceIp", "2001:db8::1");
  ctx.SetSingle("aws:SecureTransport", "true");
  ctx.SetSingle("aws:CurrentTime", "1700000000");
  ctx.SetSingle("aws:PrincipalTag/n", "12abc");
  EXPECT_TRUE(Eval(Clause("NumericEquals", "aws:MultiFactorAuthAge", R"("1.0")"), ctx));  // E20
  EXPECT_FALSE(Eval(Clause("NumericEquals", "aws:PrincipalTag/n", R"("12")"), ctx));      // R79
  EXPECT_FALSE(Eval(Clause("NumericNotEquals", "aws:PrincipalTag/n", R"("12")"), ctx));   // R79
  EXPECT_FALSE(Eval(Clause("IpAddress", "aws:SourceIp", R"("203.0.113.0/24")"), ctx));    // E05
  EXPECT_TRUE(Eval(Clause("NotIpAddress", "aws:SourceIp", R"("203.0.113.0/24")"), ctx));  // E06
  EXPECT_TRUE(Eval(Clause("Bool", "aws:SecureTransport", R"("TRUE")"), ctx));             // E08
  EXPECT_TRUE(Eval(Clause("Bool", "aws:SecureTransport", "true"), ctx));                  // E09
  EXPECT_TRUE(Eval(Clause("DateGreaterThan", "aws:CurrentTime", R"("2020-01-01T00:00:00Z")"),
                   ctx));  // C42
}

TEST(ReferenceEvaluatorTest, R100R103PolicyVariables) {
  model::Context ctx;
  ctx.SetSingle("aws:PrincipalTag/x", "a*b");
  EXPECT_TRUE(Eval(Clause("StringEquals", "aws:PrincipalTag/x", R"("a${*}b")"), ctx));  // C40
  ctx.SetSingle("aws:PrincipalTag/x", "none");
  EXPECT_TRUE(
      Eval(Clause("StringEquals", "aws:PrincipalTag/x", R"("${aws:PrincipalTag/team, 'none'}")"),
           ctx));  // E18
  // R101: an unresolved variable matches nothing, and cannot make a NOR false.
  EXPECT_FALSE(
      Eval(Clause("StringEquals", "aws:PrincipalTag/x", R"("${aws:PrincipalTag/t}")"), ctx));
  EXPECT_TRUE(
      Eval(Clause("StringNotEquals", "aws:PrincipalTag/x", R"("${aws:PrincipalTag/t}")"), ctx));
  // R102: a substituted value is literal, never a wildcard.
  ctx.SetSingle("aws:PrincipalTag/pat", "a*");
  ctx.SetSingle("aws:PrincipalTag/y", "abc");
  EXPECT_FALSE(
      Eval(Clause("StringLike", "aws:PrincipalTag/y", R"("${aws:PrincipalTag/pat}")"), ctx));
}

TEST(ReferenceEvaluatorTest, R10VariablesAreLiteralIn2008Policies) {
  PolicySet s;
  s.identity = {P(R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"ecr:*",
      "Resource":"arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}"}})",
                  PolicyKind::kIdentity)};
  auto r = Req(kAlice, "ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/alice");
  r.context.SetSingle("aws:username", "alice");
  EXPECT_EQ(D(s, r), Decision::kImplicitDeny);  // C31
  s.identity = {Id(R"([{"Effect":"Allow","Action":"ecr:*",
      "Resource":"arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}"}])")};
  EXPECT_EQ(D(s, r), Decision::kAllow);  // C25
}

}  // namespace
}  // namespace policy_engine::eval
