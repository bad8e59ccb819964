// Unit tests of the ECR lifecycle policy checks (lifecycle.cc, R168–R174, R195): one positive
// and one negative case per code, then locations, bad input and the catalogue.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "policy_engine/lint/lint_test_support.h"

namespace policy_engine::lint::testing_support {
namespace {

// A policy of the given rules; every rule has a description, so the text passes 100 characters.
std::string Rules(std::string_view rules) { return R"({"rules": [)" + std::string(rules) + "]}"; }
std::string Rule(int priority, std::string_view selection,
                 std::string_view action = R"({"type": "expire"})") {
  return R"({"rulePriority": )" + std::to_string(priority) +
         R"(, "description": "keep the registry tidy", "selection": )" + std::string(selection) +
         R"(, "action": )" + std::string(action) + "}";
}
const std::string kUntagged =
    R"({"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
        "countNumber": 14})";
const std::string kTagged =
    R"({"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan",
        "countNumber": 10})";
const std::string kAny =
    R"({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100})";

std::vector<Finding> LintLc(std::string_view text) { return LintLifecyclePolicy(text); }

struct LifecycleCase {
  std::string code, positive, negative;
};

std::vector<LifecycleCase> Cases() {
  const std::string ok = Rules(Rule(1, kUntagged));
  return {
      {"ECR_LIFECYCLE_INVALID_ELEMENT",
       Rules(Rule(1, R"({"tagStatus": "Untagged", "countType": "sinceImagePushed",
                         "countUnit": "days", "countNumber": 14})")),
       ok},
      {"ECR_LIFECYCLE_TEXT_LENGTH", R"({"rules": [{"rulePriority": 1}]})", ok},
      {"ECR_LIFECYCLE_DUPLICATE_PRIORITY", Rules(Rule(1, kUntagged) + ", " + Rule(1, kTagged)),
       Rules(Rule(1, kUntagged) + ", " + Rule(2, kTagged))},
      {"ECR_LIFECYCLE_PREFIX_AND_PATTERN",
       Rules(Rule(1, R"({"tagStatus": "tagged", "tagPrefixList": ["v"], "tagPatternList": ["v*"],
                         "countType": "imageCountMoreThan", "countNumber": 3})")),
       Rules(Rule(1, R"({"tagStatus": "tagged", "tagPatternList": ["v*"],
                         "countType": "imageCountMoreThan", "countNumber": 3})"))},
      {"ECR_LIFECYCLE_MULTIPLE_UNTAGGED", Rules(Rule(1, kUntagged) + ", " + Rule(2, kUntagged)),
       Rules(Rule(1, kUntagged) + ", " + Rule(2, kTagged))},
      {"ECR_LIFECYCLE_ANY_NOT_LAST", Rules(Rule(1, kAny) + ", " + Rule(2, kUntagged)),
       Rules(Rule(1, kUntagged) + ", " + Rule(2, kAny))},
      {"ECR_LIFECYCLE_TOO_MANY_WILDCARDS",
       Rules(Rule(1, R"({"tagStatus": "tagged", "tagPatternList": ["test*1*2*3*4*5*6"],
                         "countType": "imageCountMoreThan", "countNumber": 3})")),
       Rules(Rule(1, R"({"tagStatus": "tagged", "tagPatternList": ["test*1*2*3*"],
                         "countType": "imageCountMoreThan", "countNumber": 3})"))},
      {"ECR_LIFECYCLE_DUPLICATE_PREFIX_SET", Rules(Rule(1, kTagged) + ", " + Rule(2, kTagged)),
       Rules(Rule(1, kTagged) + ", " + Rule(2, R"({"tagStatus": "tagged", "tagPrefixList": ["dev"],
                         "countType": "imageCountMoreThan", "countNumber": 5})"))},
      {"ECR_LIFECYCLE_COUNTUNIT_MISMATCH",
       Rules(Rule(1, R"({"tagStatus": "any", "countType": "imageCountMoreThan",
                         "countUnit": "days", "countNumber": 5})")),
       Rules(Rule(1, kAny))},
      {"ECR_LIFECYCLE_BAD_COUNTNUMBER",
       Rules(Rule(1, R"({"tagStatus": "any", "countType": "imageCountMoreThan",
                         "countNumber": 0})")),
       Rules(Rule(1, kAny))},
      {"ECR_LIFECYCLE_TRANSITION_TARGET", Rules(Rule(1, kUntagged, R"({"type": "transition"})")),
       Rules(Rule(1, kUntagged, R"({"type": "transition", "targetStorageClass": "archive"})"))},
  };
}

TEST(LintLifecycleTest, EveryCodeHasAPositiveAndANegativeCase) {
  std::set<std::string> covered;
  for (const LifecycleCase& c : Cases()) {
    covered.insert(c.code);
    auto pos = LintLc(c.positive);
    auto hits = WithCode(pos, c.code);
    ASSERT_FALSE(hits.empty()) << c.code << "\n" << c.positive << "\n" << Codes(pos);
    EXPECT_EQ(hits[0].severity, Severity::kError);
    EXPECT_GT(hits[0].location.line, 0u);
    EXPECT_FALSE(hits[0].message.empty());
    auto neg = LintLc(c.negative);
    EXPECT_TRUE(neg.empty()) << c.code << " negative:\n" << c.negative << "\n" << Codes(neg);
  }
  for (const CheckInfo& info : LifecycleCodes()) {
    EXPECT_TRUE(covered.count(std::string(info.code))) << "no case for " << info.code;
    EXPECT_EQ(FindCheck(info.code), FindCheck(info.code));
    ASSERT_NE(FindCheck(info.code), nullptr) << info.code;
  }
}

TEST(LintLifecycleTest, FindingsPointAtTheValue) {
  std::string text = Rules(Rule(1, kUntagged) + ", " + Rule(1, kTagged));
  auto hits = WithCode(LintLc(text), "ECR_LIFECYCLE_DUPLICATE_PRIORITY");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].location.pointer, "/rules/1/rulePriority");
  EXPECT_EQ(text.substr(*hits[0].location.offset, 1), "1");
  // Every violation is reported, not just the first.
  auto many = LintLc(Rules(Rule(1, kAny) + ", " + Rule(1, kUntagged) + ", " + Rule(2, kUntagged)));
  EXPECT_FALSE(WithCode(many, "ECR_LIFECYCLE_DUPLICATE_PRIORITY").empty()) << Codes(many);
  EXPECT_FALSE(WithCode(many, "ECR_LIFECYCLE_MULTIPLE_UNTAGGED").empty()) << Codes(many);
  EXPECT_FALSE(WithCode(many, "ECR_LIFECYCLE_ANY_NOT_LAST").empty()) << Codes(many);
}

TEST(LintLifecycleTest, BadInputIsOneErrorAndNeverThrows) {
  for (std::string_view bad : {"", "{", "[1, 2]", "null", "{\"rules\": []}"}) {
    auto f = LintLc(bad);
    ASSERT_FALSE(f.empty()) << bad;
    EXPECT_EQ(f[0].severity, Severity::kError) << bad;
  }
  auto unknown = LintLc(Rules(Rule(1, kUntagged)).insert(1, R"("extra": 1, )"));
  EXPECT_EQ(WithCode(unknown, "ECR_LIFECYCLE_INVALID_ELEMENT").size(), 1u) << Codes(unknown);
  EXPECT_EQ(WithCode(unknown, "ECR_LIFECYCLE_INVALID_ELEMENT")[0].location.pointer, "/extra");
}

}  // namespace
}  // namespace policy_engine::lint::testing_support
