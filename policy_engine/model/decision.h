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

// Which step of the decision procedure (§5.3) decided, for explanations and for comparing
// evaluators: both the reference and the compiled engine report one.
enum class Reason : uint8_t {
  kAnonymous,          // R109: anonymous requests are never authorized
  kExplicitDeny,       // R110: an applicable Deny
  kScpGate,            // R112: an SCP level has no applicable Allow
  kEndpointGate,       // R113: the VPC endpoint policy does not allow
  kServiceAllowed,     // R114: a resource policy allows the service principal
  kServiceNotAllowed,  // R114: no resource policy allows the service principal
  kResourceDirect,     // R115.1: a resource policy names the caller directly
  kResourceRole,       // R115.1: a resource policy names the caller's role (PB/SP allow)
  kRootOwnAccount,     // R118: the root user in its own account
  kIdentityAllows,     // R115.2: identity path
  kBoundaryDenies,     // R119: the permissions boundary does not allow
  kSessionDenies,      // R121: the session policy does not allow
  kNoIdentityAllow,    // R115.3: nothing allows (same account)
  kCrossNoResource,    // R116: cross-account and no resource policy allows
  kCrossNoIdentity,    // R116: cross-account and no identity policy allows
  kCrossBoth,          // R116: cross-account, both sides allow
};

// One line: "R112: no service control policy at level 1 allows the action". `deny_role` is the
// set of the first decisive Deny (kExplicitDeny), `level` the failing SCP level (kScpGate).
std::string ReasonText(Reason reason, PolicySetRole deny_role, uint32_t level);

struct DecisionResult {
  Decision decision = Decision::kImplicitDeny;
  std::vector<MatchedStatement> matched;
  Reason reason_code = Reason::kNoIdentityAllow;
  std::string reason;  // ReasonText(reason_code, …)
  // Non-fatal notes (R63 ambiguous tag key, R79 coercion failures, ...).
  std::vector<std::string> notes;
};

}  // namespace policy_engine::model
