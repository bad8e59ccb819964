// Scope grammar (valid forms, host prefixes, odd characters) and the registry → ECR action table.
#include "registry_frontend/token/scope.h"

#include <gtest/gtest.h>

namespace registry_frontend::token {
namespace {

TEST(Scope, ParsesRepositoryScopes) {
  auto s = ParseScope("repository:demo/app:pull,push");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "repository");
  EXPECT_EQ(s->resource_class, "");
  EXPECT_EQ(s->name, "demo/app");
  EXPECT_EQ(s->actions, (std::vector<std::string>{"pull", "push"}));

  s = ParseScope("repository:demo/app:*");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->actions, (std::vector<std::string>{"*"}));

  s = ParseScope("registry:catalog:*");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "registry");
  EXPECT_EQ(s->name, "catalog");

  s = ParseScope("repository(plugin):demo/app:pull");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "repository");
  EXPECT_EQ(s->resource_class, "plugin");

  s = ParseScope("repository:a__b/c--d.e_f/0:pull,pull,,push,pull");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "a__b/c--d.e_f/0");
  EXPECT_EQ(s->actions, (std::vector<std::string>{"pull", "push"}));  // deduplicated
}

TEST(Scope, NameRunsToTheLastColon) {
  auto s = ParseScope("repository:host:5000/name:pull");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "host:5000/name");
  EXPECT_EQ(s->actions, (std::vector<std::string>{"pull"}));

  s = ParseScope("repository:registry.example.com/team/app:push");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "registry.example.com/team/app");

  s = ParseScope("repository:Some-Host.local:443/x:pull");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "Some-Host.local:443/x");
}

TEST(Scope, RejectsOddCharactersAndBrokenGrammar) {
  const char* bad[] = {
      "repository:Demo:pull",             // upper case outside a hostname
      "repository:demo/App:pull",         // upper case in a path component
      "repository:demo/../x:pull",        // dot segments
      "repository:demo//app:pull",        // empty component
      "repository:/demo:pull",            // leading slash
      "repository:demo/:pull",            // trailing slash
      "repository:demo%2Fapp:pull",       // an escape that was not decoded
      "repository:demo/app\n:pull",       // control character
      "repository:de\x01mo:pull",         // control character
      "repository:d\xc3\xa9mo:pull",      // non-ASCII
      "repository:-demo:pull",            // separator first
      "repository:demo_:pull",            // separator last
      "repository:demo___x:pull",         // three underscores
      "repository:demo/app:PULL",         // action case
      "repository:demo/app:pull;rm",      // action characters
      "repository:demo/app:pu*ll",        // `*` only alone
      "repository:demo/app:",             // no action
      "repository:demo/app:,",            // no action
      "repository::pull",                 // empty name
      "repository:demo/app",              // one colon
      "repository",                       // no colon
      ":demo/app:pull",                   // empty type
      "Repository:demo/app:pull",         // type case
      "repo-sitory:demo/app:pull",        // type characters
      "repository(:demo/app:pull",        // broken class
      "repository():demo/app:pull",       // empty class
      "repository(a)b:demo/app:pull",     // text after the class
      "repository:host:99999999/x:pull",  // port too long
      "repository:host:/x:pull",          // empty port
      "repository:host:5000:pull",        // a port without a path
      "repository:a:b:c:pull",            // colons in the middle
      "repository:-host/x:pull",          // bad hostname
      "repository:demo/app:pull ",        // a space belongs to the list, not to a scope
  };
  for (const char* text : bad) EXPECT_FALSE(ParseScope(text)) << text;
  std::string nul("repository:demo\0app:pull", 24);
  EXPECT_FALSE(ParseScope(nul));
  EXPECT_FALSE(ParseScope("repository:" + std::string(256, 'a') + ":pull"));
  EXPECT_TRUE(ParseScope("repository:" + std::string(255, 'a') + ":pull"));
}

TEST(Scope, ParseScopesSplitsMergesAndCaps) {
  auto scopes =
      ParseScopes({"repository:demo/app:pull repository:demo/x:push", "repository:demo/app:push",
                   "repository:Bad:pull", "  ", "registry:catalog:*"});
  ASSERT_EQ(scopes.size(), 3u);
  EXPECT_EQ(scopes[0].name, "demo/app");
  EXPECT_EQ(scopes[0].actions, (std::vector<std::string>{"pull", "push"}));
  EXPECT_EQ(scopes[1].name, "demo/x");
  EXPECT_EQ(scopes[2].type, "registry");

  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("repository:r" + std::to_string(i) + ":pull");
  EXPECT_EQ(ParseScopes(many).size(), kMaxScopes);
}

TEST(Scope, RegistryActionsMapToEcrActions) {
  using V = std::vector<std::string>;
  EXPECT_EQ(EcrActionsFor("pull"), (V{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                      "ecr:BatchCheckLayerAvailability"}));
  EXPECT_EQ(EcrActionsFor("push"),
            (V{"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
               "ecr:PutImage", "ecr:BatchCheckLayerAvailability"}));
  EXPECT_EQ(EcrActionsFor("delete"), (V{"ecr:BatchDeleteImage"}));
  V all = EcrActionsFor("*");
  for (const char* a : {"pull", "push", "delete"}) {
    for (const auto& ecr : EcrActionsFor(a)) {
      EXPECT_NE(std::find(all.begin(), all.end(), ecr), all.end()) << ecr;
    }
  }
  EXPECT_EQ(all.size(), 8u);
  EXPECT_TRUE(EcrActionsFor("catalog").empty());
  EXPECT_TRUE(EcrActionsFor("PULL").empty());
  EXPECT_TRUE(EcrActionsFor("").empty());
}

}  // namespace
}  // namespace registry_frontend::token
