// Unit tests of the linter: one positive and one negative case per check of the table (the
// CheckCases suite fails if a check has no case), then locations, severities, the parser's errors
// as findings, bad input, options and the three output formats.
#include "policy_engine/lint/lint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "policy_engine/lint/lint_test_support.h"
#include "policy_engine/lint/report.h"

namespace policy_engine::lint {
namespace {

using model::PolicyKind;
using namespace testing_support;  // NOLINT: the test helpers

std::vector<CheckCase> MakeCases() {
  std::vector<CheckCase> cases;
  auto add = [&](std::string code, PolicyKind kind, std::string pos, std::string neg,
                 Severity severity, LintOptions options = {}) {
    cases.push_back(
        {std::move(code), kind, std::move(pos), std::move(neg), std::move(options), severity});
  };
  using S = Severity;
  const PolicyKind kId = PolicyKind::kIdentity;
  const PolicyKind kRepo = PolicyKind::kRepository;
  const PolicyKind kScp = PolicyKind::kScp;
  const std::string ok_stmt = "\"Action\": \"s3:GetObject\", \"Resource\": \"*\"";

  add("MISSING_VERSION", kId,
      R"({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})",
      Identity(ok_stmt), S::kWarning);
  add("VARIABLE_UNSUPPORTED_IN_VERSION", kId,
      Identity(R"("Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*")",
               "2008-10-17"),
      Identity(R"("Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*")"),
      S::kError);
  add("ECR_VARIABLE_IN_2008_POLICY", kRepo,
      Repository(R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
                    "Action": "ecr:BatchGetImage",
                    "Condition": {"StringEquals":
                        {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})",
                 "2008-10-17"),
      Repository(R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
                    "Action": "ecr:BatchGetImage",
                    "Condition": {"StringEquals":
                        {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})"),
      S::kError);
  add("ID_IN_IDENTITY_POLICY", kId,
      R"({"Version": "2012-10-17", "Id": "x", "Statement": [{"Effect": "Allow",
          "Action": "s3:GetObject", "Resource": "*"}]})",
      Identity(ok_stmt), S::kWarning);
  add("UNIQUE_SIDS_RECOMMENDED", kRepo,
      R"({"Version": "2012-10-17", "Statement": [
          {"Sid": "A", "Effect": "Allow",
           "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage"},
          {"Sid": "A", "Effect": "Allow",
           "Principal": {"AWS": "111122223333"}, "Action": "ecr:GetDownloadUrlForLayer"}]})",
      R"({"Version": "2012-10-17", "Statement": [
          {"Sid": "A", "Effect": "Allow",
           "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage"},
          {"Sid": "B", "Effect": "Allow",
           "Principal": {"AWS": "111122223333"}, "Action": "ecr:GetDownloadUrlForLayer"}]})",
      S::kWarning);
  add("EMPTY_SID_VALUE", kId, Identity("\"Sid\": \"\", " + ok_stmt),
      Identity("\"Sid\": \"Read\", " + ok_stmt), S::kSuggestion);
  add("EMPTY_ARRAY_ACTION", kId, Identity(R"("Action": [], "Resource": "*")"), Identity(ok_stmt),
      S::kSuggestion);
  add("EMPTY_ARRAY_RESOURCE", kId, Identity(R"("Action": "s3:GetObject", "Resource": [])"),
      Identity(ok_stmt), S::kSuggestion);
  add("EMPTY_ARRAY_PRINCIPAL", kRepo,
      Repository(R"("Effect": "Allow", "Principal": {"AWS": []}, "Action": "ecr:BatchGetImage")"),
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": ["111122223333"]},
              "Action": "ecr:BatchGetImage")"),
      S::kSuggestion);
  add("EMPTY_OBJECT_PRINCIPAL", kRepo,
      Repository(R"("Effect": "Allow", "Principal": {}, "Action": "ecr:BatchGetImage")"),
      Repository(
          R"("Effect": "Allow",
              "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage")"),
      S::kSuggestion);
  add("EMPTY_OBJECT_CONDITION", kId, WithCondition("{}"),
      WithCondition(R"({"Bool": {"aws:SecureTransport": "true"}})"), S::kSuggestion);
  LintOptions compat;
  compat.aws_compat = true;
  add("EMPTY_ARRAY_CONDITION", kId,
      WithCondition(R"({"StringEquals": {"aws:PrincipalTag/t": []}})"),
      WithCondition(R"({"StringEquals": {"aws:PrincipalTag/t": ["a"]}})"), S::kSuggestion, compat);
  add("EMPTY_ARRAY_CONDITION_IFEXISTS", kId,
      WithCondition(R"({"StringEqualsIfExists": {"aws:PrincipalTag/t": []}})"),
      WithCondition(R"({"StringEquals": {"aws:PrincipalTag/t": []}})"), S::kSuggestion, compat);
  add("EMPTY_ARRAY_CONDITION_FORALLVALUES", kId,
      WithCondition(R"({"ForAllValues:StringEquals": {"aws:TagKeys": []}})"),
      WithCondition(R"({"ForAnyValue:StringEquals": {"aws:TagKeys": []}})"), S::kSuggestion,
      compat);
  add("EMPTY_ARRAY_CONDITION_FORANYVALUE", kId,
      WithCondition(R"({"ForAnyValue:StringEquals": {"aws:TagKeys": []}})"),
      WithCondition(R"({"ForAllValues:StringEquals": {"aws:TagKeys": []}})"), S::kSuggestion,
      compat);
  add("SCP_SYNTAX_ERROR_ACTION_WILDCARD", kScp,
      Scp(R"({"Effect": "Deny", "Action": "ec2:*Instances", "Resource": "*"})"),
      Scp(R"({"Effect": "Deny", "Action": "ec2:Describe*", "Resource": "*"})"), S::kError);
  add("SCP_SYNTAX_ERROR_ALLOW_CONDITION", kScp,
      Scp(R"({"Effect": "Allow", "Action": "*", "Resource": "*",
          "Condition": {"Bool": {"aws:SecureTransport": "true"}}})"),
      Scp(R"({"Effect": "Deny", "Action": "*", "Resource": "*",
          "Condition": {"Bool": {"aws:SecureTransport": "false"}}})"),
      S::kError);
  add("SCP_SYNTAX_ERROR_ALLOW_NOTACTION", kScp,
      Scp(R"({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})"),
      Scp(R"({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})"), S::kError);
  add("SCP_SYNTAX_ERROR_ALLOW_RESOURCE", kScp,
      Scp(R"({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"})"),
      Scp(R"({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b"})"), S::kError);
  add("SCP_SYNTAX_ERROR_NOTRESOURCE", kScp,
      Scp(R"({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::b"})"),
      Scp(R"({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b"})"), S::kError);
  add("SCP_SYNTAX_ERROR_PRINCIPAL", kScp,
      Scp(R"({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})"),
      Scp(R"({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})"), S::kError);
  add("INVALID_SERVICE", kId, Identity(R"("Action": "notaservice:GetThing", "Resource": "*")"),
      Identity(ok_stmt), S::kWarning);
  add("INVALID_ACTION", kId, Identity(R"("Action": "s3:GetObjekt", "Resource": "*")"),
      Identity(ok_stmt), S::kWarning);
  add("WILDCARD_IN_SERVICE_NAME", kId, Identity(R"("Action": "s*:GetObject", "Resource": "*")"),
      Identity(R"("Action": "s3:Get*", "Resource": "*")"), S::kSuggestion);
  add("REDUNDANT_ACTION", kId,
      Identity(R"("Action": ["ecr:Get*", "ecr:GetAuthorizationToken"], "Resource": "*")"),
      Identity(R"("Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "Resource": "*")"),
      S::kSuggestion);
  add("INVALID_ARN_PREFIX", kId, Identity(R"("Action": "s3:ListAllMyBuckets", "Resource": "s3")"),
      Identity(R"("Action": "s3:ListAllMyBuckets", "Resource": "**")"), S::kError);
  add("MISSING_ARN_FIELD", kId, Identity(R"("Action": "s3:GetObject", "Resource": "arn:aws:s3")"),
      Identity(R"("Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*")"), S::kError);
  add("ECR_REPO_POLICY_HAS_RESOURCE", kRepo,
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage",
              "Resource": "*")"),
      Repository(
          R"("Effect": "Allow",
              "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage")"),
      S::kError);
  add("ECR_RESOURCE_POLICY_WILDCARD_ONLY_ACTION", kRepo,
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
              "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"])"),
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
              "Action": ["ecr:BatchGetImage"])"),
      S::kWarning);
  add("ECR_PRINCIPAL_STAR_UNRESTRICTED", kRepo,
      Repository(R"("Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage")"),
      Repository(R"("Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})"),
      S::kSecurityWarning);
  LintOptions owner;
  owner.account = "111122223333";
  add("ECR_CROSS_ACCOUNT_WRITE", kRepo,
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
              "Action": ["ecr:PutImage", "ecr:BatchGetImage"])"),
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"},
              "Action": ["ecr:PutImage", "ecr:BatchGetImage"])"),
      S::kSecurityWarning, owner);
  add("ECR_POLICY_LOCKOUT", kRepo,
      Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:*")"),
      Repository(R"("Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "ecr:*")"),
      S::kError);
  add("ECR_UNMATCHABLE_REPOSITORY_PATTERN", kId,
      Identity(
          R"("Action": "ecr:BatchGetImage",
              "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/MyApp")"),
      Identity(
          R"("Action": "ecr:BatchGetImage",
              "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/my-app/*")"),
      S::kWarning);
  add("ECR_PUSH_WITHOUT_LAYER_CHECK", kId,
      Identity(
          R"("Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
              "ecr:CompleteLayerUpload"], "Resource": "*")"),
      Identity(
          R"("Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
              "ecr:CompleteLayerUpload", "ecr:BatchCheckLayerAvailability"], "Resource": "*")"),
      S::kWarning);
  add("ECR_NOTPRINCIPAL_INCOMPLETE", kRepo,
      Repository(
          R"("Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice"]},
              "Action": "ecr:*")"),
      Repository(
          R"("Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice",
              "arn:aws:iam::111122223333:root"]}, "Action": "ecr:*")"),
      S::kWarning);
  add("ECR_SOURCEIP_DENY_BREAKS_ENDPOINTS", kRepo,
      Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})"),
      Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                                  "Null": {"aws:SourceVpce": "true"}})"),
      S::kWarning);
  add("FORALLVALUES_WITH_SINGLE_VALUED_KEY", kId,
      WithCondition(R"({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-abcdefghij"]}})"),
      WithCondition(R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})"),
      S::kSecurityWarning);
  add("NULL_WITH_QUALIFIER", kId,
      WithCondition(R"({"ForAnyValue:Null": {"aws:TagKeys": "false"}})"),
      WithCondition(R"({"Null": {"aws:TagKeys": "false"}})"), S::kSuggestion);
  add("MISSING_QUALIFIER", kId, WithCondition(R"({"StringEquals": {"aws:TagKeys": ["team"]}})"),
      WithCondition(R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})"), S::kError);
  add("INVALID_CONDITION_MULTIPLE_BOOLEAN", kId,
      WithCondition(R"({"Bool": {"aws:SecureTransport": ["true", "false"]}})"),
      WithCondition(R"({"Bool": {"aws:SecureTransport": "true"}})"), S::kError);
  add("WILDCARD_WITHOUT_LIKE_OPERATOR", kId,
      WithCondition(R"({"StringEquals": {"aws:PrincipalTag/team": "dev*"}})"),
      WithCondition(R"({"StringLike": {"aws:PrincipalTag/team": "dev*"}})"), S::kWarning);
  add("IMPROVE_IP_RANGE", kId,
      WithCondition(R"({"IpAddress": {"aws:SourceIp": "203.0.113.77/24"}})"),
      WithCondition(R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})"), S::kSuggestion);
  add("PRIVATE_IP_ADDRESS", kId, WithCondition(R"({"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}})"),
      WithCondition(R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})"), S::kError);
  add("PRIVATE_NOT_IP_ADDRESS", kId,
      WithCondition(R"({"NotIpAddress": {"aws:SourceIp": ["192.168.0.0/16", "fd00::/8"]}})"),
      WithCondition(R"({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})"), S::kError);
  add("PRIVATE_IP_ADDRESS_SUBSET", kId,
      WithCondition(R"({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}})"),
      WithCondition(R"({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}})"), S::kSuggestion);
  add("PRIVATE_NOT_IP_ADDRESS_SUBSET", kId,
      WithCondition(R"({"NotIpAddress": {"aws:SourceIp": ["172.16.0.0/12", "203.0.113.0/24"]}})"),
      WithCondition(R"({"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}})"), S::kSuggestion);
  add("INVALID_DATE_VALUE", kId,
      WithCondition(R"({"DateGreaterThan": {"aws:CurrentTime": "2020-01"}})"),
      WithCondition(R"({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})"),
      S::kWarning);
  add("TYPE_MISMATCH", kId, WithCondition(R"({"NumericLessThan": {"aws:SourceIp": "1"}})"),
      WithCondition(R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})"), S::kWarning);
  add("TYPE_MISMATCH_BOOLEAN", kId,
      WithCondition(R"({"StringEquals": {"aws:SecureTransport": "true"}})"),
      WithCondition(R"({"Bool": {"aws:SecureTransport": "true"}})"), S::kWarning);
  add("TYPE_MISMATCH_DATE", kId, WithCondition(R"({"StringLike": {"aws:CurrentTime": "2020-*"}})"),
      WithCondition(R"({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}})"), S::kWarning);
  add("TYPE_MISMATCH_IP_RANGE", kId,
      WithCondition(R"({"StringEquals": {"aws:SourceIp": "203.0.113.7"}})"),
      WithCondition(R"({"IpAddress": {"aws:SourceIp": "203.0.113.7"}})"), S::kWarning);
  add("TYPE_MISMATCH_NUMBER", kId,
      WithCondition(R"({"StringEquals": {"aws:MultiFactorAuthAge": "3600"}})"),
      WithCondition(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})"), S::kWarning);
  add("TYPE_MISMATCH_STRING", kId,
      WithCondition(R"({"NumericEquals": {"aws:PrincipalAccount": "111122223333"}})"),
      WithCondition(R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})"), S::kWarning);
  add("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", kId,
      Identity(R"("Action": "ecr:BatchGetImage", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}})"),
      Identity(R"("Action": "ecr:BatchGetImage", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}})"),
      S::kError);
  add("ALLOW_WITH_NOT_PRINCIPAL", PolicyKind::kResource,
      Repository(
          R"("Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject",
              "Resource": "*")"),
      Repository(
          R"("Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject",
              "Resource": "*")"),
      S::kSecurityWarning);

  // Size quotas (R32–R34).
  std::string many_actions;
  for (int i = 0; i < 500; ++i) many_actions += std::string(i ? ", " : "") + "\"s3:GetObject\"";
  add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", kId,
      Identity("\"Action\": [" + many_actions + "], \"Resource\": \"*\""),
      Identity("\"Action\": [" + many_actions.substr(0, 3000) + "], \"Resource\": \"*\""),
      S::kWarning);
  std::string repo = Repository(
      R"("Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage")");
  add("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", kRepo,
      repo.substr(0, 1) + std::string(10300, ' ') + repo.substr(1), repo, S::kWarning);
  std::string scp = Scp(R"({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})");
  add("POLICY_SIZE_EXCEEDS_SCP_QUOTA", kScp,
      scp.substr(0, 1) + std::string(5200, '\n') + scp.substr(1), scp, S::kError);
  std::string rcp = Scp(R"({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})");
  add("POLICY_SIZE_EXCEEDS_RCP_QUOTA", PolicyKind::kRcp,
      rcp.substr(0, 1) + std::string(5200, '\t') + rcp.substr(1), rcp, S::kError);
  add("REDUNDANT_RESOURCE", kId,
      Identity(R"("Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b/k"])"),
      Identity(R"("Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/k", "arn:aws:s3:::c/*"])"),
      S::kSuggestion);
  add("ALLOW_NOTACTION_ON_ALL_RESOURCES", kId, Identity(R"("NotAction": "iam:*", "Resource": "*")"),
      Identity(R"("NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*")"), S::kSecurityWarning);
  add("W_NON_LATIN1", kRepo,
      Repository(R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
                    "Action": "ecr:BatchGetImage",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "数据"}})"),
      Repository(R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
                    "Action": "ecr:BatchGetImage",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "café"}})"),
      S::kWarning);
  add("CONDITION_NEVER_TRUE", kId,
      WithCondition(R"({"StringEquals": {"aws:PrincipalTag/team": "dev"},
                        "StringNotEquals": {"aws:PrincipalTag/team": "dev"}})"),
      WithCondition(R"({"StringEquals": {"aws:PrincipalTag/team": "dev"},
                        "StringNotEquals": {"aws:PrincipalTag/team": "ops"}})"),
      S::kWarning);
  add("CONDITION_ALWAYS_TRUE", kId,
      WithCondition(R"({"StringLikeIfExists": {"aws:PrincipalTag/team": "*"}})"),
      WithCondition(R"({"StringLike": {"aws:PrincipalTag/team": "*"}})"), S::kWarning);
  add("ALLOW_ALWAYS_OVERRIDDEN", kId,
      Scp(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
             {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})"),
      Scp(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
             {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
              "Condition": {"Bool": {"aws:SecureTransport": "false"}}})"),
      S::kWarning);
  add("REDUNDANT_STATEMENT", kId,
      Scp(R"({"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
             {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"})"),
      Scp(R"({"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
             {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"})"),
      S::kSuggestion);
  for (CheckCase& c : ReferenceCheckCases()) cases.push_back(std::move(c));
  for (CheckCase& c : ValueCheckCases()) cases.push_back(std::move(c));
  return cases;
}



class CheckCases : public testing::TestWithParam<CheckCase> {};

TEST_P(CheckCases, PositiveReportsTheCodeAndNegativeDoesNot) {
  const CheckCase& c = GetParam();
  auto pos = Lint(c.positive, c.kind, c.options);
  auto hits = WithCode(pos, c.code);
  ASSERT_FALSE(hits.empty()) << "positive case:\n" << c.positive << "\nfindings:\n" << Codes(pos);
  EXPECT_EQ(hits[0].severity, c.severity) << Codes(pos);
  EXPECT_GT(hits[0].location.line, 0u);
  EXPECT_GT(hits[0].location.column, 0u);
  EXPECT_FALSE(hits[0].message.empty());
  EXPECT_TRUE(std::islower(static_cast<unsigned char>(hits[0].message[0])) ||
              hits[0].message[0] == '`')
      << hits[0].message;
  EXPECT_EQ(hits[0].message.find('\n'), std::string::npos);
  auto neg = Lint(c.negative, c.kind, c.options);
  EXPECT_TRUE(WithCode(neg, c.code).empty()) << "negative case:\n"
                                             << c.negative << "\nfindings:\n"
                                             << Codes(neg);
}

INSTANTIATE_TEST_SUITE_P(Lint, CheckCases, testing::ValuesIn(MakeCases()),
                         [](const testing::TestParamInfo<CheckCase>& param_info) {
                           return param_info.param.code;
                         });

TEST(CheckTableTest, EveryCheckHasACaseAndCodesAreUnique) {
  std::set<std::string> with_case;
  for (const CheckCase& c : MakeCases()) with_case.insert(c.code);
  std::set<std::string> seen;
  for (const CheckInfo& info : Checks()) {
    EXPECT_TRUE(seen.insert(std::string(info.code)).second) << "duplicate row " << info.code;
    EXPECT_TRUE(with_case.count(std::string(info.code))) << "no test case for " << info.code;
    EXPECT_FALSE(info.rule.empty()) << info.code;
    EXPECT_FALSE(info.title.empty()) << info.code;
    EXPECT_EQ(FindCheck(info.code), FindCheck(info.code));
    ASSERT_NE(FindCheck(info.code), nullptr);
  }
  EXPECT_GE(Checks().size(), 50u);
}

// ---------------------------------------------------------------------------------------------
// Details of individual checks
// ---------------------------------------------------------------------------------------------

TEST(LintCheckTest, InvalidActionSuggestsTheNearestKnownName) {
  auto f =
      WithCode(Lint(Identity(R"("Action": "s3:GetObjekt", "Resource": "*")")), "INVALID_ACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("`s3:GetObject`"), std::string::npos) << f[0].message;
  EXPECT_EQ(f[0].severity, Severity::kWarning);  // the reference lags AWS: never an ERROR
}

TEST(LintCheckTest, InvalidActionForAPatternMatchingNothing) {
  auto f =
      WithCode(Lint(Identity(R"("Action": "ecr:Frobnicate*", "Resource": "*")")), "INVALID_ACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("matches no action"), std::string::npos);
  EXPECT_TRUE(
      WithCode(Lint(Identity(R"("Action": "ECR:batchget*", "Resource": "*")")), "INVALID_ACTION")
          .empty());
}

TEST(LintCheckTest, SyntacticallyInvalidActionStaysAParserError) {
  auto f =
      WithCode(Lint(Identity(R"("Action": "ecr:Get Image", "Resource": "*")")), "INVALID_ACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kError);
}

TEST(LintCheckTest, RedundantActionReportsTheCoveredEntryOnly) {
  auto f = WithCode(
      Lint(Identity(
          R"("Action": ["ecr:GetAuthorizationToken", "ecr:Get*", "ECR:GETAUTHORIZATIONTOKEN",
              "s3:*", "ecr:Describe*"], "Resource": "*")")),
      "REDUNDANT_ACTION");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0/Action/0");
  EXPECT_EQ(f[1].location.pointer, "/Statement/0/Action/2");
  // `?` never covers a `*`; different services never cover each other.
  EXPECT_TRUE(
      WithCode(Lint(Identity(R"("Action": ["ecr:Get?", "ecr:GetA*", "s3:Get*"], "Resource": "*")")),
               "REDUNDANT_ACTION")
          .empty());
  EXPECT_EQ(WithCode(Lint(Identity(R"("Action": ["*", "ecr:Get*"], "Resource": "*")")),
                     "REDUNDANT_ACTION")
                .size(),
            1u);
}

TEST(LintCheckTest, Ecr2008AliasReplacesTheGenericCodeForEcrKinds) {
  std::string p = Repository(
      R"("Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})",
      "2008-10-17");
  auto f = Lint(p, PolicyKind::kRepository);
  EXPECT_TRUE(WithCode(f, "VARIABLE_UNSUPPORTED_IN_VERSION").empty());
  auto alias = WithCode(f, "ECR_VARIABLE_IN_2008_POLICY");
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_NE(alias[0].message.find("2008-10-17"), std::string::npos);
  // A policy without Version is evaluated with 2008 rules too (R9, R10).
  std::string none = R"({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                         "Resource": "arn:aws:s3:::b/${aws:username}"}]})";
  EXPECT_EQ(WithCode(Lint(none), "VARIABLE_UNSUPPORTED_IN_VERSION").size(), 1u);
}

TEST(LintCheckTest, PrincipalStarMessageSaysAnyAuthenticatedPrincipal) {
  auto f = WithCode(
      Lint(Repository(
               R"("Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:BatchGetImage")"),
           PolicyKind::kRepository),
      "ECR_PRINCIPAL_STAR_UNRESTRICTED");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("any authenticated principal in any account"), std::string::npos);
  // Negated operators, IfExists and ForAllValues do not restrict.
  for (std::string cond : {R"({"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})",
                           R"({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abcdefghij"}})",
                           R"({"Null": {"aws:PrincipalOrgID": "false"}})",
                           R"({"StringEquals": {"aws:username": "alice"}})"}) {
    std::string p = Repository(
        R"("Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage", "Condition": )" +
        cond);
    EXPECT_EQ(WithCode(Lint(p, PolicyKind::kRepository), "ECR_PRINCIPAL_STAR_UNRESTRICTED").size(),
              1u)
        << cond;
  }
  // Identity policies have no principal: not applicable.
  EXPECT_TRUE(WithCode(Lint(Identity(R"("Action": "ecr:*", "Resource": "*")")),
                       "ECR_PRINCIPAL_STAR_UNRESTRICTED")
                  .empty());
}

TEST(LintCheckTest, CrossAccountWriteWithoutAccountTreatsEveryAccountAsExternal) {
  std::string p =
      Repository(R"("Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:*")");
  auto f = WithCode(Lint(p, PolicyKind::kRepository), "ECR_CROSS_ACCOUNT_WRITE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("--account"), std::string::npos);
  LintOptions owner;
  owner.account = "111122223333";
  EXPECT_TRUE(WithCode(Lint(p, PolicyKind::kRepository, owner), "ECR_CROSS_ACCOUNT_WRITE").empty());
  // Read-only grants to other accounts are fine; "*" is always external.
  std::string read = Repository(
      R"("Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": ["ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer"])");
  EXPECT_TRUE(
      WithCode(Lint(read, PolicyKind::kRepository, owner), "ECR_CROSS_ACCOUNT_WRITE").empty());
  std::string star = Repository(
      R"("Effect": "Allow", "Principal": "*", "NotAction": "ecr:BatchGetImage",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})");
  EXPECT_EQ(WithCode(Lint(star, PolicyKind::kRepository, owner), "ECR_CROSS_ACCOUNT_WRITE").size(),
            1u);
}

TEST(LintCheckTest, PolicyLockoutIsProvedWithTheEvaluator) {
  LintOptions owner;
  owner.account = "111122223333";
  // A Deny naming the owning account locks its administrators out; naming it needs --account.
  std::string own = Repository(
      R"("Effect": "Deny",
          "Principal": {"AWS": "111122223333"}, "Action": "ecr:SetRepositoryPolicy")");
  auto f = WithCode(Lint(own, PolicyKind::kRepository, owner), "ECR_POLICY_LOCKOUT");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kError);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0");
  EXPECT_TRUE(WithCode(Lint(own, PolicyKind::kRepository), "ECR_POLICY_LOCKOUT").empty());
  // A conditional Deny that applies in a typical context: WARNING.
  std::string ip = Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:*",
      "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})");
  auto g = WithCode(Lint(ip, PolicyKind::kRepository), "ECR_POLICY_LOCKOUT");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].severity, Severity::kWarning);
  // Excluding the administrators by ARN avoids the lockout; denying other actions is no lockout.
  std::string guarded = Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:*",
      "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"},
                    "StringNotEquals": {"aws:PrincipalType": "Account"}})");
  EXPECT_TRUE(WithCode(Lint(guarded, PolicyKind::kRepository), "ECR_POLICY_LOCKOUT").empty());
  std::string other =
      Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:DeleteRepository")");
  EXPECT_TRUE(WithCode(Lint(other, PolicyKind::kRepository), "ECR_POLICY_LOCKOUT").empty());
}

TEST(LintCheckTest, UnmatchableRepositoryPatternReasons) {
  for (std::string res : {"repository/MyApp", "repository//app", "repository/app/", "repository/",
                          "repository/my app", "repository//*"}) {
    std::string p =
        Identity(R"("Action": "ecr:BatchGetImage", "Resource": "arn:aws:ecr:*:*:)" + res + "\"");
    EXPECT_EQ(WithCode(Lint(p), "ECR_UNMATCHABLE_REPOSITORY_PATTERN").size(), 1u) << res;
  }
  for (std::string res : {"repository/*", "repository/team-*/app", "repository/a.b_c--d",
                          "repository/${aws:PrincipalTag/team}/*"}) {
    std::string p =
        Identity(R"("Action": "ecr:BatchGetImage", "Resource": "arn:aws:ecr:*:*:)" + res + "\"");
    EXPECT_TRUE(WithCode(Lint(p), "ECR_UNMATCHABLE_REPOSITORY_PATTERN").empty()) << res;
  }
  // ArnLike condition values are checked too.
  auto f = Lint(WithCondition(
      R"({"ArnLike": {"aws:SourceArn": "arn:aws:ecr:us-east-1:111122223333:repository/App"}})"));
  EXPECT_EQ(WithCode(f, "ECR_UNMATCHABLE_REPOSITORY_PATTERN").size(), 1u);
}

