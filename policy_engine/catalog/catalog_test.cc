#include "policy_engine/catalog/catalog.h"

#include <gtest/gtest.h>

namespace policy_engine::catalog {
namespace {

TEST(CatalogTest, KnowsAllSixtyEcrActions) {  // R131
  EXPECT_EQ(Actions().size(), 60u);
  EXPECT_EQ(ConditionKeys().size(), 5u);
}

TEST(CatalogTest, LooksUpActionsIgnoringCase) {  // R36
  const ActionInfo* a = FindAction("ECR:batchgetimage");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->full_name(), "ecr:BatchGetImage");
  EXPECT_EQ(a->access_level, "Read");
  EXPECT_FALSE(a->wildcard_only);
  EXPECT_EQ(FindAction("ecr:NoSuchAction"), nullptr);
  EXPECT_EQ(FindAction("BatchGetImage"), nullptr);
}

TEST(CatalogTest, MarksWildcardOnlyActions) {  // R50, R117, table §6.1
  EXPECT_TRUE(IsWildcardOnlyAction("ecr:GetAuthorizationToken"));
  EXPECT_TRUE(IsWildcardOnlyAction("ecr:DescribeRegistry"));
  EXPECT_TRUE(IsWildcardOnlyAction("ecr:PutRegistryPolicy"));
  EXPECT_FALSE(IsWildcardOnlyAction("ecr:PutImage"));
  EXPECT_FALSE(IsWildcardOnlyAction("ecr:DescribeRepositories"));
  EXPECT_FALSE(IsWildcardOnlyAction("s3:GetObject"));  // unknown: not claimed
  int wildcard_only = 0;
  for (const ActionInfo& a : Actions()) wildcard_only += a.wildcard_only ? 1 : 0;
  EXPECT_EQ(wildcard_only, 25);
}

TEST(CatalogTest, ListsActionConditionKeys) {  // §6.3
  const ActionInfo* a = FindAction("ecr:CreateRepository");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(std::find(a->condition_keys.begin(), a->condition_keys.end(), "aws:TagKeys"),
            a->condition_keys.end());
}

}  // namespace
}  // namespace policy_engine::catalog
