// The policy linter: offline validation of one policy document at IAM Access Analyzer depth plus
// the ECR-specific checks of docs/policy-semantics.md §9 (R181–R196). Usage, every check and the
// output formats are documented in docs/lint.md.
//
// LintPolicy never stops at the first problem and never fails: every problem of the input —
// not JSON, binary, too large, not a policy, invalid elements (the parser's located errors, R182),
// risky or useless constructs — comes back as a Finding with a stable code, a severity, a
// one-line message, a location (JSON pointer, byte offsets, line and column of the start and end
// of the offending text) and a hint. Nothing here throws.
//
// Checks are table-driven: Checks() lists every check the linter runs (code, severity, rule,
// title); ParserCodes() lists the codes that come from the parser and the JSON reader.
//
// Thread safety: LintPolicy is reentrant. The embedded service reference is loaded once, on first
// use, behind a thread-safe static, and is immutable afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/common/status.h"
#include "policy_engine/model/policy.h"

namespace policy_engine::lint {

// The four Access Analyzer finding types (R181), most severe first.
enum class Severity : uint8_t {
  kError,            // ERROR: the policy is invalid or a part of it can never work
  kSecurityWarning,  // SECURITY_WARNING: grants more than intended
  kWarning,          // WARNING: not best practice, not a security risk
  kSuggestion,       // SUGGESTION: no effect on permissions; clean-up
};

std::string_view SeverityName(Severity severity);     // "ERROR", "SECURITY_WARNING", ...
std::string_view SeverityCliName(Severity severity);  // "error", "security-warning", ...
std::optional<Severity> SeverityFromName(std::string_view name);  // either spelling

// R183: `self-hosted` downgrades PRIVATE_IP_ADDRESS / PRIVATE_NOT_IP_ADDRESS to WARNING, because a
// self-hosted registry sees private client addresses in aws:SourceIp (R146).
enum class Profile : uint8_t { kAwsParity, kSelfHosted };
std::string_view ProfileName(Profile profile);  // "aws-parity", "self-hosted"
std::optional<Profile> ProfileFromName(std::string_view name);

struct Finding {
  std::string code;  // UPPER_SNAKE_CASE, stable (docs/lint.md lists them all)
  Severity severity = Severity::kError;
  std::string message;      // one line, lower case, user values in backticks
  SourceLocation location;  // start: JSON pointer, byte offset, 1-based line and column (bytes)
  // End of the span, one past its last byte (offset) / character (line, column); unset or 0 when
  // the finding has no span (e.g. unreadable input).
  std::optional<uint64_t> end_offset;
  uint32_t end_line = 0;
  uint32_t end_column = 0;
  std::string hint;  // how to fix it; may be empty
};

struct LintOptions {
  model::PolicyKind kind = model::PolicyKind::kIdentity;
  Profile profile = Profile::kAwsParity;
  std::vector<std::string> ignore;  // codes to drop from the result
  // The 12-digit account that owns the repository or registry (ECR_CROSS_ACCOUNT_WRITE, R187).
  // Empty: every account named in a principal is treated as external.
  std::string account;
  // Report the kind's size quota (R32–R34). Off for AWS managed policies, which IAM exempts.
  bool enforce_size_limit = true;
  // R96 `--aws-compat`: empty condition value arrays are accepted (with an EMPTY_ARRAY_CONDITION*
  // suggestion) instead of rejected.
  bool aws_compat = false;
  // R127/R189: the registry's policy scope is V1 (`REGISTRY_POLICY_SCOPE=V1`), so a registry
  // policy may only name ecr:ReplicateImage, ecr:BatchImportUpstreamImage and ecr:CreateRepository.
  // Off: scope V2, the current default, which accepts every ECR action.
  bool registry_scope_v1 = false;
  // Inputs larger than this are not parsed: one JSON_TOO_LARGE error. 1 MiB is ~100 times the
  // largest policy any AWS kind accepts.
  uint64_t max_input_bytes = 1u << 20;
};

// Lints one policy document. Findings are sorted by position (then code); duplicates (same code and
// pointer) are reported once.
std::vector<Finding> LintPolicy(std::string_view text, const LintOptions& options);

// Lints one ECR lifecycle policy (`PutLifecyclePolicy` text, R168–R174): every violation is an
// ERROR finding (R195). Uses `max_input_bytes` and `ignore` of `options`; never throws.
std::vector<Finding> LintLifecyclePolicy(std::string_view text, const LintOptions& options = {});

// Lints a policy store document (docs/store-format.md) as an inventory, across its policies:
// R192 `ECR_MISSING_AUTH_TOKEN` (WARNING) for each principal that may pull or push a repository
// of the store but is granted `ecr:GetAuthorizationToken` by no policy. A store that does not load
// is one finding with the store's located error. Uses `ignore` of `options`.
std::vector<Finding> LintInventory(std::string_view store_text, const LintOptions& options = {});

// One row of the check table.
struct CheckInfo {
  std::string_view code;
  Severity severity;       // default severity (some checks lower or raise it per finding)
  std::string_view rule;   // docs/policy-semantics.md rule(s), e.g. "R186"
  std::string_view title;  // one line
};

// Every check LintPolicy runs itself, in the order it runs them.
std::vector<CheckInfo> Checks();
// Codes that come from the JSON reader and the parser (always ERROR, R182).
std::vector<CheckInfo> ParserCodes();
// The codes LintLifecyclePolicy reports besides the JSON reader's (all ERROR).
std::vector<CheckInfo> LifecycleCodes();
// The codes LintInventory reports besides the store loader's.
std::vector<CheckInfo> InventoryCodes();
// The row of `code` in Checks(), ParserCodes(), LifecycleCodes() or InventoryCodes(); nullptr for
// an unknown code.
const CheckInfo* FindCheck(std::string_view code);

// 1-based column of byte `offset` on its line counted in Unicode code points (SARIF
// `columnKind: unicodeCodePoints`); Finding columns count bytes.
uint32_t CodePointColumn(std::string_view text, uint64_t offset);

}  // namespace policy_engine::lint