TEST(LintCheckTest, NotPrincipalSessionNeedsRoleAndAccount) {
  std::string p = Repository(
      R"("Effect": "Deny",
          "NotPrincipal": {"AWS": ["arn:aws:sts::111122223333:assumed-role/ci/run1",
          "111122223333"]}, "Action": "ecr:*")");
  auto f = WithCode(Lint(p, PolicyKind::kRepository), "ECR_NOTPRINCIPAL_INCOMPLETE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("arn:aws:iam::111122223333:role/ci"), std::string::npos);
  EXPECT_NE(f[0].hint.find("R59"), std::string::npos);
  std::string full = Repository(
      R"("Effect": "Deny",
          "NotPrincipal": {"AWS": ["arn:aws:sts::111122223333:assumed-role/ci/run1",
          "arn:aws:iam::111122223333:role/path/ci", "arn:aws:iam::111122223333:root"]},
          "Action": "ecr:*")");
  EXPECT_TRUE(WithCode(Lint(full, PolicyKind::kRepository), "ECR_NOTPRINCIPAL_INCOMPLETE").empty());
}

TEST(LintCheckTest, SourceIpDenyGuardedByViaAwsService) {
  std::string p = Repository(R"("Effect": "Deny", "Principal": "*", "Action": "ecr:*",
      "Condition": {"NotIpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"},
                    "Bool": {"aws:ViaAWSService": "false"}})");
  EXPECT_TRUE(
      WithCode(Lint(p, PolicyKind::kRepository), "ECR_SOURCEIP_DENY_BREAKS_ENDPOINTS").empty());
}

