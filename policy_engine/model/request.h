// The request model (R106): who asks, for what action, on which resource, in which context.
//
// Context keys are stored with the spelling the caller gave; lookups are case-insensitive (R62)
// and, when several keys differ only in letter case (possible for ECR tag keys, R63), prefer the
// exact spelling, else the lexicographically smallest key.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace policy_engine::model {

enum class PrincipalKind : uint8_t {
  kRoot,           // arn:aws:iam::ACCT:root
  kUser,           // arn:aws:iam::ACCT:user/path/name
  kRole,           // arn:aws:iam::ACCT:role/name (a role itself; requests come from sessions)
  kAssumedRole,    // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
  kFederatedUser,  // arn:aws:sts::ACCT:federated-user/NAME
  kService,        // codebuild.amazonaws.com
  kAnonymous,      // no credentials
};

std::string_view PrincipalKindName(PrincipalKind kind);

struct Principal {
  PrincipalKind kind = PrincipalKind::kAnonymous;
  std::string arn;        // the caller's ARN (session ARN for sessions); service name for kService
  std::string partition;  // "aws"
  std::string account;    // 12 digits; empty for service and anonymous
  std::string role_arn;   // sessions: arn:PART:iam::ACCT:role/ROLE (path unknown, R55)
  std::string role_name;  // sessions
  std::string session_name;     // sessions and federated users
  std::string parent_user_arn;  // federated users, when known (R115.1 role strength)
  std::string unique_id;        // AIDA…/AROA…, when known
};

// Parses a principal string of the oracle case format: an IAM/STS ARN, a service principal name
// (contains no `:` and ends in `.amazonaws.com` or similar DNS name) or "anonymous".
std::optional<Principal> ParsePrincipal(std::string_view text);

// R60: absent, single-valued or multi-valued. An empty multi-valued key behaves as absent.
struct ContextValue {
  bool multi = false;
  std::vector<std::string> values;  // exactly one value when !multi
};

class Context {
 public:
  void Set(std::string key, ContextValue value);
  void SetSingle(std::string key, std::string value) {
    Set(std::move(key), {false, {std::move(value)}});
  }
  // Adds the key only when no key with the same case-insensitive name exists.
  void SetDefault(std::string key, ContextValue value);
  // R62/R63 lookup; nullptr when absent. An empty multi-valued set is returned as is; callers
  // apply R60.
  const ContextValue* Find(std::string_view key) const;
  // Single value for policy variables (R100): nullopt when absent, multi-valued or empty.
  std::optional<std::string> SingleValue(std::string_view key) const;
  // All entries, by case-folded key then spelling.
  const std::map<std::string, std::map<std::string, ContextValue>>& entries() const {
    return entries_;
  }

 private:
  // lower-case key -> (spelling -> value)
  std::map<std::string, std::map<std::string, ContextValue>> entries_;
};

struct Request {
  Principal principal;
  std::string action;            // e.g. "ecr:BatchGetImage"
  std::string resource;          // ARN, or "*" for wildcard-only actions (R43)
  std::string resource_account;  // owner of the resource; "" = from the resource ARN
  Context context;
};

// Context keys that are multi-valued by definition (R61).
bool IsMultiValuedKey(std::string_view key);

}  // namespace policy_engine::model
