// LintInventory (R192 ECR_MISSING_AUTH_TOKEN) over policy store documents.
#include <gtest/gtest.h>

#include "policy_engine/lint/lint.h"

namespace policy_engine::lint {
namespace {

// alice may pull and log in; bob may pull but not log in; carol may log in but pull nothing;
// dave (a role) may pull only through the repository policy and has no token grant.
constexpr char kStore[] = R"({"accounts": [{"id": "111122223333"}],
 "principals": [
  {"arn": "arn:aws:iam::111122223333:user/alice", "inlinePolicies": [{"name": "p", "policy":
    {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetAuthorizationToken"], "Resource": "*"}]}}]},
  {"arn": "arn:aws:iam::111122223333:user/bob", "inlinePolicies": [{"name": "p", "policy":
    {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}}]},
  {"arn": "arn:aws:iam::111122223333:user/carol", "inlinePolicies": [{"name": "p", "policy":
    {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}}]},
  {"arn": "arn:aws:iam::111122223333:role/dave"}],
 "repositories": [{"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app",
   "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/dave"}, "Action": "ecr:BatchGetImage"}]}}]})";

TEST(LintInventoryTest, ReportsPrincipalsThatCanPullButNotLogIn) {
  auto findings = LintInventory(kStore);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].code, "ECR_MISSING_AUTH_TOKEN");
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_EQ(findings[0].location.pointer, "/principals/1/arn");  // bob
  EXPECT_EQ(findings[0].location.line, 6u);
  EXPECT_NE(findings[0].message.find("user/bob"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("ecr:BatchGetImage"), std::string::npos);
  EXPECT_EQ(findings[1].location.pointer, "/principals/3/arn");  // dave, via the repository policy
  ASSERT_NE(FindCheck("ECR_MISSING_AUTH_TOKEN"), nullptr);
  LintOptions options;
  options.ignore = {"ECR_MISSING_AUTH_TOKEN"};
  EXPECT_TRUE(LintInventory(kStore, options).empty());
}

// The login is asked at the repository's regional endpoint: an SCP that denies ECR outside
// approved regions (on aws:RequestedRegion) does not make a token grant look missing.
TEST(LintInventoryTest, TheLoginCarriesTheRepositorysRegion) {
  constexpr char kScpStore[] = R"({"accounts": [{"id": "111122223333", "orgId": "o-a1b2c3d4e5",
   "orgPaths": ["o-a1b2c3d4e5/r-ab12/"], "scps": [[
     {"name": "all", "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
     {"name": "regions", "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}]}}]]}],
   "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "inlinePolicies": [
     {"name": "p", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": ["ecr:BatchGetImage", "ecr:GetAuthorizationToken"], "Resource": "*"}]}}]}],
   "repositories": [{"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app"}]})";
  auto findings = LintInventory(kScpStore);
  EXPECT_TRUE(findings.empty()) << findings.at(0).message;
}

TEST(LintInventoryTest, AStoreThatDoesNotLoadIsOneLocatedError) {
  auto findings = LintInventory(R"({"principals": [{"arn": "not an arn"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_EQ(findings[0].location.pointer, "/principals/0/arn");
  EXPECT_EQ(LintInventory("{").at(0).code, "JSON_SYNTAX_ERROR");
}

}  // namespace
}  // namespace policy_engine::lint