TEST(LintCheckTest, PrivateIpSeverityFollowsTheProfile) {
  std::string p = WithCondition(R"({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})");
  auto parity = WithCode(Lint(p), "PRIVATE_IP_ADDRESS");
  ASSERT_EQ(parity.size(), 1u);
  EXPECT_EQ(parity[0].severity, Severity::kError);
  LintOptions self_hosted;
  self_hosted.profile = Profile::kSelfHosted;
  auto sh = WithCode(Lint(p, PolicyKind::kIdentity, self_hosted), "PRIVATE_IP_ADDRESS");
  ASSERT_EQ(sh.size(), 1u);
  EXPECT_EQ(sh[0].severity, Severity::kWarning);
  // Other keys are not aws:SourceIp.
  EXPECT_TRUE(WithCode(Lint(WithCondition(R"({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}})")),
                       "PRIVATE_IP_ADDRESS")
                  .empty());
}

TEST(LintCheckTest, ImproveIpRangeNamesTheNetwork) {
  auto f =
      WithCode(Lint(WithCondition(
                   R"({"IpAddress": {"aws:SourceIp": ["203.0.113.77/24", "2001:db8::1/32"]}})")),
               "IMPROVE_IP_RANGE");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NE(f[0].hint.find("`203.0.113.0/24`"), std::string::npos) << f[0].hint;
  EXPECT_NE(f[1].hint.find("`2001:db8::/32`"), std::string::npos) << f[1].hint;
}

