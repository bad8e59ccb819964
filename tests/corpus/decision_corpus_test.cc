// Runs the decision case files of corpus/decisions through `portcullis eval --cases`'s code path
// (driver::EvaluateCaseLine) and compares each outcome with the case's "expected" field:
// "Allow" | "ExplicitDeny" | "ImplicitDeny" | "error". Where a case records a documented
// divergence from the oracle ("divergence": "R<n>: …"), "expected" holds our (AWS) answer and the
// oracle's answer is in "oracle"; the test checks that every divergence cites a rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "policy_engine/driver/cases.h"
#include "policy_engine/json/json.h"

namespace {

namespace fs = std::filesystem;
using policy_engine::json::Node;

const fs::path kDecisions = fs::path(PE_SOURCE_DIR) / "corpus" / "decisions";

struct Summary {
  int cases = 0, passed = 0, divergences = 0;
};

Summary RunFile(const std::string& name, size_t minimum_cases) {
  Summary s;
  std::ifstream in(kDecisions / name);
  EXPECT_TRUE(in.good()) << name;
  std::string line;
  size_t line_number = 0;
  std::set<std::string> ids;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    auto doc = policy_engine::json::Parse(line);
    EXPECT_TRUE(doc.has_value()) << name << ":" << line_number;
    if (!doc.has_value()) continue;
    const Node* expected = doc->Find("expected");
    const Node* id = doc->Find("id");
    EXPECT_TRUE(expected && expected->is_string()) << name << ":" << line_number;
    EXPECT_TRUE(id != nullptr) << name << ":" << line_number;
    if (!expected || !id) continue;
    std::string id_text = policy_engine::json::Dump(*id);
    EXPECT_TRUE(ids.insert(id_text).second) << name << ": duplicate id " << id_text;
    const Node* rules = doc->Find("rules");
    EXPECT_TRUE(rules && rules->is_array() && !rules->items.empty())
        << name << " " << id_text << ": every case names the rule(s) it exercises";
    if (const Node* div = doc->Find("divergence")) {
      EXPECT_TRUE(div->is_string() && div->text.starts_with("R"))
          << name << " " << id_text << ": a divergence cites a rule";
      ++s.divergences;
    }
    ++s.cases;
    auto outcome = policy_engine::driver::EvaluateCaseLine(line, line_number);
    std::string got =
        outcome.result ? std::string(policy_engine::model::DecisionName(outcome.result->decision))
                       : "error";
    EXPECT_EQ(got, expected->text) << name << " " << id_text << ": "
                                   << (outcome.result ? outcome.result->reason : outcome.error);
    if (got == expected->text) ++s.passed;
  }
  EXPECT_GE(static_cast<size_t>(s.cases), minimum_cases) << name;
  std::cout << name << ": " << s.passed << "/" << s.cases << " as expected, " << s.divergences
            << " documented divergences from the oracle\n";
  return s;
}

TEST(DecisionCorpusTest, WorkedExamplesOfTheSemanticsDocument) { RunFile("worked.jsonl", 44); }

TEST(DecisionCorpusTest, OracleSmokeCases) { RunFile("smoke.jsonl", 87); }

TEST(DecisionCorpusTest, GeneratedOracleCases) { RunFile("generated.jsonl", 1000); }

TEST(DecisionCorpusTest, DemoCases) { RunFile("demo.jsonl", 5); }

}  // namespace
