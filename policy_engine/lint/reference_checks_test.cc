// Unit tests of the checks against the service reference's ARN formats and condition keys
// (arn_checks.cc, key_checks.cc): one positive and one negative case per check (run by the
// CheckCases suite of lint_test.cc), then details, and the SetRepositoryPolicy call (R188).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "policy_engine/lint/lint_test_support.h"

namespace policy_engine::lint::testing_support {

namespace {

// An identity policy granting `action` on `resource`.
std::string On(std::string_view action, std::string_view resource) {
  return Identity("\"Action\": \"" + std::string(action) + "\", \"Resource\": \"" +
                  std::string(resource) + "\"");
}
std::string Ecr(std::string_view arn) { return On("ecr:BatchGetImage", arn); }

std::string Registry(std::string_view actions) {
  return R"({"Version": "2012-10-17", "Statement": [{"Sid": "Replication", "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": )" +
         std::string(actions) +
         R"(, "Resource": ["arn:aws:ecr:us-west-2:444455556666:repository/*"]}]})";
}

}  // namespace

std::vector<CheckCase> ReferenceCheckCases() {
  std::vector<CheckCase> cases;
  auto add = [&](std::string code, PolicyKind kind, std::string pos, std::string neg,
                 Severity severity, LintOptions options = {}) {
    cases.push_back(
        {std::move(code), kind, std::move(pos), std::move(neg), std::move(options), severity});
  };
  using S = Severity;
  const PolicyKind kId = PolicyKind::kIdentity;
  const std::string repo = "arn:aws:ecr:us-east-1:111122223333:repository/app";

  // ARN formats (arn_checks.cc).
  add("INVALID_ARN_SERVICE_CASE", kId, Ecr("arn:aws:ECR:us-east-1:111122223333:repository/app"),
      Ecr(repo), S::kError);
  add("WILDCARD_IN_ARN_SERVICE", kId, Ecr("arn:aws:ec*:us-east-1:111122223333:repository/app"),
      Ecr("arn:aws:ecr:*:111122223333:repository/*"), S::kError);
  add("INVALID_PARTITION", kId, Ecr("arn:amazon:ecr:us-east-1:111122223333:repository/app"),
      Ecr("arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/app"), S::kError);
  add("INVALID_ARN_REGION", kId, Ecr("arn:aws:ecr:region:111122223333:repository/app"),
      Ecr("arn:aws:ecr:us-isob-east-1:111122223333:repository/app"), S::kError);
  add("INVALID_ARN_ACCOUNT", kId, Ecr("arn:aws:ecr:us-east-1:account-id:repository/app"),
      Ecr("arn:aws:ecr:us-east-1:*:repository/app"), S::kError);
  add("INVALID_ARN_RESOURCE", kId, Ecr("arn:aws:ecr:us-east-1:111122223333:repo/app"), Ecr(repo),
      S::kWarning);
  add("MISSING_ARN_REGION", kId, Ecr("arn:aws:ecr::111122223333:repository/app"),
      Ecr("arn:aws:ecr:*:111122223333:repository/app"), S::kWarning);
  add("ARN_REGION_NOT_ALLOWED", kId, On("s3:GetObject", "arn:aws:s3:us-east-1::bucket/key"),
      On("s3:GetObject", "arn:aws:s3:::bucket/key"), S::kWarning);
  add("MISSING_ARN_ACCOUNT", kId, Ecr("arn:aws:ecr:us-east-1::repository/app"),
      Ecr("arn:aws:ecr:us-east-1:${aws:PrincipalAccount}:repository/app"), S::kWarning);
  add("ARN_ACCOUNT_NOT_ALLOWED", kId, On("s3:GetObject", "arn:aws:s3::111122223333:bucket/key"),
      On("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/*"), S::kWarning);
  add("RESOURCE_ARN_NOT_MATCHING_ACTION", kId, On("s3:GetObject", repo),
      Identity(R"("Action": ["s3:GetObject", "ecr:BatchGetImage"],
                  "Resource": ["arn:aws:s3:::bucket/*", ")" +
               repo + "\"]"),
      S::kWarning);

  // Condition keys (key_checks.cc).
  add("UNSUPPORTED_GLOBAL_CONDITION_KEY", kId,
      WithCondition(R"({"ArnEquals": {"aws:ARN": "arn:aws:iam::111122223333:role/app"}})"),
      WithCondition(R"({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}})"),
      S::kError);
  add("MISSING_TAG_KEY_IN_CONDITION", kId,
      WithCondition(R"({"StringEquals": {"aws:ResourceTag/": "dev"}})"),
      WithCondition(R"({"StringEquals": {"aws:ResourceTag/team": "dev"}})"), S::kError);
  add("INVALID_GLOBAL_CONDITION_KEY", kId,
      WithCondition(R"({"StringEquals": {"aws:PrincipalOrganization": "o-a1b2c3d4e5"}})"),
      WithCondition(R"({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})"), S::kWarning);
  add("INVALID_SERVICE_CONDITION_KEY", kId,
      WithCondition(R"({"StringEquals": {"s3:prefixes": "home/"}})"),
      WithCondition(R"({"StringEquals": {"s3:prefix": "home/"}})"), S::kWarning);

  // Tag keys a service never supplies (R95). `cloudshell` lists no tag keys; `ec2` all of them.
  add("DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", kId,
      Scp(R"({"Effect": "Deny", "Action": ["ec2:TerminateInstances", "cloudshell:*"],
              "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}})"),
      Scp(R"({"Effect": "Deny", "Action": ["ec2:TerminateInstances"],
              "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}})"),
      S::kSecurityWarning);
  add("DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", kId,
      Scp(R"({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
              "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}})"),
      Scp(R"({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
              "Condition": {"StringEquals": {"aws:PrincipalTag/env": "prod"}}})"),
      S::kSecurityWarning);
  add("ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", kId,
      Identity(R"("Action": "cloudshell:CreateSession", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:RequestTag/env": "dev"}})"),
      Identity(R"("Action": "ec2:RunInstances", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:RequestTag/env": "dev"}})"),
      S::kSuggestion);
  add("ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", kId,
      Identity(R"("NotAction": "iam:*", "Resource": "arn:aws:ec2:*:*:instance/*",
                  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})"),
      Identity(R"("NotAction": "iam:*", "Resource": "arn:aws:ec2:*:*:instance/*",
                  "Condition": {"StringEquals": {"aws:PrincipalTag/env": "dev"}})"),
      S::kSuggestion);

  // iam:PassRole (identity policies).
  const std::string role = "arn:aws:iam::111122223333:role/app";
  add("PASS_ROLE_WITH_STAR_IN_RESOURCE", kId, On("iam:PassRole", "*"), On("iam:PassRole", role),
      S::kSecurityWarning);
  add("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", kId,
      On("iam:Pass*", "arn:aws:iam::111122223333:role/*"), On("iam:Pass*", role),
      S::kSecurityWarning);
  add("PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", kId,
      Identity(R"("NotAction": "s3:*", "Resource": "arn:aws:iam::111122223333:role/*")"),
      Identity(R"("NotAction": "iam:*", "Resource": "arn:aws:iam::111122223333:role/*")"),
      S::kSecurityWarning);
  add("PASS_ROLE_WITH_NOT_RESOURCE", kId,
      Identity(
          R"("Action": "iam:PassRole", "NotResource": "arn:aws:iam::111122223333:role/admin")"),
      On("iam:PassRole", role), S::kSecurityWarning);
  add("PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", kId,
      Identity(R"("Action": "iam:*", "NotResource": "arn:aws:iam::111122223333:role/admin")"),
      Identity(R"("Action": "iam:Get*", "NotResource": "arn:aws:iam::111122223333:role/admin")"),
      S::kSecurityWarning);
  add("PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", kId,
      Identity(R"("NotAction": "s3:*", "NotResource": "arn:aws:iam::111122223333:role/admin")"),
      Identity(R"("NotAction": "iam:*", "NotResource": "arn:aws:iam::111122223333:role/admin")"),
      S::kSecurityWarning);

  add("MISSING_PAIRED_CONDITION_KEYS", kId,
      WithCondition(R"({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}})"),
      WithCondition(R"({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"},
                        "StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}})"),
      S::kSecurityWarning);
  add("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", PolicyKind::kRepository,
      Repository(R"("Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
                    "Action": "ecr:BatchGetImage")"),
      Repository(R"("Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
                    "Action": "ecr:BatchGetImage",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}})"),
      S::kSecurityWarning);

  LintOptions v1;
  v1.registry_scope_v1 = true;
  add("ECR_REGISTRY_POLICY_SCOPE_V1", PolicyKind::kRegistry,
      Registry(R"(["ecr:ReplicateImage", "ecr:BatchGetImage"])"),
      Registry(R"(["ecr:ReplicateImage", "ecr:CreateRepository", "ecr:BatchImportUpstreamImage"])"),
      S::kError, v1);
  return cases;
}

namespace {

std::vector<std::string> CodesOf(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.code);
  return out;
}

constexpr std::string_view kArnCodes[] = {"INVALID_ARN_SERVICE_CASE",
                                          "WILDCARD_IN_ARN_SERVICE",
                                          "INVALID_PARTITION",
                                          "INVALID_ARN_REGION",
                                          "INVALID_ARN_ACCOUNT",
                                          "INVALID_ARN_RESOURCE",
                                          "MISSING_ARN_REGION",
                                          "ARN_REGION_NOT_ALLOWED",
                                          "MISSING_ARN_ACCOUNT",
                                          "ARN_ACCOUNT_NOT_ALLOWED",
                                          "RESOURCE_ARN_NOT_MATCHING_ACTION"};

size_t ArnFindings(const std::vector<Finding>& findings) {
  return std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return std::find(std::begin(kArnCodes), std::end(kArnCodes), f.code) != std::end(kArnCodes);
  });
}

TEST(LintArnTest, ValidArnsOfManyShapesAreNotReported) {
  for (const auto& [action, arn] : std::vector<std::pair<std::string, std::string>>{
           {"s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/*"},
           {"s3:ListBucket", "arn:aws:s3:::bucket"},
           {"ecr:BatchGetImage", "arn:*:ecr:*:*:repository/*"},
           {"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/team-*"},
           {"logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/lambda/*:log-stream:*"},
           {"iam:PassRole", "arn:aws:iam::111122223333:role/service-role/app"},
           {"sts:AssumeRole", "arn:aws:iam::*:role/deploy"},
           {"lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:f:1"},
           {"ssm:SendCommand", "arn:aws:ssm:*::document/AWS-RunShellScript"},  // AWS-owned
           {"backup:DeleteRecoveryPoint", "arn:aws:backup:*:*:recovery-point:*"},
           {"sqs:SendMessage", "arn:aws-cn:sqs:cn-north-1:111122223333:queue"},
           {"s3:GetObject", "arn:aws:s3:::*/*"},
           {"ec2:RunInstances", "arn:aws:ec2:*::image/ami-*"},
           {"notaservice:Do", "arn:aws:notaservice:us-east-1:111122223333:thing/x"},
       }) {
    auto findings = Lint(On(action, arn));
    EXPECT_EQ(ArnFindings(findings), 0u) << arn << "\n" << Codes(findings);
  }
}

