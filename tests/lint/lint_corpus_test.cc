// Golden tests of the linter on the corpus (docs/lint.md §Corpus):
//  * every lint fixture whose source states a finding that maps to one of our codes reports it
//    (tests/lint/lint-fixture-expectations.json; every other fixture is listed there with why it
//    cannot be checked);
//  * the 1,594 AWS managed policies, linted as identity policies, and the 134 real ECR policies,
//    linted as their manifest kinds, report exactly the ERRORs of corpus/policies/
//    expected-errors.json plus those of tests/lint/corpus-lint-errors.json (each with a reason);
//  * nothing in the corpus makes the linter fail, whatever kind it is linted as.
// Data comes from corpus/ and tests/lint/ only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "policy_engine/json/json.h"
#include "policy_engine/lint/lint.h"

namespace {

namespace fs = std::filesystem;
namespace lint = policy_engine::lint;
using policy_engine::json::Node;
using policy_engine::model::PolicyKind;

const fs::path kRoot(PE_SOURCE_DIR);
const fs::path kPolicies = kRoot / "corpus" / "policies";
const fs::path kFixtures = kRoot / "corpus" / "lint-fixtures";
const fs::path kTestData = kRoot / "tests" / "lint";

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

std::string Text(const Node* n) { return n != nullptr && n->is_string() ? n->text : ""; }

using ErrorSet = std::set<std::pair<std::string, std::string>>;  // (code, pointer)

std::string Show(const ErrorSet& s) {
  std::string out;
  for (const auto& [code, ptr] : s) out += "  " + code + " at `" + ptr + "`\n";
  return out.empty() ? "  (none)\n" : out;
}

// File (relative to corpus/policies) -> the ERRORs the linter must report.
std::map<std::string, ErrorSet> ExpectedErrors(std::string_view folder) {
  std::map<std::string, ErrorSet> out;
  Node listed = ReadJson(kPolicies / "expected-errors.json");
  if (const Node* errors = listed.Find("expectedErrors")) {
    for (const auto& m : errors->members) {
      if (!m.name.starts_with(std::string(folder) + "/")) continue;
      out[m.name].insert({Text(m.value.Find("code")), Text(m.value.Find("pointer"))});
    }
  }
  Node extra = ReadJson(kTestData / "corpus-lint-errors.json");
  if (const Node* files = extra.Find(folder)) {
    for (const auto& m : files->members) {
      for (const Node& e : m.value.items) {
        EXPECT_FALSE(Text(e.Find("reason")).empty()) << m.name;
        out[m.name].insert({Text(e.Find("code")), Text(e.Find("pointer"))});
      }
    }
  }
  return out;
}

ErrorSet Errors(const std::vector<lint::Finding>& findings) {
  ErrorSet out;
  for (const lint::Finding& f : findings) {
    EXPECT_NE(f.code, "LINT_INTERNAL_ERROR") << f.message;
    if (f.severity == lint::Severity::kError) out.insert({f.code, f.location.pointer});
  }
  return out;
}

TEST(LintCorpusTest, AwsManagedPoliciesHaveNoUnlistedErrors) {
  auto expected = ExpectedErrors("aws-managed");
  lint::LintOptions options;
  options.kind = PolicyKind::kIdentity;
  options.enforce_size_limit = false;  // AWS managed policies are exempt from the quota (R32)
  int files = 0, with_errors = 0;
  std::map<std::string, int> by_severity, by_code;
  for (const auto& entry : fs::directory_iterator(kPolicies / "aws-managed")) {
    ++files;
    std::string rel = "aws-managed/" + entry.path().filename().string();
    auto findings = lint::LintPolicy(ReadFile(entry.path()), options);
    for (const auto& f : findings) {
      ++by_severity[std::string(lint::SeverityName(f.severity))];
      ++by_code[f.code + "(" + std::string(lint::SeverityName(f.severity)) + ")"];
    }
    ErrorSet got = Errors(findings);
    with_errors += got.empty() ? 0 : 1;
    EXPECT_EQ(got, expected[rel]) << rel << "\nreported:\n"
                                  << Show(got) << "listed:\n"
                                  << Show(expected[rel]);
  }
  EXPECT_EQ(files, 1594);
  std::cout << "aws-managed: " << files << " policies, " << with_errors << " with ERRORs;";
  for (const auto& [sev, n] : by_severity) std::cout << " " << sev << "=" << n;
  std::cout << "\n";
  // The per-code counts docs/lint.md §Corpus quotes.
  for (const auto& [code, n] : by_code) std::cout << "  " << code << " " << n << "\n";
}

TEST(LintCorpusTest, RealEcrPoliciesReportExactlyTheListedErrors) {
  auto expected = ExpectedErrors("ecr-real");
  Node manifest = ReadJson(kPolicies / "ecr-real-manifest.json");
  Node listing = ReadJson(kPolicies / "expected-errors.json");
  const Node* kinds = listing.Find("kindsFromManifest");
  ASSERT_NE(kinds, nullptr);
  int files = 0, listed = 0;
  std::set<std::string> seen;
  for (const Node& f : manifest.Find("files")->items) {
    std::string rel = Text(f.Find("file"));
    const Node* kind_name = kinds->Find(Text(f.Find("kind")));
    ASSERT_NE(kind_name, nullptr) << rel;
    auto kind = policy_engine::model::PolicyKindFromName(kind_name->text);
    ASSERT_TRUE(kind.has_value()) << kind_name->text;
    lint::LintOptions options;
    options.kind = *kind;
    ErrorSet got = Errors(lint::LintPolicy(ReadFile(kPolicies / rel), options));
    EXPECT_EQ(got, expected[rel]) << rel << " (" << kind_name->text << ")\nreported:\n"
                                  << Show(got) << "listed:\n"
                                  << Show(expected[rel]);
    ++files;
    listed += got.empty() ? 0 : 1;
    seen.insert(rel);
  }
  EXPECT_EQ(files, 134);
  for (const auto& [rel, errors] : expected) {
    EXPECT_TRUE(seen.count(rel)) << "listed but unknown " << rel;
  }
  std::cout << "ecr-real: " << files << " policies, " << listed << " with their listed ERRORs\n";
}

TEST(LintCorpusTest, LintFixturesReportTheirMappedFindings) {
  Node manifest = ReadJson(kFixtures / "lint-fixtures-manifest.json");
  Node expectations = ReadJson(kTestData / "lint-fixture-expectations.json");
  const Node* checked = expectations.Find("checked");
  const Node* unchecked = expectations.Find("unchecked");
  ASSERT_NE(checked, nullptr);
  ASSERT_NE(unchecked, nullptr);
  std::set<std::string> in_manifest;
  for (const Node& f : manifest.Find("files")->items) {
    std::string name = fs::path(Text(f.Find("file"))).filename().string();
    in_manifest.insert(name);
    bool is_checked = checked->Find(name) != nullptr;
    bool is_unchecked = unchecked->Find(name) != nullptr;
    EXPECT_TRUE(is_checked != is_unchecked)
        << name << " must be listed exactly once, under `checked` or `unchecked`";
    if (is_unchecked) {
      EXPECT_FALSE(Text(unchecked->Find(name)).empty()) << name;
    }
  }
  EXPECT_EQ(in_manifest.size(), 227u);
  int asserted = 0;
  for (const auto& m : checked->members) {
    ASSERT_TRUE(in_manifest.count(m.name)) << m.name << " is not in the manifest";
    auto kind = policy_engine::model::PolicyKindFromName(Text(m.value.Find("kind")));
    ASSERT_TRUE(kind.has_value()) << m.name;
    lint::LintOptions options;
    options.kind = *kind;
    auto findings = lint::LintPolicy(ReadFile(kFixtures / m.name), options);
    std::set<std::string> codes;
    std::string all;
    for (const auto& f : findings) {
      codes.insert(f.code);
      all += "  " + f.code + " " + f.location.pointer + ": " + f.message + "\n";
    }
    for (const Node& c : m.value.Find("expect")->items) {
      EXPECT_TRUE(codes.count(c.text)) << m.name << " (" << Text(m.value.Find("from"))
                                       << ") should report " << c.text << "; reported:\n"
                                       << all;
    }
    for (const Node& c : m.value.Find("absent")->items) {
      EXPECT_FALSE(codes.count(c.text))
          << m.name << " (" << Text(m.value.Find("from")) << ") should not report " << c.text;
    }
    ++asserted;
  }
  std::cout << "lint-fixtures: " << asserted << " checked, " << unchecked->members.size()
            << " unchecked (reasons in tests/lint/lint-fixture-expectations.json)\n";
}

TEST(LintCorpusTest, EveryCorpusDocumentLintsAsEveryKindWithoutFailing) {
  std::vector<fs::path> paths;
  for (const auto& dir : {kPolicies / "ecr-real", kFixtures}) {
    for (const auto& entry : fs::directory_iterator(dir)) paths.push_back(entry.path());
  }
  for (const fs::path& p : paths) {
    std::string text = ReadFile(p);
    for (PolicyKind k : {PolicyKind::kIdentity, PolicyKind::kPermissionsBoundary,
                         PolicyKind::kSession, PolicyKind::kScp, PolicyKind::kRcp,
                         PolicyKind::kRepository, PolicyKind::kRegistry, PolicyKind::kResource}) {
      lint::LintOptions options;
      options.kind = k;
      for (const auto& f : lint::LintPolicy(text, options)) {
        ASSERT_NE(f.code, "LINT_INTERNAL_ERROR") << p << ": " << f.message;
        ASSERT_GE(f.location.line, 1u) << p << " " << f.code;
        ASSERT_LE(f.location.offset.value_or(0), text.size()) << p << " " << f.code;
        ASSERT_LE(f.end_offset.value_or(0), text.size()) << p << " " << f.code;
      }
    }
  }
}

TEST(LintDocsTest, EveryCodeIsDocumented) {
  std::string doc = ReadFile(kRoot / "docs" / "lint.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& c : lint::Checks()) {
    EXPECT_NE(doc.find("| `" + std::string(c.code) + "` |"), std::string::npos)
        << c.code << " has no row in the check table of docs/lint.md";
  }
  for (const auto& c : lint::ParserCodes()) {
    EXPECT_NE(doc.find("`" + std::string(c.code) + "`"), std::string::npos) << c.code;
  }
}

}  // namespace