TEST(LintCheckTest, UnsupportedConditionKeyIsAWarningWhenOnlySomeActionsLackIt) {
  std::string some =
      Identity(R"("Action": ["ecr:CreateRepository", "ecr:BatchGetImage"], "Resource": "*",
                                 "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}})");
  auto f = WithCode(Lint(some), "UNSUPPORTED_ACTION_FOR_CONDITION_KEY");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_NE(f[0].message.find("`ecr:BatchGetImage`"), std::string::npos);
  // R142: resource tags are absent for CreateRepository and wildcard-only actions.
  std::string create = Identity(R"("Action": "ecr:CreateRepository", "Resource": "*",
                                   "Condition": {"StringEquals": {"ecr:ResourceTag/team": "a"}})");
  auto g = WithCode(Lint(create), "UNSUPPORTED_ACTION_FOR_CONDITION_KEY");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].severity, Severity::kError);
  // Statements that mix services are not judged.
  std::string mixed = Identity(R"("Action": ["ecr:BatchGetImage", "s3:GetObject"], "Resource": "*",
                                  "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}})");
  EXPECT_TRUE(WithCode(Lint(mixed), "UNSUPPORTED_ACTION_FOR_CONDITION_KEY").empty());
}

TEST(LintCheckTest, MissingQualifierOnAServiceKeyIsAWarning) {
  auto f = WithCode(Lint(WithCondition(R"({"StringEquals": {"events:detail-type": "x"}})")),
                    "MISSING_QUALIFIER");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
}

