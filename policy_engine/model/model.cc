// Names, operator tables and small helpers of the model types.
#include <algorithm>
#include <array>

#include "policy_engine/match/match.h"
#include "policy_engine/model/decision.h"
#include "policy_engine/model/policy.h"
#include "policy_engine/model/request.h"

namespace policy_engine::model {
namespace {

struct OperatorInfo {
  ConditionOperator op;
  std::string_view name;
  OperatorFamily family;
  bool negated;
  ConditionOperator positive;
};

using CO = ConditionOperator;
using OF = OperatorFamily;
constexpr std::array<OperatorInfo, kConditionOperatorCount> kOperators = {{
    {CO::kStringEquals, "StringEquals", OF::kString, false, CO::kStringEquals},
    {CO::kStringNotEquals, "StringNotEquals", OF::kString, true, CO::kStringEquals},
    {CO::kStringEqualsIgnoreCase, "StringEqualsIgnoreCase", OF::kString, false,
     CO::kStringEqualsIgnoreCase},
    {CO::kStringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase", OF::kString, true,
     CO::kStringEqualsIgnoreCase},
    {CO::kStringLike, "StringLike", OF::kString, false, CO::kStringLike},
    {CO::kStringNotLike, "StringNotLike", OF::kString, true, CO::kStringLike},
    {CO::kNumericEquals, "NumericEquals", OF::kNumeric, false, CO::kNumericEquals},
    {CO::kNumericNotEquals, "NumericNotEquals", OF::kNumeric, true, CO::kNumericEquals},
    {CO::kNumericLessThan, "NumericLessThan", OF::kNumeric, false, CO::kNumericLessThan},
    {CO::kNumericLessThanEquals, "NumericLessThanEquals", OF::kNumeric, false,
     CO::kNumericLessThanEquals},
    {CO::kNumericGreaterThan, "NumericGreaterThan", OF::kNumeric, false, CO::kNumericGreaterThan},
    {CO::kNumericGreaterThanEquals, "NumericGreaterThanEquals", OF::kNumeric, false,
     CO::kNumericGreaterThanEquals},
    {CO::kDateEquals, "DateEquals", OF::kDate, false, CO::kDateEquals},
    {CO::kDateNotEquals, "DateNotEquals", OF::kDate, true, CO::kDateEquals},
    {CO::kDateLessThan, "DateLessThan", OF::kDate, false, CO::kDateLessThan},
    {CO::kDateLessThanEquals, "DateLessThanEquals", OF::kDate, false, CO::kDateLessThanEquals},
    {CO::kDateGreaterThan, "DateGreaterThan", OF::kDate, false, CO::kDateGreaterThan},
    {CO::kDateGreaterThanEquals, "DateGreaterThanEquals", OF::kDate, false,
     CO::kDateGreaterThanEquals},
    {CO::kBool, "Bool", OF::kBool, false, CO::kBool},
    {CO::kBinaryEquals, "BinaryEquals", OF::kBinary, false, CO::kBinaryEquals},
    {CO::kIpAddress, "IpAddress", OF::kIp, false, CO::kIpAddress},
    {CO::kNotIpAddress, "NotIpAddress", OF::kIp, true, CO::kIpAddress},
    {CO::kArnEquals, "ArnEquals", OF::kArn, false, CO::kArnEquals},
    {CO::kArnLike, "ArnLike", OF::kArn, false, CO::kArnLike},
    {CO::kArnNotEquals, "ArnNotEquals", OF::kArn, true, CO::kArnEquals},
    {CO::kArnNotLike, "ArnNotLike", OF::kArn, true, CO::kArnLike},
    {CO::kNull, "Null", OF::kNull, false, CO::kNull},
}};

const OperatorInfo& Info(ConditionOperator op) { return kOperators[static_cast<size_t>(op)]; }

// Multi-valued global keys (R61); service keys of type ArrayOf* come from the service reference
// and are added here as the engine learns them.
constexpr std::array<std::string_view, 8> kMultiValuedKeys = {
    "aws:tagkeys",          "aws:calledvia",      "aws:principalorgpaths",
    "aws:resourceorgpaths", "aws:sourceorgpaths", "aws:principalservicenameslist",
    "aws:requestedregions", "ecr-public:tagkeys",
};

}  // namespace

std::string_view PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
      return "identity";
    case PolicyKind::kPermissionsBoundary:
      return "boundary";
    case PolicyKind::kSession:
      return "session";
    case PolicyKind::kScp:
      return "scp";
    case PolicyKind::kRcp:
      return "rcp";
    case PolicyKind::kRepository:
      return "repository";
    case PolicyKind::kRegistry:
      return "registry";
    case PolicyKind::kResource:
      return "resource";
  }
  return "identity";
}

