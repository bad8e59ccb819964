// Shared by the linter's unit tests (lint_test.cc, reference_checks_test.cc): the Lint shortcut,
// policy builders and the positive/negative case of one check.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/lint/lint.h"

namespace policy_engine::lint::testing_support {

using model::PolicyKind;

inline std::vector<Finding> Lint(std::string_view text, PolicyKind kind = PolicyKind::kIdentity,
                                 LintOptions options = {}) {
  options.kind = kind;
  return LintPolicy(text, options);
}

// Copies, so that `WithCode(Lint(...), code)` does not dangle.
inline std::vector<Finding> WithCode(const std::vector<Finding>& findings, std::string_view code) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (f.code == code) out.push_back(f);
  }
  return out;
}

inline std::string Codes(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += f.code + "(" + std::string(SeverityName(f.severity)) + ") " + f.location.pointer + ": " +
           f.message + "\n";
  }
  return out.empty() ? "(none)" : out;
}

// An identity policy with one Allow statement made of `body` (JSON members).
inline std::string Identity(std::string_view body, std::string_view version = "2012-10-17") {
  return "{\"Version\": \"" + std::string(version) +
         "\", \"Statement\": [{\"Effect\": \"Allow\", " + std::string(body) + "}]}";
}
// A statement with Action s3:GetObject on "*" and the given condition block.
inline std::string WithCondition(std::string_view condition) {
  return Identity("\"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Condition\": " +
                  std::string(condition));
}
// A repository policy with one statement made of `body`.
inline std::string Repository(std::string_view body, std::string_view version = "2012-10-17") {
  return "{\"Version\": \"" + std::string(version) + "\", \"Statement\": [{" + std::string(body) +
         "}]}";
}
inline std::string Scp(std::string_view statement) {
  return "{\"Version\": \"2012-10-17\", \"Statement\": [" + std::string(statement) + "]}";
}

// ---------------------------------------------------------------------------------------------
// One case per check
// ---------------------------------------------------------------------------------------------

struct CheckCase {
  std::string code;
  PolicyKind kind = PolicyKind::kIdentity;
  std::string positive;  // reports `code`
  std::string negative;  // does not
  LintOptions options;
  Severity severity = Severity::kError;  // expected severity of the positive finding
};

inline void PrintTo(const CheckCase& c, std::ostream* os) { *os << c.code; }

// The cases of the checks in arn_checks.cc and key_checks.cc (reference_checks_test.cc).
std::vector<CheckCase> ReferenceCheckCases();
// The cases of the checks in value_checks.cc and MISSING_ACTION_FOR_CONDITION_KEY
// (value_checks_test.cc).
std::vector<CheckCase> ValueCheckCases();

}  // namespace policy_engine::lint::testing_support
