// Every policy of the corpus parses, or fails with exactly the error listed for it in
// corpus/policies/expected-errors.json (code and JSON pointer), with a reason for each.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "policy_engine/json/json.h"
#include "policy_engine/parse/parse.h"

namespace {

namespace fs = std::filesystem;
using policy_engine::json::Node;
using policy_engine::model::PolicyKind;

const fs::path kCorpus = fs::path(PE_SOURCE_DIR) / "corpus" / "policies";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Node ReadJson(const fs::path& path) {
  auto r = policy_engine::json::Parse(ReadFile(path));
  EXPECT_TRUE(r.has_value()) << path << ": " << r.error().ToString();
  return r.has_value() ? *r : Node{};
}

struct Expected {
  std::string code, pointer, reason;
};

std::map<std::string, Expected> ExpectedErrors() {
  std::map<std::string, Expected> out;
  Node doc = ReadJson(kCorpus / "expected-errors.json");
  const Node* errors = doc.Find("expectedErrors");
  if (errors == nullptr) return out;
  for (const auto& m : errors->members) {
    out[m.name] = {m.value.Find("code")->text, m.value.Find("pointer")->text,
                   m.value.Find("reason")->text};
  }
  return out;
}

struct Tally {
  int parsed = 0, listed_errors = 0;
};

// Parses one file; a listed file must fail with its listed error, any other must parse.
void Check(const std::string& rel, PolicyKind kind, bool enforce_size,
           const std::map<std::string, Expected>& expected, Tally& tally) {
  policy_engine::parse::PolicyParseOptions opt;
  opt.kind = kind;
  opt.enforce_size_limit = enforce_size;
  auto r = policy_engine::parse::ParsePolicy(ReadFile(kCorpus / rel), opt);
  auto it = expected.find(rel);
  if (it == expected.end()) {
    EXPECT_TRUE(r.has_value()) << rel << ": " << r.error().ToString();
    tally.parsed += r.has_value() ? 1 : 0;
    return;
  }
  ASSERT_FALSE(r.has_value()) << rel << " is listed with " << it->second.code << " but parses";
  EXPECT_EQ(r.error().code(), it->second.code) << rel << ": " << r.error().ToString();
  EXPECT_EQ(r.error().location().pointer, it->second.pointer) << rel;
  EXPECT_GT(r.error().location().line, 0u) << rel;
  EXPECT_FALSE(it->second.reason.empty()) << rel;
  ++tally.listed_errors;
}

TEST(PolicyCorpusTest, AllAwsManagedPoliciesParseAsIdentityPolicies) {
  auto expected = ExpectedErrors();
  Tally tally;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus / "aws-managed")) {
    ++files;
    // AWS managed policies are exempt from the customer-managed size quota (R32).
    Check("aws-managed/" + entry.path().filename().string(), PolicyKind::kIdentity, false, expected,
          tally);
  }
  EXPECT_EQ(files, 1594);
  EXPECT_EQ(tally.parsed + tally.listed_errors, 1594);
  std::cout << "aws-managed: " << tally.parsed << " parsed, " << tally.listed_errors
            << " with a listed error\n";
}

TEST(PolicyCorpusTest, AllRealEcrPoliciesParseOrCarryTheirListedError) {
  auto expected = ExpectedErrors();
  Node manifest = ReadJson(kCorpus / "ecr-real-manifest.json");
  Node listing = ReadJson(kCorpus / "expected-errors.json");
  const Node* kinds = listing.Find("kindsFromManifest");
  ASSERT_NE(kinds, nullptr);
  Tally tally;
  int files = 0;
  for (const Node& f : manifest.Find("files")->items) {
    const Node* kind_name = kinds->Find(f.Find("kind")->text);
    ASSERT_NE(kind_name, nullptr) << f.Find("file")->text;
    auto kind = policy_engine::model::PolicyKindFromName(kind_name->text);
    ASSERT_TRUE(kind.has_value()) << kind_name->text;
    ++files;
    Check(f.Find("file")->text, *kind, true, expected, tally);
  }
  EXPECT_EQ(files, 134);
  EXPECT_EQ(tally.parsed + tally.listed_errors, 134);
  std::cout << "ecr-real: " << tally.parsed << " parsed, " << tally.listed_errors
            << " with a listed error\n";
}

TEST(PolicyCorpusTest, EveryListedErrorNamesAnExistingFile) {
  for (const auto& [rel, e] : ExpectedErrors()) {
    EXPECT_TRUE(fs::exists(kCorpus / rel)) << rel;
  }
}

}  // namespace
