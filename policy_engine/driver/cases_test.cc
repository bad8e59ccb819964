#include "policy_engine/driver/cases.h"

#include <gtest/gtest.h>

namespace policy_engine::driver {
namespace {

TEST(CasesTest, EvaluatesAnOracleFormatCase) {
  auto out = EvaluateCaseLine(
      R"({"id":"c1","identityPolicies":[{"name":"pull","policy":{"Version":"2012-10-17",
      "Statement":[{"Sid":"Pull","Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]}}],
      "resourcePolicy":null,"permissionBoundaries":null,"scps":null,
      "request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"ecr:BatchGetImage",
      "resource":"arn:aws:ecr:us-east-1:111122223333:repository/app","context":{}}})",
      1);
  ASSERT_TRUE(out.result.has_value()) << out.error;
  EXPECT_EQ(out.result->decision, model::Decision::kAllow);
  EXPECT_EQ(FormatOutcome(out),
            R"({"id":"c1","decision":"Allow","matched":[{"policy":"pull","type":"identity",)"
            R"("statement":0,"sid":"Pull","effect":"Allow"}],)"
            R"("reason":"R115.2: identity-based policy allows","error":null})");
}

TEST(CasesTest, ReportsLocatedErrorsAndKeepsTheId) {
  auto out = EvaluateCaseLine(
      R"({"id":7,"identityPolicies":[{"Statement":[{"Effect":"Allow","Action":"ecr:*",
      "Resource":"*","Condition":{"StringEqualz":{"aws:a":"b"}}}]}],
      "request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"ecr:PutImage",
      "resource":"arn:aws:ecr:us-east-1:111122223333:repository/app"}})",
      3);
  EXPECT_FALSE(out.result.has_value());
  EXPECT_EQ(out.id_json, "7");
  EXPECT_NE(out.error.find("line 3: INVALID_CONDITION_OPERATOR: "
                           "/identityPolicies/0/Statement/0/Condition/StringEqualz (line 2"),
            std::string::npos)
      << out.error;
  EXPECT_NE(FormatOutcome(out).find(R"("decision":null)"), std::string::npos);
}

TEST(CasesTest, RejectsMalformedCases) {
  const char* lines[] = {
      "not json",
      "[]",
      R"({"id":1})",
      R"({"id":1,"request":{"principal":"alice","action":"ecr:PutImage","resource":"*"}})",
      R"({"id":1,"request":{"principal":"arn:aws:iam::111122223333:user/a","action":"ecr:*",
         "resource":"*"}})",
      R"({"id":1,"request":{"principal":"arn:aws:iam::111122223333:user/a",
         "action":"ecr:GetAuthorizationToken","resource":"arn:aws:ecr:us-east-1:1:repository/x"}})",
      R"({"id":1,"identityPolicies":{},"request":{"principal":"arn:aws:iam::111122223333:user/a",
         "action":"ecr:PutImage","resource":"*"}})",
      R"({"id":1,"request":{"principal":"arn:aws:iam::111122223333:user/a",
         "action":"ecr:PutImage","resource":"*","context":{"aws:a":1}}})",
  };
  for (const char* line : lines) {
    auto out = EvaluateCaseLine(line, 1);
    EXPECT_FALSE(out.result.has_value()) << line;
    EXPECT_FALSE(out.error.empty()) << line;
  }
}

TEST(CasesTest, DeriveContextAddsPrincipalKeys) {
  auto out = EvaluateCaseLine(
      R"({"id":1,"deriveContext":true,"resourcePolicy":{"Statement":[{"Effect":"Allow",
      "Principal":"*","Action":"ecr:*","Condition":{"ArnLike":{"aws:PrincipalArn":
      "arn:aws:iam::111122223333:role/c*"}}}]},
      "request":{"principal":"arn:aws:sts::111122223333:assumed-role/ci/run1",
      "action":"ecr:BatchGetImage","resource":"arn:aws:ecr:us-east-1:111122223333:repository/app"}})",
      1);
  ASSERT_TRUE(out.result.has_value()) << out.error;
  EXPECT_EQ(out.result->decision, model::Decision::kAllow);  // C30
}

}  // namespace
}  // namespace policy_engine::driver