// CONDITION_NEVER_TRUE / CONDITION_ALWAYS_TRUE: decided by evaluating the clauses over witness
// contexts; only families whose witness set is exhaustive are judged.
bool NeverTrue(std::string_view condition, std::string_view code = "CONDITION_NEVER_TRUE") {
  return !WithCode(Lint(WithCondition(condition)), code).empty();
}

TEST(LintSemanticTest, ConditionNeverTrueProvesEmptyRangesAndContradictions) {
  // Empty date range (Y <= X), and the same range with Y > X.
  EXPECT_TRUE(NeverTrue(R"({"DateGreaterThan": {"aws:CurrentTime": "2025-06-01T00:00:00Z"},
                            "DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}})"));
  EXPECT_TRUE(NeverTrue(R"({"DateGreaterThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"},
                            "DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}})"));
  EXPECT_FALSE(NeverTrue(R"({"DateGreaterThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"},
                             "DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00.002Z"}})"));
  // Numeric: 1 < x < 2 holds for 1.5; 2 < x < 2 never.
  EXPECT_FALSE(NeverTrue(R"({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "1"},
                             "NumericLessThan": {"aws:MultiFactorAuthAge": "2"}})"));
  EXPECT_TRUE(NeverTrue(R"({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "2"},
                            "NumericLessThan": {"aws:MultiFactorAuthAge": "2"}})"));
  // Null true together with a positive operator; with an …IfExists operator it is satisfiable.
  EXPECT_TRUE(NeverTrue(R"({"Null": {"aws:PrincipalTag/team": "true"},
                            "StringEquals": {"aws:PrincipalTag/team": "dev"}})"));
  EXPECT_FALSE(NeverTrue(R"({"Null": {"aws:PrincipalTag/team": "true"},
                             "StringEqualsIfExists": {"aws:PrincipalTag/team": "dev"}})"));
  EXPECT_TRUE(NeverTrue(R"({"ForAnyValue:Null": {"aws:TagKeys": "true"}})"));
  EXPECT_TRUE(NeverTrue(R"({"Bool": {"aws:SecureTransport": "true"}, "Null": {"aws:SecureTransport": "true"}})"));
  // Epoch-seconds dates compare as instants; decimals other than integers are not judged.
  EXPECT_TRUE(NeverTrue(R"({"DateGreaterThanEquals": {"aws:EpochTime": "1735689600"},
                            "DateLessThan": {"aws:CurrentTime": "2020-01-01"},
                            "DateLessThanEquals": {"aws:EpochTime": "2024-12-31T23:59:59.999Z"}})"));
  EXPECT_FALSE(NeverTrue(R"({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "1.5"},
                             "NumericLessThan": {"aws:MultiFactorAuthAge": "1.5"}})"));
  // Not judged: variables, multi-valued keys, IgnoreCase, general Like patterns.
  EXPECT_FALSE(NeverTrue(R"({"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"},
                             "StringNotEquals": {"aws:PrincipalTag/team": "${aws:username}"}})"));
  EXPECT_FALSE(NeverTrue(R"({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"},
                             "ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}})"));
  EXPECT_FALSE(NeverTrue(R"({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "dev"},
                             "StringNotEquals": {"aws:PrincipalTag/team": "dev"}})"));
  // The finding names the statement and points at the key.
  auto f = WithCode(Lint(WithCondition(R"({"StringEquals": {"aws:PrincipalTag/team": "dev"},
                        "StringNotEquals": {"aws:PrincipalTag/team": "dev"}})")),
                    "CONDITION_NEVER_TRUE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0/Condition/StringEquals/aws:PrincipalTag~1team");
  EXPECT_NE(f[0].message.find("statement 0"), std::string::npos) << f[0].message;
}

