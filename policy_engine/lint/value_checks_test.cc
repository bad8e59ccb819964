// Unit tests of the condition-value and service-principal checks (value_checks.cc) and of
// MISSING_ACTION_FOR_CONDITION_KEY: one positive and one negative case per check (run by the
// CheckCases suite of lint_test.cc), then details.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy_engine/lint/lint_test_support.h"

namespace policy_engine::lint::testing_support {

namespace {

// A repository policy statement granting `principal` ecr:BatchGetImage under `condition`.
std::string RepoWith(std::string_view principal, std::string_view condition) {
  return Repository(R"("Effect": "Allow", "Principal": )" + std::string(principal) +
                    R"(, "Action": "ecr:BatchGetImage", "Condition": )" + std::string(condition));
}
const char kCodeBuild[] = R"({"Service": "codebuild.amazonaws.com"})";

}  // namespace

std::vector<CheckCase> ValueCheckCases() {
  std::vector<CheckCase> cases;
  auto add = [&](std::string code, PolicyKind kind, std::string pos, std::string neg,
                 Severity severity) {
    cases.push_back({std::move(code), kind, std::move(pos), std::move(neg), {}, severity});
  };
  using S = Severity;
  const PolicyKind kId = PolicyKind::kIdentity;
  add("INVALID_REGION", kId,
      WithCondition(R"({"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-east"]}})"),
      WithCondition(R"({"StringEquals": {"aws:RequestedRegion":
          ["us-east-1", "us-gov-west-1", "us-isob-east-1", "cn-north-1", "eusc-de-east-1"]}})"),
      S::kError);
  add("INVALID_VPC_FORMAT", kId, WithCondition(R"({"StringEquals": {"aws:SourceVpc": "vpc-123"}})"),
      WithCondition(
          R"({"StringEquals": {"aws:SourceVpc": ["vpc-1a2b3c4d", "vpc-0123456789abcdef0"]}})"),
      S::kError);
  add("INVALID_VPCE_FORMAT", kId,
      WithCondition(R"({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4"}})"),
      WithCondition(
          R"({"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-0123456789abcdef0"]}})"),
      S::kError);
  add("REDUNDANT_CONDITION_VALUE_NUM", kId,
      WithCondition(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": ["3600", "3600.0"]}})"),
      WithCondition(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": ["3600", "7200"]}})"),
      S::kSuggestion);
  // GetAuthorizationToken has no resource, so no resource tag (R142); BatchGetImage has.
  add("MISSING_ACTION_FOR_CONDITION_KEY", kId,
      Identity(R"("Action": ["s3:GetObject", "ecr:GetAuthorizationToken"], "Resource": "*",
                  "Condition": {"StringEquals": {"ecr:ResourceTag/team": "a"}})"),
      Identity(R"("Action": ["s3:GetObject", "ecr:BatchGetImage"], "Resource": "*",
                  "Condition": {"StringEquals": {"ecr:ResourceTag/team": "a"}})"),
      S::kError);
  add("UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", PolicyKind::kRepository,
      RepoWith(kCodeBuild, R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})"),
      RepoWith(kCodeBuild, R"({"StringEquals": {"aws:SourceAccount": "111122223333"}})"),
      S::kError);
  return cases;
}

