// JSON text -> model::Policy, with every rule of docs/policy-semantics.md §1–§4 that can be
// checked without a request: element names and types per policy kind (R1–R31), value grammars
// (actions R35, principals R52–R53, condition operators R28–R30, typed condition values R78–R91,
// policy variables R97–R99) and size limits (R32–R34).
//
// Every error is a Status with a stable code (the Access Analyzer finding code where one exists,
// docs/policy-semantics.md §9.2), a one-line message and a location (JSON pointer; byte offset,
// line and column in the source text). ParsePolicy stops at the first error; ValidatePolicy keeps
// going and returns every error it can find (the linter uses it).
//
// Thread safety: reentrant; no shared state. Nothing here throws.
#pragma once

#include <string_view>
#include <vector>

#include "policy_engine/common/status.h"
#include "policy_engine/json/json.h"
#include "policy_engine/model/policy.h"

namespace policy_engine::parse {

struct PolicyParseOptions {
  model::PolicyKind kind = model::PolicyKind::kIdentity;
  // Apply the kind's size limit (R32). Off for AWS managed policies, which IAM exempts from the
  // customer-managed quota.
  bool enforce_size_limit = true;
  // R96 `--aws-compat`: accept empty condition value arrays.
  bool aws_compat = false;
};

// Parses one policy document.
Result<model::Policy> ParsePolicy(std::string_view text, const PolicyParseOptions& options);

// Parses a policy embedded in a larger JSON document (a case or store file). `node` must belong
// to the tree parsed from `source`; `pointer_prefix` is the pointer of `node` in that document, so
// that error locations point into `source`.
Result<model::Policy> ParsePolicyNode(const json::Node& node, std::string_view source,
                                      std::string_view pointer_prefix,
                                      const PolicyParseOptions& options);

// Like ParsePolicy but collects every error instead of stopping at the first. Empty = valid.
std::vector<Status> ValidatePolicy(std::string_view text, const PolicyParseOptions& options);

// R32/R33 size measures of a policy's source text.
struct PolicySize {
  size_t characters = 0;          // every code point (ECR, SCP, RCP count this)
  size_t without_whitespace = 0;  // JSON whitespace outside strings removed (IAM counts this)
};
PolicySize MeasurePolicy(std::string_view text);

// Limit for a kind: {limit, counts_whitespace}.
struct SizeLimit {
  size_t limit;
  bool counts_whitespace;
};
SizeLimit SizeLimitFor(model::PolicyKind kind);

}  // namespace policy_engine::parse