TEST(LintSemanticTest, ConditionAlwaysTrue) {
  EXPECT_TRUE(NeverTrue(R"({"ForAllValues:Null": {"aws:TagKeys": "true"}})",
                        "CONDITION_ALWAYS_TRUE"));
  EXPECT_TRUE(NeverTrue(R"({"StringNotLikeIfExists": {"aws:PrincipalTag/team": "zzz"},
                            "StringLikeIfExists": {"aws:PrincipalTag/team": ["*", "a"]}})",
                        "CONDITION_ALWAYS_TRUE"));
  EXPECT_FALSE(NeverTrue(R"({"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "a"}})",
                         "CONDITION_ALWAYS_TRUE"));
  EXPECT_FALSE(NeverTrue(R"({"BoolIfExists": {"aws:SecureTransport": "true"}})",
                         "CONDITION_ALWAYS_TRUE"));
}

TEST(LintSemanticTest, OverriddenAndRedundantStatementsAreConservative) {
  auto lint_scp = [](std::string_view statements, std::string_view code) {
    return WithCode(Lint(Scp(statements), PolicyKind::kIdentity), code);
  };
  // NotAction Deny covers a literal Allow action it does not list; not a wildcard one.
  auto f = lint_scp(R"({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                      {"Sid": "NoS3", "Effect": "Deny", "NotAction": "ec2:*", "Resource": "*"})",
                    "ALLOW_ALWAYS_OVERRIDDEN");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0");
  EXPECT_NE(f[0].message.find("statement 1 (`NoS3`)"), std::string::npos) << f[0].message;
  EXPECT_TRUE(lint_scp(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
                         {"Effect": "Deny", "NotAction": "ec2:*", "Resource": "*"})",
                       "ALLOW_ALWAYS_OVERRIDDEN")
                  .empty());
  // A resource outside the Deny's prefix escapes it.
  EXPECT_TRUE(lint_scp(R"({"Effect": "Allow", "Action": "s3:GetObject",
                          "Resource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]},
                         {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::a/*"})",
                       "ALLOW_ALWAYS_OVERRIDDEN")
                  .empty());
  // Repository policy: {"AWS": "*"} covers an account, not a service principal.
  std::string repo_account = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage"},
      {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "ecr:*"}]})";
  EXPECT_EQ(WithCode(Lint(repo_account, PolicyKind::kRepository), "ALLOW_ALWAYS_OVERRIDDEN").size(),
            1u);
  std::string repo_service = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
       "Action": "ecr:BatchGetImage"},
      {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "ecr:*"}]})";
  EXPECT_TRUE(WithCode(Lint(repo_service, PolicyKind::kRepository), "ALLOW_ALWAYS_OVERRIDDEN")
                  .empty());
  // Two identical statements: only the later one is redundant.
  auto r = lint_scp(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})",
                    "REDUNDANT_STATEMENT");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].location.pointer, "/Statement/1");
  // A conditional cover is not a cover.
  EXPECT_TRUE(lint_scp(R"({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                          "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
                         {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})",
                       "REDUNDANT_STATEMENT")
                  .empty());
}

TEST(LintSemanticTest, RedundantResourceAndNonLatin1) {
  auto rr = WithCode(Lint(Identity(R"("Action": "s3:GetObject",
      "Resource": ["arn:aws:s3:::b/k", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:s3:::b*/x"])")),
                     "REDUNDANT_RESOURCE");
  ASSERT_EQ(rr.size(), 2u) << Codes(rr);
  EXPECT_EQ(rr[0].location.pointer, "/Statement/0/Resource/0");
  EXPECT_EQ(rr[1].location.pointer, "/Statement/0/Resource/2");
  // A `*` inside an ARN segment does not cross colons: not judged as a cover.
  EXPECT_TRUE(WithCode(Lint(Identity(R"("Action": "s3:GetObject",
      "Resource": ["arn:aws:s3:*:*:b", "arn:aws:s3:::b"])")),
                       "REDUNDANT_RESOURCE")
                  .empty());
  std::string escaped = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
      "Principal": "*", "Action": "s3:*", "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalTag/x": "\u20ac"}}}]})";
  auto nl = WithCode(Lint(escaped, PolicyKind::kResource), "W_NON_LATIN1");
  ASSERT_EQ(nl.size(), 1u);
  EXPECT_NE(nl[0].message.find("U+20AC"), std::string::npos) << nl[0].message;
  EXPECT_TRUE(WithCode(Lint(escaped, PolicyKind::kIdentity), "W_NON_LATIN1").empty());
}