namespace {

size_t Count(std::string_view text, std::string_view code,
             PolicyKind kind = PolicyKind::kIdentity) {
  return WithCode(Lint(text, kind), code).size();
}

TEST(LintValueTest, RegionValuesByOperator) {
  auto region = [](std::string_view op, std::string_view value) {
    return Count(WithCondition("{\"" + std::string(op) + "\": {\"aws:RequestedRegion\": \"" +
                               std::string(value) + "\"}}"),
                 "INVALID_REGION");
  };
  for (std::string_view bad : {"us-east-1a", "us_east_1", "global", "US-EAST-1", "u-east-1",
                               "us-foo-east-1", "us-east-", "-east-1"}) {
    EXPECT_EQ(region("StringEquals", bad), 1u) << bad;
  }
  EXPECT_EQ(region("StringNotEquals", "useast1"), 1u);
  EXPECT_EQ(region("StringLike", "useast1"), 1u);  // no wildcard: compared literally
  EXPECT_EQ(region("StringEqualsIgnoreCase", "US-EAST-1"), 0u);
  EXPECT_EQ(region("StringLike", "eu-*"), 0u);
  EXPECT_EQ(region("StringNotLike", "us-gov-*"), 0u);
  EXPECT_EQ(region("StringEquals", "${aws:PrincipalTag/region}"), 0u);
  // A wildcard under StringEquals is reported once, as WILDCARD_WITHOUT_LIKE_OPERATOR.
  auto wild = Lint(WithCondition(R"({"StringEquals": {"aws:RequestedRegion": "us-*"}})"));
  EXPECT_TRUE(WithCode(wild, "INVALID_REGION").empty()) << Codes(wild);
  EXPECT_EQ(WithCode(wild, "WILDCARD_WITHOUT_LIKE_OPERATOR").size(), 1u) << Codes(wild);
  // Other keys are not judged as regions.
  EXPECT_EQ(Count(WithCondition(R"({"StringEquals": {"aws:PrincipalTag/region": "x"}})"),
                  "INVALID_REGION"),
            0u);
}

TEST(LintValueTest, VpcIdsPointAtTheBadValue) {
  auto f = WithCode(Lint(WithCondition(R"({"StringEquals": {"aws:SourceVpce":
                        ["vpce-1a2b3c4d", "vpce-XYZ", "vpc-1a2b3c4d"]}})")),
                    "INVALID_VPCE_FORMAT");
  ASSERT_EQ(f.size(), 2u) << Codes(f);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0/Condition/StringEquals/aws:SourceVpce/1");
  EXPECT_EQ(f[1].location.pointer, "/Statement/0/Condition/StringEquals/aws:SourceVpce/2");
  EXPECT_EQ(
      Count(WithCondition(R"({"StringLike": {"aws:SourceVpc": "vpc-*"}})"), "INVALID_VPC_FORMAT"),
      0u);
  EXPECT_EQ(Count(WithCondition(R"({"StringEquals": {"aws:SourceVpc": "vpc-1A2B3C4D"}})"),
                  "INVALID_VPC_FORMAT"),
            1u);
  EXPECT_EQ(Count(WithCondition(R"({"StringEqualsIgnoreCase": {"aws:SourceVpc": "VPC-1A2B3C4D"}})"),
                  "INVALID_VPC_FORMAT"),
            0u);
  EXPECT_EQ(Count(WithCondition(R"({"StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef"}})"),
                  "INVALID_VPC_FORMAT"),
            1u);  // 16 characters
}

TEST(LintValueTest, RedundantNumbersCompareNumerically) {
  auto f =
      WithCode(Lint(WithCondition(R"({"NumericEquals": {"s3:max-keys": [1, 1.0, 2, "1e0", 2]}})")),
               "REDUNDANT_CONDITION_VALUE_NUM");
  ASSERT_EQ(f.size(), 3u) << Codes(f);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0/Condition/NumericEquals/s3:max-keys/1");
  EXPECT_EQ(f[1].location.pointer, "/Statement/0/Condition/NumericEquals/s3:max-keys/3");
  EXPECT_EQ(f[2].location.pointer, "/Statement/0/Condition/NumericEquals/s3:max-keys/4");
  // Same numbers under different keys or operators are not repeats; strings are not numbers.
  EXPECT_EQ(Count(WithCondition(R"({"NumericLessThan": {"s3:max-keys": 10},
                                    "NumericGreaterThan": {"s3:max-keys": 10}})"),
                  "REDUNDANT_CONDITION_VALUE_NUM"),
            0u);
  EXPECT_EQ(Count(WithCondition(R"({"StringEquals": {"aws:PrincipalTag/n": ["1", "1.0"]}})"),
                  "REDUNDANT_CONDITION_VALUE_NUM"),
            0u);
}

