// Decisions and their explanations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/model/policy.h"

namespace policy_engine::model {

enum class Decision : uint8_t {
  kAllow,         // some applicable Allow and no applicable Deny, per R109–R121
  kExplicitDeny,  // an applicable Deny in any policy (R110)
  kImplicitDeny,  // nothing allowed (default deny)
};
std::string_view DecisionName(Decision decision);  // "Allow" | "ExplicitDeny" | "ImplicitDeny"

// Which set a policy belongs to in one evaluation (R107).
enum class PolicySetRole : uint8_t {
  kIdentity,  // ID
  kBoundary,  // PB
  kSession,   // SP
  kScp,       // SCP[level]
  kRcp,       // RCP[level]
  kResource,  // RP: repository or registry policy
  kEndpoint,  // VPCE
};
std::string_view PolicySetRoleName(PolicySetRole role);

// R124: how a resource-policy statement's principal element matched the caller.
enum class PrincipalStrength : uint8_t {
  kNone,     // not a resource policy, or not matched
  kDirect,   // user / session / federated-user ARN, service, or "*"
  kRole,     // role ARN matched by its session; parent user of a federated session
  kAccount,  // account id or root ARN
};
std::string_view PrincipalStrengthName(PrincipalStrength strength);

// A statement that decided (or helped decide) the outcome.
struct MatchedStatement {
  std::string policy;  // policy name given by the caller, e.g. "identity[0]" or "repo:app"
  PolicySetRole role = PolicySetRole::kIdentity;
  size_t statement = 0;  // index in the policy's Statement array
  std::string sid;
  Effect effect = Effect::kAllow;
  PrincipalStrength strength = PrincipalStrength::kNone;
};

struct DecisionResult {
  Decision decision = Decision::kImplicitDeny;
  std::vector<MatchedStatement> matched;
  std::string reason;  // one line, e.g. "R115.2: identity policy allows"
  // Non-fatal notes (R63 ambiguous tag key, R79 coercion failures, ...).
  std::vector<std::string> notes;
};

}  // namespace policy_engine::model