TEST(LintArnTest, OneArnGetsOneFindingAndReferenceFindingsAreWarnings) {
  auto findings = Lint(Ecr("arn:aws:ecr:region:account-id:repo/app"));
  EXPECT_EQ(ArnFindings(findings), 1u) << Codes(findings);
  EXPECT_EQ(WithCode(findings, "INVALID_ARN_REGION").size(), 1u) << Codes(findings);
  // A resource type newer than the reference must not make a policy invalid.
  for (const Finding& f : Lint(Ecr("arn:aws:ecr:us-east-1:111122223333:new-type/x"))) {
    if (f.code == "INVALID_ARN_RESOURCE") {
      EXPECT_EQ(f.severity, Severity::kWarning);
    }
  }
  // The hint names a format of the service.
  auto hits =
      WithCode(Lint(Ecr("arn:aws:ecr:us-east-1:111122223333:repo/app")), "INVALID_ARN_RESOURCE");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].hint.find("repository/${RepositoryName}"), std::string::npos) << hits[0].hint;
  EXPECT_EQ(hits[0].location.pointer, "/Statement/0/Resource");
}

TEST(LintArnTest, RenamedServiceTakesTheNewServicesArns) {
  auto findings = Lint(On("codestar-connections:UseConnection",
                          "arn:aws:codeconnections:us-east-1:111122223333:connection/x"));
  EXPECT_TRUE(WithCode(findings, "RESOURCE_ARN_NOT_MATCHING_ACTION").empty()) << Codes(findings);
}