TEST(LintCheckTest, ScpPrincipalSupersedesTheGenericParserError) {
  auto f = Lint(Scp(R"({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})"),
                PolicyKind::kScp);
  EXPECT_TRUE(WithCode(f, "UNSUPPORTED_PRINCIPAL").empty()) << Codes(f);
  EXPECT_EQ(WithCode(f, "SCP_SYNTAX_ERROR_PRINCIPAL").size(), 1u);
}

TEST(LintCheckTest, AllowWithNotPrincipalInARepositoryPolicyIsTheParserError) {
  auto f =
      Lint(Repository(
               R"("Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "ecr:*")"),
           PolicyKind::kRepository);
  auto hits = WithCode(f, "ALLOW_WITH_NOT_PRINCIPAL");
  ASSERT_EQ(hits.size(), 1u) << Codes(f);
  EXPECT_EQ(hits[0].severity, Severity::kError);
}

TEST(LintCheckTest, RepositoryPolicySizeReportsBothMeasures) {
  std::string repo = Repository(
      R"("Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage")");
  std::string big = repo.substr(0, 1) + std::string(10300, ' ') + repo.substr(1);
  auto f =
      WithCode(Lint(big, PolicyKind::kRepository), "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("(whitespace counted)"), std::string::npos);
  EXPECT_NE(
      f[0].message.find("without whitespace it is " +
                        std::to_string(repo.size() - std::count(repo.begin(), repo.end(), ' '))),
      std::string::npos)
      << f[0].message;
  LintOptions managed;
  managed.enforce_size_limit = false;
  EXPECT_TRUE(WithCode(Lint(big, PolicyKind::kRepository, managed),
                       "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA")
                  .empty());
}

// ---------------------------------------------------------------------------------------------
// Locations, merging, options
// ---------------------------------------------------------------------------------------------

TEST(LintLocationTest, FindingsSpanTheOffendingValue) {
  std::string p =
      "{\n"
      "  \"Version\": \"2012-10-17\",\n"
      "  \"Statement\": [{\n"
      "    \"Effect\": \"Allow\",\n"
      "    \"Action\": [\"s3:GetObject\", \"s3:GetObjekt\"],\n"
      "    \"Resource\": \"*\"\n"
      "  }]\n"
      "}\n";
  auto f = WithCode(Lint(p), "INVALID_ACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/Statement/0/Action/1");
  EXPECT_EQ(f[0].location.line, 5u);
  EXPECT_EQ(f[0].location.column, 32u);
  EXPECT_EQ(*f[0].location.offset, p.find("\"s3:GetObjekt\""));
  EXPECT_EQ(f[0].end_line, 5u);
  EXPECT_EQ(f[0].end_column, 32u + 14u);
  EXPECT_EQ(*f[0].end_offset, *f[0].location.offset + 14);
}

TEST(LintLocationTest, ParserErrorsAreErrorFindingsWithSpans) {
  std::string p =
      R"({"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:GetObject",
          "Resource": "*", "Foo": 1}]})";
  auto f = Lint(p);
  auto effect = WithCode(f, "INVALID_EFFECT");
  ASSERT_EQ(effect.size(), 1u) << Codes(f);
  EXPECT_EQ(effect[0].severity, Severity::kError);
  EXPECT_EQ(effect[0].location.pointer, "/Statement/0/Effect");
  EXPECT_EQ(*effect[0].end_offset - *effect[0].location.offset, 7u);  // "allow" with quotes
  auto element = WithCode(f, "INVALID_POLICY_ELEMENT");
  ASSERT_EQ(element.size(), 1u);
  EXPECT_EQ(*element[0].end_offset - *element[0].location.offset, 5u);  // the name "Foo"
}

TEST(LintLocationTest, FindingsAreSortedByPosition) {
  std::string p =
      R"({"Statement": [{"Sid": "", "Effect": "Allow", "Action": ["s3:GetObjekt"],
          "Resource": "arn:aws:s3"}]})";
  auto f = Lint(p);
  ASSERT_GE(f.size(), 4u) << Codes(f);
  for (size_t i = 1; i < f.size(); ++i) {
    EXPECT_LE(*f[i - 1].location.offset, *f[i].location.offset);
  }
}

TEST(LintOptionsTest, IgnoreDropsCodesIncludingParserCodes) {
  std::string p =
      R"({"Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]})";
  LintOptions o;
  o.ignore = {"MISSING_VERSION", "INVALID_EFFECT"};
  EXPECT_TRUE(Lint(p, PolicyKind::kIdentity, o).empty())
      << Codes(Lint(p, PolicyKind::kIdentity, o));
}

TEST(LintOptionsTest, SameCodeAtSamePointerIsReportedOnce) {
  auto f = Lint(
      Repository(
          R"("Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage",
              "Resource": "*")"),
      PolicyKind::kRepository);
  EXPECT_EQ(WithCode(f, "ECR_REPO_POLICY_HAS_RESOURCE").size(), 1u) << Codes(f);
}

// ---------------------------------------------------------------------------------------------
// Bad input: a finding, never a crash
// ---------------------------------------------------------------------------------------------

TEST(LintBadInputTest, EveryKindOfBadInputIsOneErrorFinding) {
  struct Bad {
    std::string text;
    std::string code;
  };
  std::vector<Bad> bad = {
      {"", "JSON_SYNTAX_ERROR"},
      {"   \n", "JSON_SYNTAX_ERROR"},
      {"not json", "JSON_SYNTAX_ERROR"},
      {"{\"Version\": \"2012-10-17\",", "JSON_SYNTAX_ERROR"},
      {std::string("\x7f"
                   "ELF\x02\x01\x01\0\0\0",
                   10),
       "JSON_SYNTAX_ERROR"},
      {"[1, 2]", "DATA_TYPE_MISMATCH"},
      {"\"*\"", "DATA_TYPE_MISMATCH"},
      {"{\"a\": 1, \"a\": 2}", "JSON_DUPLICATE_KEY"},
      {std::string(200, '[') + std::string(200, ']'), "JSON_TOO_DEEP"},
      {"{\"Statement\": \"\xff\xfe\"}", "JSON_INVALID_UTF8"},
  };
  for (const Bad& b : bad) {
    auto f = Lint(b.text);
    ASSERT_FALSE(f.empty()) << b.text;
    EXPECT_EQ(f[0].code, b.code) << Codes(f);
    EXPECT_EQ(f[0].severity, Severity::kError);
    EXPECT_GE(f[0].location.line, 1u);
  }
}

