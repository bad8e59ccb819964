#include "policy_engine/parse/parse.h"

#include <gtest/gtest.h>

namespace policy_engine::parse {
namespace {

using model::PolicyKind;

PolicyParseOptions Kind(PolicyKind kind) {
  PolicyParseOptions o;
  o.kind = kind;
  return o;
}

Status ErrorOf(std::string_view text, PolicyKind kind = PolicyKind::kIdentity) {
  auto r = ParsePolicy(text, Kind(kind));
  if (r.has_value()) return Status::Ok();
  return r.error();
}

TEST(ParseTest, NormalisesScalarsAndStatementObject) {  // R15, R21
  auto r = ParsePolicy(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"ecr:BatchGetImage","Resource":"*"}})",
                       Kind(PolicyKind::kIdentity));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->statements.size(), 1u);
  EXPECT_EQ(r->version, model::PolicyVersion::k2012_10_17);
  EXPECT_EQ(r->statements[0].pointer, "/Statement");
  ASSERT_EQ(r->statements[0].actions.size(), 1u);
  EXPECT_EQ(r->statements[0].resources[0].raw, "*");
}

TEST(ParseTest, ReportsStructuralErrorsWithStableCodesAndPointers) {
  struct Case {
    const char* text;
    const char* code;
    const char* pointer;
  } cases[] = {
      {R"([1])", "DATA_TYPE_MISMATCH", ""},                      // R1
      {R"({"Version":"2012-10-17"})", "MISSING_STATEMENT", ""},  // R15
      {R"({"Statement":[{"Action":"s3:*","Resource":"*"}]})", "MISSING_EFFECT", "/Statement/0"},
      {R"({"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]})", "INVALID_EFFECT",
       "/Statement/0/Effect"},  // R16
      {R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})", "MISSING_ACTION", "/Statement/0"},
      {R"({"Statement":[{"Effect":"Allow","Action":"a:b","NotAction":"a:c","Resource":"*"}]})",
       "UNSUPPORTED_ELEMENT_COMBINATION", "/Statement/0/NotAction"},  // R17
      {R"({"Statement":[{"Effect":"Allow","Action":"a:b"}]})", "MISSING_RESOURCE", "/Statement/0"},
      {R"({"Statement":[{"Effect":"Allow","Actions":"a:b","Resource":"*"}]})",
       "INVALID_POLICY_ELEMENT", "/Statement/0/Actions"},  // R4
      {R"({"Statement":[],"Foo":1})", "INVALID_POLICY_ELEMENT", "/Foo"},
      {R"({"Version":"2012-10-18","Statement":[]})", "INVALID_VERSION", "/Version"},  // R8
      {R"({"Version":20121017,"Statement":[]})", "INVALID_VERSION", "/Version"},
      {R"({"Statement":[{"Sid":null,"Effect":"Allow","Action":"a:b","Resource":"*"}]})",
       "DATA_TYPE_MISMATCH", "/Statement/0/Sid"},  // R6
      {R"({"Statement":[{"Sid":"a b","Effect":"Allow","Action":"a:b","Resource":"*"}]})",
       "UNSUPPORTED_SID", "/Statement/0/Sid"},  // R12
      {R"({"Statement":[{"Sid":"A","Effect":"Allow","Action":"a:b","Resource":"*"},
           {"Sid":"A","Effect":"Allow","Action":"a:c","Resource":"*"}]})",
       "UNIQUE_SIDS_REQUIRED", "/Statement/1/Sid"},
      {R"({"Statement":[{"Effect":"Allow","Action":"ecr:","Resource":"*"}]})", "INVALID_ACTION",
       "/Statement/0/Action"},  // R35
      {R"({"Statement":[{"Effect":"Allow","Action":["a:b", 3],"Resource":"*"}]})",
       "DATA_TYPE_MISMATCH", "/Statement/0/Action/1"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"a:b","Resource":"*"}]})",
       "UNSUPPORTED_PRINCIPAL", "/Statement/0/Principal"},  // R24
      {R"({"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":[]}]})",
       "DATA_TYPE_MISMATCH", "/Statement/0/Condition"},  // R20
  };
  for (const Case& c : cases) {
    Status s = ErrorOf(c.text);
    EXPECT_EQ(s.code(), c.code) << c.text << " -> " << s.ToString();
    EXPECT_EQ(s.location().pointer, c.pointer) << c.text << " -> " << s.ToString();
    EXPECT_NE(s.location().line, 0u) << c.text;
  }
}