std::optional<PolicyKind> PolicyKindFromName(std::string_view name) {
  for (PolicyKind k : {PolicyKind::kIdentity, PolicyKind::kPermissionsBoundary,
                       PolicyKind::kSession, PolicyKind::kScp, PolicyKind::kRcp,
                       PolicyKind::kRepository, PolicyKind::kRegistry, PolicyKind::kResource}) {
    if (PolicyKindName(k) == name) return k;
  }
  if (name == "pb") return PolicyKind::kPermissionsBoundary;
  if (name == "ecr-repository") return PolicyKind::kRepository;
  if (name == "ecr-registry") return PolicyKind::kRegistry;
  return std::nullopt;
}

bool IsResourceBasedKind(PolicyKind kind) {
  return kind == PolicyKind::kRepository || kind == PolicyKind::kRegistry ||
         kind == PolicyKind::kResource || kind == PolicyKind::kRcp;
}

std::string_view ConditionOperatorName(ConditionOperator op) { return Info(op).name; }

std::optional<ConditionOperator> ConditionOperatorFromName(std::string_view name) {
  for (const OperatorInfo& info : kOperators) {
    if (info.name == name) return info.op;
  }
  return std::nullopt;
}

bool IsNegatedOperator(ConditionOperator op) { return Info(op).negated; }
ConditionOperator PositiveCounterpart(ConditionOperator op) { return Info(op).positive; }
OperatorFamily FamilyOf(ConditionOperator op) { return Info(op).family; }

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
  }
  return "ImplicitDeny";
}

std::string_view PolicySetRoleName(PolicySetRole role) {
  switch (role) {
    case PolicySetRole::kIdentity:
      return "identity";
    case PolicySetRole::kBoundary:
      return "permissions-boundary";
    case PolicySetRole::kSession:
      return "session";
    case PolicySetRole::kScp:
      return "scp";
    case PolicySetRole::kRcp:
      return "rcp";
    case PolicySetRole::kResource:
      return "resource";
    case PolicySetRole::kEndpoint:
      return "endpoint";
  }
  return "identity";
}

std::string_view PrincipalStrengthName(PrincipalStrength strength) {
  switch (strength) {
    case PrincipalStrength::kNone:
      return "none";
    case PrincipalStrength::kDirect:
      return "direct";
    case PrincipalStrength::kRole:
      return "role";
    case PrincipalStrength::kAccount:
      return "account";
  }
  return "none";
}

std::string ReasonText(Reason reason, PolicySetRole deny_role, uint32_t level) {
  switch (reason) {
    case Reason::kAnonymous: return "R109: anonymous requests are never authorized";
    case Reason::kExplicitDeny: {
      std::string_view kind;
      switch (deny_role) {
        case PolicySetRole::kIdentity: kind = "an identity-based"; break;
        case PolicySetRole::kBoundary: kind = "a permissions boundary"; break;
        case PolicySetRole::kSession: kind = "a session"; break;
        case PolicySetRole::kScp: kind = "a service control"; break;
        case PolicySetRole::kRcp: kind = "a resource control"; break;
        case PolicySetRole::kResource: kind = "a resource-based"; break;
        case PolicySetRole::kEndpoint: kind = "a VPC endpoint"; break;
      }
      return "R110: explicit deny in " + std::string(kind) + " policy";
    }
    case Reason::kScpGate:
      return "R112: no service control policy at level " + std::to_string(level) +
             " allows the action";
    case Reason::kEndpointGate: return "R113: the VPC endpoint policy does not allow the action";
    case Reason::kServiceAllowed: return "R114: resource-based policy allows the service principal";
    case Reason::kServiceNotAllowed:
      return "R114: no resource-based policy allows the service principal";
    case Reason::kResourceDirect: return "R115.1: resource-based policy names the principal directly";
    case Reason::kResourceRole: return "R115.1: resource-based policy names the principal's role";
    case Reason::kRootOwnAccount: return "R118: root user in its own account";
    case Reason::kIdentityAllows: return "R115.2: identity-based policy allows";
    case Reason::kBoundaryDenies: return "R119: the permissions boundary does not allow the action";
    case Reason::kSessionDenies: return "R121: the session policy does not allow the action";
    case Reason::kNoIdentityAllow: return "R115.3: no identity-based policy allows the action";
    case Reason::kCrossNoResource:
      return "R116: cross-account request and no resource-based policy allows the action";
    case Reason::kCrossNoIdentity:
      return "R116: cross-account request and no identity-based policy allows the action";
    case Reason::kCrossBoth: return "R116: resource-based and identity-based policies both allow";
  }
  return "";
}