TEST(LintBadInputTest, OversizedInputIsNotParsed) {
  std::string huge(10u << 20, ' ');
  huge[0] = '{';
  auto f = Lint(huge);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "JSON_TOO_LARGE");
  EXPECT_NE(f[0].message.find("10485760"), std::string::npos);
}

TEST(LintBadInputTest, JsonThatIsNotAPolicyGetsStructuralErrors) {
  auto f = Lint(R"({"foo": {"bar": [1, 2, 3]}})");
  EXPECT_FALSE(WithCode(f, "MISSING_STATEMENT").empty()) << Codes(f);
  EXPECT_FALSE(WithCode(f, "INVALID_POLICY_ELEMENT").empty()) << Codes(f);
}

TEST(LintBadInputTest, RandomBytesAndMutationsNeverCrash) {
  std::mt19937 rng(42);
  std::string seed = WithCondition(
      R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]},
          "IpAddress": {"aws:SourceIp": "10.0.0.1/8"}})");
  for (int i = 0; i < 3000; ++i) {
    std::string t = seed;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % t.size();
      switch (rng() % 3) {
        case 0:
          t[pos] = static_cast<char>(rng() % 256);
          break;
        case 1:
          t.erase(pos, 1 + rng() % 8);
          break;
        default:
          t.insert(pos, std::string(1, "{}[]\":,*$"[rng() % 9]));
      }
      if (t.empty()) t = "{";
    }
    for (PolicyKind k : {PolicyKind::kIdentity, PolicyKind::kRepository, PolicyKind::kScp}) {
      auto f = Lint(t, k);
      for (const Finding& x : f) {
        EXPECT_NE(x.code, "LINT_INTERNAL_ERROR") << t;
        EXPECT_GE(x.location.line, 1u);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Names and output formats
// ---------------------------------------------------------------------------------------------

TEST(LintNamesTest, SeverityAndProfileNamesRoundTrip) {
  for (Severity s :
       {Severity::kError, Severity::kSecurityWarning, Severity::kWarning, Severity::kSuggestion}) {
    EXPECT_EQ(SeverityFromName(SeverityName(s)), s);
    EXPECT_EQ(SeverityFromName(SeverityCliName(s)), s);
  }
  EXPECT_FALSE(SeverityFromName("fatal").has_value());
  EXPECT_EQ(ProfileFromName("self-hosted"), Profile::kSelfHosted);
  EXPECT_EQ(ProfileFromName(ProfileName(Profile::kAwsParity)), Profile::kAwsParity);
  EXPECT_FALSE(ProfileFromName("aws").has_value());
}

TEST(LintNamesTest, CodePointColumns) {
  std::string t =
      "ab\n\xc3\xa9t\xe2\x82\xac"
      "x";
  EXPECT_EQ(CodePointColumn(t, 0), 1u);
  EXPECT_EQ(CodePointColumn(t, 3), 1u);
  EXPECT_EQ(CodePointColumn(t, 5), 2u);  // after é (2 bytes)
  EXPECT_EQ(CodePointColumn(t, 9), 4u);  // after € (3 bytes)
}

std::vector<FileResult> SampleResults() {
  FileResult a;
  a.path = "dir/a b.json";
  a.text = Identity(R"("Action": "s3:GetObjekt", "Resource": "*")");
  a.findings = Lint(a.text);
  FileResult b;
  b.path = "missing.json";
  b.error = "no such file or directory";
  FileResult c;
  c.path = "<stdin>";
  c.text = "nope";
  c.findings = Lint(c.text);
  return {a, b, c};
}

TEST(LintReportTest, TextIsCompilerStyle) {
  auto results = SampleResults();
  std::string t = RenderText(results[0]);
  EXPECT_NE(t.find("dir/a b.json:1:"), std::string::npos) << t;
  EXPECT_NE(t.find(": warning: action `s3:GetObjekt`"), std::string::npos) << t;
  EXPECT_NE(t.find("[INVALID_ACTION]\n  hint: "), std::string::npos) << t;
  EXPECT_EQ(RenderText(results[1]), "missing.json: error: no such file or directory [IO_ERROR]\n");
  EXPECT_EQ(RenderTextSummary(Summarize(results)), "3 files: 1 unreadable, 1 error, 1 warning");
}

TEST(LintReportTest, JsonListsFilesFindingsAndSummary) {
  auto doc = nlohmann::json::parse(RenderJson(SampleResults()));
  ASSERT_EQ(doc["files"].size(), 3u);
  const auto& f = doc["files"][0]["findings"][0];
  EXPECT_EQ(f["code"], "INVALID_ACTION");
  EXPECT_EQ(f["severity"], "WARNING");
  EXPECT_EQ(f["pointer"], "/Statement/0/Action");
  EXPECT_TRUE(f.contains("endColumn"));
  EXPECT_EQ(doc["files"][1]["error"], "no such file or directory");
  EXPECT_EQ(doc["summary"]["errors"], 1);
  EXPECT_EQ(doc["summary"]["unreadable"], 1);
}

TEST(LintReportTest, SarifHasRulesResultsAndRegions) {
  auto log = nlohmann::json::parse(RenderSarif(SampleResults(), "0.1.0"));
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "portcullis-lint");
  const auto& rules = run["tool"]["driver"]["rules"];
  std::set<std::string> ids;
  for (const auto& r : rules) {
    EXPECT_TRUE(ids.insert(r["id"].get<std::string>()).second) << r["id"];
    EXPECT_TRUE(r.contains("shortDescription"));
    std::string level = r["defaultConfiguration"]["level"];
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note") << level;
  }
  for (const CheckInfo& c : Checks()) EXPECT_TRUE(ids.count(std::string(c.code))) << c.code;
  ASSERT_EQ(run["results"].size(), 2u);
  for (const auto& res : run["results"]) {
    std::string id = res["ruleId"];
    EXPECT_EQ(rules[res["ruleIndex"].get<size_t>()]["id"], id);
    const auto& pl = res["locations"][0]["physicalLocation"];
    EXPECT_GE(pl["region"]["startLine"].get<int>(), 1);
    EXPECT_GE(pl["region"]["startColumn"].get<int>(), 1);
  }
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/a%20b.json");
  EXPECT_EQ(run["results"][0]["level"], "warning");
  EXPECT_EQ(run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "stdin");
  EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
  EXPECT_FALSE(run["invocations"][0]["executionSuccessful"].get<bool>());
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"].size(), 1u);
}

}  // namespace
}  // namespace policy_engine::lint