TEST(ParseTest, RepositoryPoliciesForbidResourceAndRequirePrincipal) {  // R24, R25, R184
  EXPECT_EQ(ErrorOf(R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*",
      "Resource":"*"}]})",
                    PolicyKind::kRepository)
                .code(),
            "ECR_REPO_POLICY_HAS_RESOURCE");
  EXPECT_EQ(
      ErrorOf(R"({"Statement":[{"Effect":"Allow","Action":"ecr:*"}]})", PolicyKind::kRepository)
          .code(),
      "MISSING_PRINCIPAL");
  EXPECT_EQ(ErrorOf(R"({"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},
      "Action":"ecr:*"}]})",
                    PolicyKind::kRepository)
                .code(),
            "ALLOW_WITH_NOT_PRINCIPAL");
  auto ok = ParsePolicy(R"({"Version":"2008-10-17","Statement":[{"Sid":"ECR Repository Policy",
      "Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root"]},
      "Action":"ecr:*"}]})",
                        Kind(PolicyKind::kRepository));
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();  // R13: Sids with spaces are fine here
  EXPECT_TRUE(ok->statements[0].principal.negated);
  EXPECT_FALSE(ok->statements[0].resource_present);
}

TEST(ParseTest, ValidatesPrincipalValues) {  // R52, R53
  auto principal = [](const char* value) {
    std::string text = std::string(R"({"Statement":[{"Effect":"Allow","Principal":)") + value +
                       R"(,"Action":"ecr:*"}]})";
    return ErrorOf(text, PolicyKind::kRepository).code();
  };
  EXPECT_EQ(principal(R"({"AWS":"arn:aws:iam::111122223333:role/*"})"),
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL");
  EXPECT_EQ(principal(R"("arn:aws:iam::111122223333:root")"), "INVALID_PRINCIPAL_FORMAT");
  EXPECT_EQ(principal(R"({"AWS":"alice"})"), "INVALID_PRINCIPAL_FORMAT");
  EXPECT_EQ(principal(R"({"Federated":"cognito-identity.amazonaws.com"})"),
            "FEDERATED_PRINCIPAL_NOT_SUPPORTED");
  EXPECT_EQ(principal(R"({"Aws":"*"})"), "INVALID_PRINCIPAL_KEY");
  EXPECT_EQ(principal(R"({"Service":"not a service"})"), "INVALID_SERVICE_PRINCIPAL_FORMAT");
  EXPECT_EQ(principal(R"({"AWS":"${aws:username}"})"), "VARIABLE_UNSUPPORTED_IN_ELEMENT");
  EXPECT_TRUE(principal(R"({"AWS":["111122223333","arn:aws:sts::111122223333:assumed-role/ci/r"]})")
                  .empty());
  EXPECT_TRUE(principal(R"({"AWS":[]})").empty());  // R23: matches nobody
  EXPECT_TRUE(principal(R"({})").empty());
}

TEST(ParseTest, ValidatesConditionOperatorsAndValues) {  // R27–R31, R78–R91, R96
  auto cond = [](const char* block) {
    std::string text = std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Action":"ecr:*","Resource":"*","Condition":)") +
                       block + "}]}";
    return ErrorOf(text);
  };
  EXPECT_EQ(cond(R"({"StringEqualz":{"aws:a":"x"}})").code(), "INVALID_CONDITION_OPERATOR");
  EXPECT_EQ(cond(R"({"stringequals":{"aws:a":"x"}})").code(), "INVALID_CONDITION_OPERATOR");
  EXPECT_EQ(cond(R"({"ARNLike":{"aws:a":"x"}})").code(), "INVALID_CONDITION_OPERATOR");
  EXPECT_EQ(cond(R"({"NullIfExists":{"aws:a":"true"}})").code(), "NULL_WITH_IF_EXISTS");
  EXPECT_EQ(cond(R"({"StringEquals":[{"aws:a":"x"}]})").code(), "DATA_TYPE_MISMATCH");
  EXPECT_EQ(cond(R"({"StringEquals":{"nokey":"x"}})").code(), "INVALID_CONDITION_KEY_FORMAT");
  EXPECT_EQ(cond(R"({"StringEquals":{"aws:SourceIp":"x","aws:sourceip":"y"}})").code(),
            "DUPLICATE_KEYS_WITH_DIFFERENT_CASE");
  EXPECT_EQ(cond(R"({"NumericLessThan":{"aws:MultiFactorAuthAge":"abc"}})").code(),
            "INVALID_CONDITION_DATA_TYPE");  // E10
  EXPECT_EQ(cond(R"({"DateLessThan":{"aws:CurrentTime":"yesterday"}})").code(),
            "INVALID_CONDITION_DATA_TYPE");
  EXPECT_EQ(cond(R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}})").code(),
            "INVALID_CONDITION_DATA_TYPE");
  EXPECT_EQ(cond(R"({"Bool":{"aws:SecureTransport":"yes"}})").code(),
            "INVALID_CONDITION_DATA_TYPE");
  EXPECT_EQ(cond(R"({"Null":{"aws:a":"maybe"}})").code(), "INVALID_CONDITION_DATA_TYPE");
  EXPECT_EQ(cond(R"({"ArnLike":{"aws:PrincipalArn":"role/x"}})").code(),
            "INVALID_CONDITION_DATA_TYPE");
  EXPECT_EQ(cond(R"({"BinaryEquals":{"aws:a":"!!!"}})").code(), "INVALID_CONDITION_DATA_TYPE");
  EXPECT_EQ(cond(R"({"StringEquals":{"aws:a":[]}})").code(), "EMPTY_CONDITION_VALUES");
  EXPECT_EQ(cond(R"({"StringEquals":{"aws:a":[["x"]]}})").code(), "DATA_TYPE_MISMATCH");
  EXPECT_EQ(cond(R"({"StringEquals":{"aws:a":null}})").code(), "DATA_TYPE_MISMATCH");
  EXPECT_EQ(cond(R"({"NumericEquals":{"aws:a":"${aws:b}"}})").code(),
            "INVALID_VARIABLE_FOR_OPERATOR");  // R99
  EXPECT_EQ(cond(R"({"StringEquals":{"aws:a":"${aws:b"}})").code(), "MISSING_BRACE_IN_VARIABLE");
  EXPECT_TRUE(cond(R"({"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",true,10]},
      "Bool":{"aws:SecureTransport":true},"NumericEquals":{"aws:a":1.50}})")
                  .ok());
}

TEST(ParseTest, KeepsNumberAndBooleanTokenText) {  // R22
  auto r = ParsePolicy(R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*",
      "Condition":{"NumericEquals":{"aws:a":1.50},"Bool":{"aws:b":false}}}})",
                       Kind(PolicyKind::kIdentity));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->statements[0].conditions.size(), 2u);
  EXPECT_EQ(r->statements[0].conditions[0].values[0].raw, "1.50");
  EXPECT_EQ(r->statements[0].conditions[1].values[0].raw, "false");
}

TEST(ParseTest, AcceptsEmptyConditionArraysOnlyInAwsCompatMode) {  // R96
  PolicyParseOptions opt = Kind(PolicyKind::kIdentity);
  opt.aws_compat = true;
  EXPECT_TRUE(ParsePolicy(R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*",
      "Condition":{"StringEquals":{"aws:a":[]}}}})",
                          opt)
                  .has_value());
}

TEST(ParseTest, EnforcesKindSizeLimits) {  // R32, R33, R34
  std::string big = R"({"Statement":[)";
  for (int i = 0; i < 200; ++i) {
    if (i) big += ",";
    big += R"({"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"})";
  }
  big += "]}";
  EXPECT_EQ(ErrorOf(big, PolicyKind::kRepository).code(),
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA");
  PolicyParseOptions opt = Kind(PolicyKind::kRepository);
  opt.enforce_size_limit = false;
  EXPECT_TRUE(ParsePolicy(big, opt).has_value());
  PolicySize s = MeasurePolicy("{ \"a b\" : [ 1 ,\n 2 ] }");
  EXPECT_EQ(s.characters, 22u);
  EXPECT_EQ(s.without_whitespace, 13u);  // whitespace inside strings counts
}

TEST(ParseTest, RejectsNonLatin1CharactersInIamKindsOnly) {  // R7
  const char* text =
      "{\"Statement\":{\"Sid\":\"\",\"Effect\":\"Allow\",\"Action\":\"a:b\","
      "\"Resource\":\"arn:aws:s3:::b/\xe2\x82\xac\"}}";
  EXPECT_EQ(ErrorOf(text).code(), "INVALID_CHARACTER");
  const char* latin1 =
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b\","
      "\"Resource\":\"arn:aws:s3:::caf\xc3\xa9\"}}";
  EXPECT_TRUE(ErrorOf(latin1).ok());
}

TEST(ParseTest, ValidatePolicyCollectsEveryError) {
  auto errors = ValidatePolicy(R"({"Statement":[{"Effect":"allow","Action":"ecr:","Resource":"*"},
      {"Effect":"Allow","Foo":1,"Action":"a:b"}]})",
                               Kind(PolicyKind::kIdentity));
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].code(), "INVALID_EFFECT");
  EXPECT_EQ(errors[1].code(), "INVALID_ACTION");
  EXPECT_EQ(errors[2].code(), "INVALID_POLICY_ELEMENT");
  EXPECT_EQ(errors[3].code(), "MISSING_RESOURCE");
}

TEST(ParseTest, BadInputNeverCrashes) {
  const char* inputs[] = {"",
                          "null",
                          "\"x\"",
                          "{",
                          "{\"Statement\":null}",
                          "{\"Statement\":[null,1,\"x\",[]]}",
                          "\xff\xfe",
                          "{\"Version\":{}}"};
  for (const char* in : inputs) {
    auto r = ParsePolicy(in, Kind(PolicyKind::kIdentity));
    EXPECT_FALSE(r.has_value()) << in;
  }
  std::string ten_mb = "{\"Statement\":[";
  while (ten_mb.size() < 10u << 20)
    ten_mb += R"({"Effect":"Allow","Action":"a:b","Resource":"*"},)";
  ten_mb += R"({"Effect":"Allow","Action":"a:b","Resource":"*"}]})";
  EXPECT_EQ(ErrorOf(ten_mb).code(), "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA");
}

}  // namespace
}  // namespace policy_engine::parse
