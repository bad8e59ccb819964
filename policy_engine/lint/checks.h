// Internal to policy_engine/lint: the check table and what a check sees.
//
// A check is one row {code, severity, rule, title, function}. The function reads the LintContext
// (source text, options, PolicyView, the parser's findings) and reports through a Reporter bound
// to its row, so a check cannot emit another check's code. lint.cc runs every row in order.
//
// Thread safety: the table is immutable; a Reporter belongs to one LintPolicy call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// Checks against the service reference's ARN formats and condition keys, and the IAM
// security checks of §9.2 (reference_checks.cc).
void ResetArnMemo();  // forget the ARN analyses of the previous document (LintPolicy calls it)
void CheckInvalidArnServiceCase(const LintContext& c, Reporter& r);
void CheckWildcardInArnService(const LintContext& c, Reporter& r);
void CheckInvalidPartition(const LintContext& c, Reporter& r);
void CheckInvalidArnRegion(const LintContext& c, Reporter& r);
void CheckMissingArnRegion(const LintContext& c, Reporter& r);
void CheckArnRegionNotAllowed(const LintContext& c, Reporter& r);
void CheckInvalidArnAccount(const LintContext& c, Reporter& r);
void CheckMissingArnAccount(const LintContext& c, Reporter& r);
void CheckArnAccountNotAllowed(const LintContext& c, Reporter& r);
void CheckInvalidArnResource(const LintContext& c, Reporter& r);
void CheckResourceArnNotMatchingAction(const LintContext& c, Reporter& r);
void CheckUnsupportedGlobalConditionKey(const LintContext& c, Reporter& r);
void CheckMissingTagKeyInCondition(const LintContext& c, Reporter& r);
void CheckInvalidGlobalConditionKey(const LintContext& c, Reporter& r);
void CheckInvalidServiceConditionKey(const LintContext& c, Reporter& r);
// kDeny/kAllow x Action/NotAction: the four *_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE codes.
template <model::Effect kEffect, bool kNotAction>
void CheckUnsupportedTagConditionKey(const LintContext& c, Reporter& r);
// PASS_ROLE_* (identity policies): how iam:PassRole is granted x how resources are named.
enum class PassRoleAction : uint8_t { kLiteral, kStar, kNotAction };
enum class PassRoleResource : uint8_t { kStar, kNotResource };
template <PassRoleAction kAction, PassRoleResource kResource>
void CheckPassRole(const LintContext& c, Reporter& r);
void CheckMissingPairedConditionKeys(const LintContext& c, Reporter& r);
void CheckRestrictAccessToServicePrincipal(const LintContext& c, Reporter& r);
void CheckEcrRegistryPolicyScopeV1(const LintContext& c, Reporter& r);

// Condition-value and service-principal checks (value_checks.cc).
void CheckInvalidRegion(const LintContext& c, Reporter& r);
void CheckInvalidVpcFormat(const LintContext& c, Reporter& r);
void CheckInvalidVpceFormat(const LintContext& c, Reporter& r);
void CheckRedundantConditionValueNum(const LintContext& c, Reporter& r);
void CheckUnsupportedConditionKeyForServicePrincipal(const LintContext& c, Reporter& r);

// ECR lifecycle policies (lifecycle.cc, R168–R174, R195): appends the findings for `root`.
void LintLifecycleDocument(const json::Node& root, std::string_view text,
                           std::vector<Finding>& findings);

// Helpers shared by the check files (checks.cc).
bool HasWildcard(std::string_view s);
bool IsAllow(const StatementView& st);
bool IsDeny(const StatementView& st);
// "service" and "name" of `service:name`; nullopt for "*" and malformed patterns.
std::optional<std::pair<std::string_view, std::string_view>> SplitAction(std::string_view a);
// Does the statement's Action/NotAction cover the concrete `action` (R36–R39)?
bool Grants(const StatementView& st, std::string_view action);
std::string JoinQuoted(const std::vector<std::string>& items, size_t max_items = 3);
// The six ARN fields split on the first five colons outside `${…}` (when `variables`); fewer
// when the ARN is short.
std::vector<std::string_view> ArnFields(std::string_view s, bool variables);
// Every `${…}` replaced by `*`.
std::string VariablesAsWildcards(std::string_view s);

// The check table (checks.cc).
const std::vector<CheckRow>& CheckTable();

// Byte offset one past the closing quote of the JSON string starting at `offset` (a member name).
uint32_t EndOfQuotedString(std::string_view text, uint32_t offset);

// "`text`", shortened to 80 characters.
std::string Quote(std::string_view text);

}  // namespace policy_engine::lint
