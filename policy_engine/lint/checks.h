// Internal to policy_engine/lint: the check table and what a check sees.
//
// A check is one row {code, severity, rule, title, function}. The function reads the LintContext
// (source text, options, PolicyView, the parser's findings) and reports through a Reporter bound
// to its row, so a check cannot emit another check's code. lint.cc runs every row in order.
//
// Thread safety: the table is immutable; a Reporter belongs to one LintPolicy call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/json/json.h"
#include "policy_engine/lint/lint.h"
#include "policy_engine/lint/policy_view.h"

namespace policy_engine::lint {

struct LintContext {
  std::string_view text;
  const LintOptions& options;
  const PolicyView& policy;
  const std::vector<Finding>& parser_findings;

  bool IsKind(model::PolicyKind k) const { return options.kind == k; }
  bool IsEcrResourceKind() const {
    return IsKind(model::PolicyKind::kRepository) || IsKind(model::PolicyKind::kRegistry);
  }
  bool IsIamStoredKind() const {
    return IsKind(model::PolicyKind::kIdentity) ||
           IsKind(model::PolicyKind::kPermissionsBoundary) || IsKind(model::PolicyKind::kSession);
  }
  // True iff the parser reported some error at exactly `pointer`.
  bool ParserReportedAt(std::string_view pointer) const;
};

// Collects the findings of one check. Locations are byte spans of the source; lint.cc turns them
// into lines and columns.
class Reporter {
 public:
  Reporter(const CheckInfo& check, std::vector<Finding>& out) : check_(check), out_(out) {}

  // A finding on a value (its whole span).
  void At(const json::Node& node, std::string pointer, std::string message, std::string hint = {}) {
    Emit(check_.severity, node.begin, node.end, std::move(pointer), std::move(message),
         std::move(hint));
  }
  // A finding on a byte span [begin, end).
  void Span(uint32_t begin, uint32_t end, std::string pointer, std::string message,
            std::string hint = {});
  // A finding on a member name (the quoted name).
  void AtName(const json::Member& member, std::string_view text, std::string pointer,
              std::string message, std::string hint = {});
  // Same with an explicit severity (R95 and R183 vary it per finding).
  void Emit(Severity severity, uint32_t begin, uint32_t end, std::string pointer,
            std::string message, std::string hint);
  // Declares that this finding replaces the parser's `code` at `pointer` (e.g. the SCP-specific
  // SCP_SYNTAX_ERROR_PRINCIPAL replaces the generic UNSUPPORTED_PRINCIPAL).
  void Supersede(std::string code, std::string pointer);

  const std::vector<std::pair<std::string, std::string>>& superseded() const { return superseded_; }

 private:
  const CheckInfo& check_;
  std::vector<Finding>& out_;
  std::vector<std::pair<std::string, std::string>> superseded_;
};

using CheckFn = void (*)(const LintContext&, Reporter&);

struct CheckRow {
  CheckInfo info;
  CheckFn fn;
};

// ECR_POLICY_LOCKOUT (lockout.cc): simulated with the reference evaluator.
void CheckEcrPolicyLockout(const LintContext& c, Reporter& r);

// Semantic and coverage checks (semantic.cc).
void CheckRedundantResource(const LintContext& c, Reporter& r);
void CheckAllowNotActionOnAllResources(const LintContext& c, Reporter& r);
void CheckNonLatin1(const LintContext& c, Reporter& r);
void CheckConditionNeverTrue(const LintContext& c, Reporter& r);
void CheckConditionAlwaysTrue(const LintContext& c, Reporter& r);
void CheckAllowAlwaysOverridden(const LintContext& c, Reporter& r);
void CheckRedundantStatement(const LintContext& c, Reporter& r);

// The check table (checks.cc).
const std::vector<CheckRow>& CheckTable();

// Byte offset one past the closing quote of the JSON string starting at `offset` (a member name).
uint32_t EndOfQuotedString(std::string_view text, uint32_t offset);

// "`text`", shortened to 80 characters.
std::string Quote(std::string_view text);

}  // namespace policy_engine::lint