TEST(LintKeyTest, ServiceTagTemplatesAndCrossServiceKeysAreKnown) {
  for (std::string_view key : {"secretsmanager:ResourceTag/owner", "kms:EncryptionContext:app",
                               "ec2:ResourceTag/env", "iam:ResourceTag/team"}) {
    auto findings =
        Lint(WithCondition("{\"StringEquals\": {\"" + std::string(key) + "\": \"x\"}}"));
    EXPECT_TRUE(WithCode(findings, "INVALID_SERVICE_CONDITION_KEY").empty()) << key << "\n"
                                                                             << Codes(findings);
  }
  // Identity-provider keys have no service prefix in the reference: not judged.
  auto oidc = Lint(WithCondition(
      R"({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}})"));
  EXPECT_TRUE(WithCode(oidc, "INVALID_SERVICE_CONDITION_KEY").empty()) << Codes(oidc);
}

TEST(LintKeyTest, TagKeyWithoutTagNameIsReportedOnce) {
  auto findings = Lint(Identity(R"("Action": "cloudshell:CreateSession", "Resource": "*",
                                   "Condition": {"StringEquals": {"aws:ResourceTag/": "x"}})"));
  EXPECT_EQ(WithCode(findings, "MISSING_TAG_KEY_IN_CONDITION").size(), 1u) << Codes(findings);
  EXPECT_TRUE(WithCode(findings, "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE").empty())
      << Codes(findings);
  EXPECT_TRUE(WithCode(findings, "INVALID_GLOBAL_CONDITION_KEY").empty()) << Codes(findings);
}

TEST(LintKeyTest, TaggingApiIsNotReportedForTagKeys) {
  auto findings = Lint(Scp(R"({"Effect": "Deny", "Action": "tag:TagResources", "Resource": "*",
      "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}})"));
  EXPECT_TRUE(WithCode(findings, "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE").empty())
      << Codes(findings);
}

TEST(LintKeyTest, PassRoleIsForIdentityPoliciesOnly) {
  auto repo = Lint(Repository(R"("Effect": "Allow", "Principal": {"AWS": "111122223333"},
                                  "Action": "iam:PassRole")"),
                   PolicyKind::kRepository);
  for (const std::string& code : CodesOf(repo)) EXPECT_FALSE(code.starts_with("PASS_ROLE")) << code;
  // A statement granting iam:PassRole through "*" is reported once, as the wildcard variant.
  auto admin = Lint(On("*", "*"));
  EXPECT_EQ(WithCode(admin, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE").size(), 1u);
  EXPECT_TRUE(WithCode(admin, "PASS_ROLE_WITH_STAR_IN_RESOURCE").empty());
}

TEST(LintKeyTest, RegistryScopeV1JudgesWildcardsAndIsOffByDefault) {
  auto v2 = Lint(Registry(R"(["ecr:*"])"), PolicyKind::kRegistry);
  EXPECT_TRUE(WithCode(v2, "ECR_REGISTRY_POLICY_SCOPE_V1").empty()) << Codes(v2);
  LintOptions v1;
  v1.registry_scope_v1 = true;
  auto star = Lint(Registry(R"(["ecr:*"])"), PolicyKind::kRegistry, v1);
  EXPECT_EQ(WithCode(star, "ECR_REGISTRY_POLICY_SCOPE_V1").size(), 1u) << Codes(star);
  auto ok = Lint(Registry(R"(["ecr:Replicate*"])"), PolicyKind::kRegistry, v1);
  EXPECT_TRUE(WithCode(ok, "ECR_REGISTRY_POLICY_SCOPE_V1").empty()) << Codes(ok);
}

// Issue 6: the registry's SetRepositoryPolicy path lints the new policy as a repository policy
// with the owning account; ERRORs reject it, everything else is returned as warnings.
TEST(LintLibraryTest, SetRepositoryPolicyRejectsErrorsAndReturnsWarnings) {
  LintOptions options;
  options.kind = PolicyKind::kRepository;
  options.account = "111122223333";
  auto rejects = [](const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.severity == Severity::kError; });
  };
  // Locks the owner out of later policy changes (R188): rejected.
  auto lockout = LintPolicy(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
      "Principal": "*", "Action": "ecr:*"}]})",
                            options);
  EXPECT_TRUE(rejects(lockout)) << Codes(lockout);
  EXPECT_FALSE(WithCode(lockout, "ECR_POLICY_LOCKOUT").empty()) << Codes(lockout);
  // Cross-account pull for a service principal without a source condition: accepted, with the
  // security warning returned to the caller.
  auto warned = LintPolicy(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "codebuild.amazonaws.com"},
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})",
                           options);
  EXPECT_FALSE(rejects(warned)) << Codes(warned);
  EXPECT_FALSE(WithCode(warned, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL").empty()) << Codes(warned);
  // Not JSON: rejected, never thrown.
  EXPECT_TRUE(rejects(LintPolicy("{", options)));
}

}  // namespace
}  // namespace policy_engine::lint::testing_support