std::string_view PrincipalKindName(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kRoot:
      return "root";
    case PrincipalKind::kUser:
      return "user";
    case PrincipalKind::kRole:
      return "role";
    case PrincipalKind::kAssumedRole:
      return "assumed-role";
    case PrincipalKind::kFederatedUser:
      return "federated-user";
    case PrincipalKind::kService:
      return "service";
    case PrincipalKind::kAnonymous:
      return "anonymous";
  }
  return "anonymous";
}

std::optional<Principal> ParsePrincipal(std::string_view text) {
  Principal p;
  if (text == "anonymous") {
    p.kind = PrincipalKind::kAnonymous;
    return p;
  }
  if (text.find(':') == std::string_view::npos) {
    // Service principal: a DNS-like name such as codebuild.amazonaws.com.
    if (text.empty() || text.find('.') == std::string_view::npos) return std::nullopt;
    for (char c : text) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-';
      if (!ok) return std::nullopt;
    }
    p.kind = PrincipalKind::kService;
    p.arn = std::string(text);
    return p;
  }
  auto parts = match::SplitArn(text);
  if (!parts) return std::nullopt;
  auto [arn, partition, service, region, account, resource] = *parts;
  (void)arn;
  if (partition.empty() || !region.empty() || account.size() != 12 ||
      !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  p.arn = std::string(text);
  p.partition = std::string(partition);
  p.account = std::string(account);
  auto last_segment = [](std::string_view s) {
    size_t slash = s.rfind('/');
    return slash == std::string_view::npos ? s : s.substr(slash + 1);
  };
  if (service == "iam") {
    if (resource == "root") {
      p.kind = PrincipalKind::kRoot;
    } else if (resource.starts_with("user/") && resource.size() > 5) {
      p.kind = PrincipalKind::kUser;
    } else if (resource.starts_with("role/") && resource.size() > 5) {
      // A role ARN as caller stands for a session of that role with an unknown session name.
      p.kind = PrincipalKind::kRole;
      p.role_name = std::string(last_segment(resource));
      p.role_arn = p.arn;
    } else {
      return std::nullopt;
    }
    return p;
  }
  if (service == "sts") {
    if (resource.starts_with("assumed-role/")) {
      std::string_view rest = resource.substr(13);
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) {
        return std::nullopt;
      }
      p.kind = PrincipalKind::kAssumedRole;
      p.role_name = std::string(rest.substr(0, slash));
      p.session_name = std::string(rest.substr(slash + 1));
      p.role_arn = "arn:" + p.partition + ":iam::" + p.account + ":role/" + p.role_name;
      return p;
    }
    if (resource.starts_with("federated-user/") && resource.size() > 15) {
      p.kind = PrincipalKind::kFederatedUser;
      p.session_name = std::string(resource.substr(15));
      return p;
    }
  }
  return std::nullopt;
}

void Context::Set(std::string key, ContextValue value) {
  std::string lower = match::AsciiLower(key);
  entries_[lower][std::move(key)] = std::move(value);
}

void Context::SetDefault(std::string key, ContextValue value) {
  std::string lower = match::AsciiLower(key);
  auto& spellings = entries_[lower];
  if (spellings.empty()) spellings.emplace(std::move(key), std::move(value));
}

const ContextValue* Context::Find(std::string_view key) const {
  auto it = entries_.find(match::AsciiLower(key));
  if (it == entries_.end() || it->second.empty()) return nullptr;
  const auto& spellings = it->second;
  if (spellings.size() > 1) {
    auto exact = spellings.find(std::string(key));
    if (exact != spellings.end()) return &exact->second;
  }
  return &spellings.begin()->second;  // std::map: smallest spelling first (R63)
}

std::optional<std::string> Context::SingleValue(std::string_view key) const {
  const ContextValue* v = Find(key);
  if (v == nullptr || v->multi || v->values.size() != 1) return std::nullopt;
  return v->values.front();
}

bool IsMultiValuedKey(std::string_view key) {
  std::string lower = match::AsciiLower(key);
  return std::find(kMultiValuedKeys.begin(), kMultiValuedKeys.end(), lower) !=
         kMultiValuedKeys.end();
}

}  // namespace policy_engine::model
