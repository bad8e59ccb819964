// The policy AST: what policy_engine/parse produces from JSON and what the evaluators consume.
//
// Values are normalised (R21: scalars become one-element arrays) and pre-validated: condition
// operators are resolved to enums, policy strings are parsed into match::Template (policy variables
// of §4, escaped globs), and typed condition values (numbers, dates, IP ranges, booleans, base64)
// have been checked to parse. Every node keeps its JSON pointer so that explanations and lint
// findings can point at the source.
//
// Thread safety: plain immutable-after-construction values; share freely across threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/match/match.h"

namespace policy_engine::model {

// The kinds of policy documents (R24). Each kind allows different elements and has its own limit.
enum class PolicyKind : uint8_t {
  kIdentity,             // identity policy (inline or managed) of a user, group or role
  kPermissionsBoundary,  // a managed policy used as a boundary (PB)
  kSession,              // session policy passed at AssumeRole / GetFederationToken
  kScp,                  // Organizations service control policy
  kRcp,                  // Organizations resource control policy
  kRepository,           // ECR repository policy (no Resource element: R24, R25)
  kRegistry,             // ECR registry policy (Principal and Resource)
  kResource,             // other resource-based policy: VPC endpoint, KMS key, S3 bucket
};

std::string_view PolicyKindName(PolicyKind kind);  // "identity", "repository", ...
std::optional<PolicyKind> PolicyKindFromName(std::string_view name);
bool IsResourceBasedKind(PolicyKind kind);  // repository, registry, resource, rcp: carry Principal

enum class PolicyVersion : uint8_t {
  k2008_10_17,  // "2008-10-17": no policy variables (R10)
  k2012_10_17,  // "2012-10-17"
  kMissing,     // no Version element: evaluated as 2008-10-17 (R9)
};

enum class Effect : uint8_t {
  kAllow,  // "Allow"
  kDeny,   // "Deny"
};

// A policy string in a wildcard-capable position (Action, Resource, condition value) after R10:
// `raw` is the text as written, `tmpl` its parsed form.
struct PatternValue {
  std::string raw;
  match::Template tmpl;
};

// One entry of Principal / NotPrincipal (R52).
enum class PrincipalType : uint8_t {
  kAws,            // "AWS": account id, root ARN, user/role/session ARN, or "*"
  kService,        // "Service": e.g. codebuild.amazonaws.com
  kFederated,      // "Federated": trust policies only
  kCanonicalUser,  // "CanonicalUser": S3 only
};
struct PrincipalValue {
  PrincipalType type = PrincipalType::kAws;
  std::string value;  // as written
};
struct PrincipalElement {
  bool present = false;
  bool negated = false;   // NotPrincipal
  bool wildcard = false;  // `"*"` or {"AWS": "*"} (R52)
  std::vector<PrincipalValue> values;
  std::string pointer;
};

// Condition operators (§3.4–§3.10, R28).
enum class ConditionOperator : uint8_t {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};
inline constexpr int kConditionOperatorCount = 27;

std::string_view ConditionOperatorName(ConditionOperator op);
std::optional<ConditionOperator> ConditionOperatorFromName(std::string_view name);  // exact case
bool IsNegatedOperator(ConditionOperator op);  // the eight of R64
// The positive counterpart of a negated operator (StringNotEquals -> StringEquals); identity else.
ConditionOperator PositiveCounterpart(ConditionOperator op);
// Families decide how values are parsed and whether variables are allowed (R99).
enum class OperatorFamily : uint8_t { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };
OperatorFamily FamilyOf(ConditionOperator op);

enum class SetQualifier : uint8_t {
  kNone,          // plain operator
  kForAllValues,  // "ForAllValues:"
  kForAnyValue,   // "ForAnyValue:"
};

// One (operator, key) pair of a Condition block with its values (R64).
struct ConditionClause {
  SetQualifier qualifier = SetQualifier::kNone;
  ConditionOperator op = ConditionOperator::kStringEquals;
  bool if_exists = false;
  std::string operator_text;  // as written, e.g. "ForAnyValue:StringLikeIfExists"
  std::string key;            // as written
  std::string key_lower;      // ASCII lower case: key names are case-insensitive (R62)
  std::vector<PatternValue>
      values;           // condition values as text (R22); templates for String/Arn/Bool
  std::string pointer;  // JSON pointer of the key member
};

struct Statement {
  size_t index = 0;  // position in the Statement array (0 for a lone object)
  std::optional<std::string> sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;  // NotAction instead of Action
  std::vector<PatternValue> actions;
  // Resource / NotResource; `resource_present` false for repository policies (R25: synthesised).
  bool resource_present = false;
  bool not_resource = false;
  std::vector<PatternValue> resources;
  PrincipalElement principal;
  std::vector<ConditionClause> conditions;
  std::string pointer;  // "/Statement/3" or "/Statement"
};

struct Policy {
  PolicyKind kind = PolicyKind::kIdentity;
  PolicyVersion version = PolicyVersion::kMissing;
  std::optional<std::string> id;
  std::vector<Statement> statements;
  bool variables_enabled() const { return version == PolicyVersion::k2012_10_17; }
};

}  // namespace policy_engine::model