TEST(LintValueTest, MissingActionForConditionKeyLeavesEcrOnlyStatementsToR95) {
  // All-ECR statement: UNSUPPORTED_ACTION_FOR_CONDITION_KEY reports, not this check.
  auto ecr = Lint(Identity(R"("Action": "ecr:GetAuthorizationToken", "Resource": "*",
                              "Condition": {"StringEquals": {"ecr:ResourceTag/team": "a"}})"));
  EXPECT_TRUE(WithCode(ecr, "MISSING_ACTION_FOR_CONDITION_KEY").empty()) << Codes(ecr);
  EXPECT_EQ(WithCode(ecr, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY").size(), 1u) << Codes(ecr);
  // No ECR action at all; `ecr:AccountSetting` only for the account-setting actions.
  EXPECT_EQ(Count(Identity(R"("Action": "s3:GetObject", "Resource": "*",
                              "Condition": {"StringEquals": {"ecr:AccountSetting": "x"}})"),
                  "MISSING_ACTION_FOR_CONDITION_KEY"),
            1u);
  EXPECT_EQ(Count(Identity(R"("Action": ["s3:GetObject", "ecr:PutAccountSetting"], "Resource": "*",
                              "Condition": {"StringEquals": {"ecr:AccountSetting": "x"}})"),
                  "MISSING_ACTION_FOR_CONDITION_KEY"),
            0u);
  // "*" and wildcards that reach a supporting ECR action; unknown `ecr:` keys; NotAction.
  for (
      std::string_view body :
      {R"("Action": "*", "Resource": "*", "Condition": {"StringEquals": {"ecr:ResourceTag/t": "a"}})",
       R"("Action": ["s3:*", "ecr:Batch*"], "Resource": "*",
           "Condition": {"StringEquals": {"ecr:ResourceTag/t": "a"}})",
       R"("Action": "s3:GetObject", "Resource": "*",
           "Condition": {"StringEquals": {"ecr:NoSuchKey": "a"}})",
       R"("NotAction": "s3:*", "Resource": "*",
           "Condition": {"StringEquals": {"ecr:ResourceTag/t": "a"}})"}) {
    EXPECT_EQ(Count(Identity(body), "MISSING_ACTION_FOR_CONDITION_KEY"), 0u) << body;
  }
}

TEST(LintValueTest, ServicePrincipalKeysOnlyWhenEveryPrincipalIsAService) {
  const std::string code = "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL";
  for (std::string_view key : {"aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
                               "aws:PrincipalTag/team", "aws:userid", "aws:username"}) {
    auto text = RepoWith(kCodeBuild, "{\"StringLike\": {\"" + std::string(key) + "\": \"x*\"}}");
    EXPECT_EQ(Count(text, code, PolicyKind::kRepository), 1u) << key;
  }
  // Two services are still only services; a finding points at the key name.
  auto two =
      WithCode(Lint(RepoWith(R"({"Service": ["codebuild.amazonaws.com", "lambda.amazonaws.com"]})",
                             R"({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})"),
                    PolicyKind::kRepository),
               code);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].location.pointer, "/Statement/0/Condition/StringEquals/aws:PrincipalOrgID");
  // A statement that also names an account, `Principal: "*"`, `Null` (tests the absence
  // itself), service-principal keys, and identity policies are not reported.
  EXPECT_EQ(Count(RepoWith(R"({"Service": "codebuild.amazonaws.com", "AWS": "111122223333"})",
                           R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})"),
                  code, PolicyKind::kRepository),
            0u);
  EXPECT_EQ(
      Count(RepoWith(R"("*")", R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})"),
            code, PolicyKind::kRepository),
      0u);
  EXPECT_EQ(Count(RepoWith(kCodeBuild, R"({"Null": {"aws:PrincipalArn": "true"}})"), code,
                  PolicyKind::kRepository),
            0u);
  EXPECT_EQ(
      Count(
          RepoWith(kCodeBuild,
                   R"({"StringEquals": {"aws:PrincipalServiceName": "codebuild.amazonaws.com"}})"),
          code, PolicyKind::kRepository),
      0u);
  EXPECT_EQ(
      Count(WithCondition(R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})"), code),
      0u);
}

}  // namespace
}  // namespace policy_engine::lint::testing_support
