// This file's external interface is EvaluateReference. Each step names the rule it implements;
// read it side by side with docs/policy-semantics.md §5.3 (decision flow).
#include "policy_engine/eval/reference_evaluator.h"

#include <algorithm>

#include "policy_engine/match/match.h"

namespace policy_engine::eval {
namespace {

using model::ConditionOperator;
using model::Decision;
using model::Effect;
using model::MatchedStatement;
using model::OperatorFamily;
using model::PolicySetRole;
using model::PrincipalKind;
using model::PrincipalStrength;
using model::Reason;

match::VariableLookup LookupIn(const model::Context& context) {
  return [&context](std::string_view key) { return context.SingleValue(key); };
}

// Resolves a policy value for this request; nullopt when a variable has no value (R101).
std::optional<std::string> ResolveValue(const model::PatternValue& value,
                                        const model::Context& context) {
  return match::Resolve(value.tmpl, LookupIn(context));
}

// test(x, v) of §3.3 for a positive operator. nullopt = the request value does not parse (R79).
std::optional<bool> TestOne(ConditionOperator op, std::string_view x, const std::string& glob,
                            const model::PatternValue& raw) {
  switch (model::FamilyOf(op)) {
    case OperatorFamily::kString:
      if (op == ConditionOperator::kStringLike) return match::GlobMatch(glob, x);
      if (op == ConditionOperator::kStringEqualsIgnoreCase) {
        return match::EqualsIgnoreCase(x, match::UnescapeGlob(glob));
      }
      return x == match::UnescapeGlob(glob);
    case OperatorFamily::kNumeric: {
      auto a = match::ParseDecimal(x);
      if (!a) return std::nullopt;
      auto b = match::ParseDecimal(raw.raw);
      if (!b) return false;
      int c = match::CompareDecimal(*a, *b);
      switch (op) {
        case ConditionOperator::kNumericEquals:
          return c == 0;
        case ConditionOperator::kNumericLessThan:
          return c < 0;
        case ConditionOperator::kNumericLessThanEquals:
          return c <= 0;
        case ConditionOperator::kNumericGreaterThan:
          return c > 0;
        case ConditionOperator::kNumericGreaterThanEquals:
          return c >= 0;
        default:
          return false;
      }
    }
    case OperatorFamily::kDate: {
      auto a = match::ParseDateMillis(x);
      if (!a) return std::nullopt;
      auto b = match::ParseDateMillis(raw.raw);
      if (!b) return false;
      switch (op) {
        case ConditionOperator::kDateEquals:
          return *a == *b;
        case ConditionOperator::kDateLessThan:
          return *a < *b;
        case ConditionOperator::kDateLessThanEquals:
          return *a <= *b;
        case ConditionOperator::kDateGreaterThan:
          return *a > *b;
        case ConditionOperator::kDateGreaterThanEquals:
          return *a >= *b;
        default:
          return false;
      }
    }
    case OperatorFamily::kBool: {
      auto a = match::ParseBool(x);
      if (!a) return std::nullopt;
      auto b = match::ParseBool(match::UnescapeGlob(glob));
      return b && *a == *b;
    }
    case OperatorFamily::kBinary: {
      auto b = match::DecodeBase64(raw.raw);
      return b && *b == x;
    }
    case OperatorFamily::kIp: {
      auto a = match::ParseIpAddress(x);
      if (!a) return std::nullopt;
      auto n = match::ParseIpNetwork(raw.raw);
      return n && match::NetworkContains(*n, *a);
    }
    case OperatorFamily::kArn: {
      if (!match::SplitArn(x)) return std::nullopt;
      auto m = match::ArnLikeMatch(glob, x);
      return m.value_or(false);
    }
    case OperatorFamily::kNull:
      return false;
  }
  return false;
}

// pos(x) of §3.3: OR over the policy values, with the operator's positive counterpart.
// nullopt when x does not parse for the operator's type.
std::optional<bool> Positive(const model::ConditionClause& clause, std::string_view x,
                             const model::Context& context) {
  ConditionOperator op = model::PositiveCounterpart(clause.op);
  for (const model::PatternValue& v : clause.values) {
    std::optional<std::string> glob = ResolveValue(v, context);
    if (!glob) continue;  // R101: an unresolved value matches nothing / counts as "not equal"
    std::optional<bool> r = TestOne(op, x, *glob, v);
    if (!r) return std::nullopt;
    if (*r) return true;
  }
  return false;
}

// Per-element test of R70/R71: pos(x) for positive operators, NOT pos'(x) for negated ones; a
// coercion failure makes the element false (R79).
bool ElementTest(const model::ConditionClause& clause, std::string_view x,
                 const model::Context& context, std::vector<std::string>* notes) {
  std::optional<bool> p = Positive(clause, x, context);
  if (!p) {
    if (notes) {
      notes->push_back("E_COERCION: context value `" + std::string(x) + "` of `" + clause.key +
                       "` does not parse for `" + clause.operator_text + "`");
    }
    return false;
  }
  return model::IsNegatedOperator(clause.op) ? !*p : *p;
}

}  // namespace

bool EvaluateClauseReference(const model::ConditionClause& clause, const model::Context& context,
                             std::vector<std::string>* notes) {
  const model::ContextValue* cv = context.Find(clause.key);
  bool absent = cv == nullptr || cv->values.empty();  // R60: empty set == absent
  if (clause.op == ConditionOperator::kNull) {
    if (clause.qualifier == model::SetQualifier::kForAllValues) return true;  // R73
    if (clause.qualifier == model::SetQualifier::kForAnyValue) return false;  // R73
    for (const model::PatternValue& v : clause.values) {                      // R69
      std::optional<bool> want_absent = match::ParseBool(v.raw);
      if (want_absent && *want_absent == absent) return true;
    }
    return false;
  }
  if (clause.if_exists && absent) return true;  // R68, R72
  switch (clause.qualifier) {
    case model::SetQualifier::kNone:
      if (absent) return model::IsNegatedOperator(clause.op);  // R66, R67
      if (cv->multi) return false;  // R66/R67: a set operator is required
      return ElementTest(clause, cv->values.front(), context, notes);
    case model::SetQualifier::kForAllValues:  // R70
      if (absent) return true;
      return std::all_of(cv->values.begin(), cv->values.end(), [&](const std::string& x) {
        return ElementTest(clause, x, context, notes);
      });
    case model::SetQualifier::kForAnyValue:  // R71
      if (absent) return false;
      return std::any_of(cv->values.begin(), cv->values.end(), [&](const std::string& x) {
        return ElementTest(clause, x, context, notes);
      });
  }
  return false;
}

namespace {

// Everything the procedure needs to know about one request, computed once.
struct RequestFacts {
  const model::Request& request;
  bool wildcard_only;  // request resource is `*` (R43, R50)
  std::string resource_account;
  bool has_boundary;  // R59
};

bool ActionApplies(const model::Statement& st, const model::Request& request) {
  bool any = std::any_of(st.actions.begin(), st.actions.end(), [&](const model::PatternValue& a) {
    return match::ActionMatch(a.raw, request.action);
  });
  return st.not_action ? !any : any;  // R39
}

bool ResourceApplies(const model::Statement& st, const model::Request& request) {
  if (!st.resource_present) return true;  // R25: repository policies target their repository
  bool any = false;
  for (const model::PatternValue& r : st.resources) {
    std::optional<std::string> glob = ResolveValue(r, request.context);
    if (glob && match::ResourceMatch(*glob, request.resource)) {  // R45–R51
      any = true;
      break;
    }
  }
  return st.not_resource ? !any : any;  // R49
}

bool ConditionsApply(const model::Statement& st, const model::Context& context,
                     std::vector<std::string>* notes) {
  return std::all_of(st.conditions.begin(), st.conditions.end(),
                     [&](const model::ConditionClause& c) {  // R64, R65
                       return EvaluateClauseReference(c, context, notes);
                     });
}

bool SameRoleName(std::string_view a, std::string_view b) {
  return match::AsciiEqualsIgnoreCase(a, b);  // R54: role names are unique case-insensitively
}

// Role ARN `arn:P:iam::A:role/path/name` names the caller's role (R55: the path is ignored).
bool RoleArnNamesCaller(std::string_view value, const model::Principal& p) {
  if (p.role_name.empty()) return false;
  auto parts = match::SplitArn(value);
  if (!parts || (*parts)[2] != "iam" || (*parts)[1] != p.partition || (*parts)[4] != p.account) {
    return false;
  }
  std::string_view res = (*parts)[5];
  if (!res.starts_with("role/")) return false;
  size_t slash = res.rfind('/');
  return SameRoleName(res.substr(slash + 1), p.role_name);
}

bool SessionArnEquals(std::string_view value, const model::Principal& p) {
  if (p.kind != PrincipalKind::kAssumedRole) return value == p.arn;
  auto other = model::ParsePrincipal(value);
  return other && other->kind == PrincipalKind::kAssumedRole && other->partition == p.partition &&
         other->account == p.account && SameRoleName(other->role_name, p.role_name) &&
         other->session_name == p.session_name;
}

bool NamesAccount(std::string_view value, const model::Principal& p) {
  if (p.account.empty()) return false;
  if (value == p.account) return true;
  auto parts = match::SplitArn(value);
  return parts && (*parts)[2] == "iam" && (*parts)[5] == "root" && (*parts)[4] == p.account &&
         (*parts)[1] == p.partition;
}

// R52–R57, R124: how strongly one principal value names the caller.
PrincipalStrength ValueStrength(const model::PrincipalValue& v, const model::Principal& p) {
  if (v.type == model::PrincipalType::kService) {
    return (p.kind == PrincipalKind::kService && v.value == p.arn) ? PrincipalStrength::kDirect
                                                                   : PrincipalStrength::kNone;
  }
  if (v.type != model::PrincipalType::kAws) return PrincipalStrength::kNone;
  if (v.value == "*") return PrincipalStrength::kDirect;
  if (p.kind == PrincipalKind::kService || p.kind == PrincipalKind::kAnonymous) {
    return PrincipalStrength::kNone;
  }
  if (NamesAccount(v.value, p)) return PrincipalStrength::kAccount;
  // A unique id names the user itself, or the role of a session (role strength, R124).
  if (!p.unique_id.empty() && v.value == p.unique_id) {
    return p.kind == PrincipalKind::kUser ? PrincipalStrength::kDirect : PrincipalStrength::kRole;
  }
  switch (p.kind) {
    case PrincipalKind::kUser:
      return v.value == p.arn ? PrincipalStrength::kDirect : PrincipalStrength::kNone;
    case PrincipalKind::kAssumedRole:
      if (SessionArnEquals(v.value, p)) return PrincipalStrength::kDirect;
      return RoleArnNamesCaller(v.value, p) ? PrincipalStrength::kRole : PrincipalStrength::kNone;
    case PrincipalKind::kRole:
      return RoleArnNamesCaller(v.value, p) ? PrincipalStrength::kRole : PrincipalStrength::kNone;
    case PrincipalKind::kFederatedUser:
      if (v.value == p.arn) return PrincipalStrength::kDirect;
      return (!p.parent_user_arn.empty() && v.value == p.parent_user_arn)
                 ? PrincipalStrength::kRole
                 : PrincipalStrength::kNone;
    default:
      return PrincipalStrength::kNone;
  }
}

PrincipalStrength PrincipalStrengthFor(const model::PrincipalElement& el,
                                       const model::Principal& p) {
  if (el.wildcard) return PrincipalStrength::kDirect;
  PrincipalStrength best = PrincipalStrength::kNone;
  auto rank = [](PrincipalStrength s) {
    switch (s) {
      case PrincipalStrength::kDirect:
        return 3;
      case PrincipalStrength::kRole:
        return 2;
      case PrincipalStrength::kAccount:
        return 1;
      case PrincipalStrength::kNone:
        return 0;
    }
    return 0;
  };
  for (const model::PrincipalValue& v : el.values) {
    PrincipalStrength s = ValueStrength(v, p);
    if (rank(s) > rank(best)) best = s;
  }
  return best;
}

// R58 (layered) and R59: does a Deny with NotPrincipal apply to the caller?
bool NotPrincipalDenyApplies(const model::PrincipalElement& el, const RequestFacts& f) {
  const model::Principal& p = f.request.principal;
  if (f.has_boundary && (p.kind == PrincipalKind::kUser || p.kind == PrincipalKind::kAssumedRole ||
                         p.kind == PrincipalKind::kRole)) {
    return true;  // R59
  }
  if (el.wildcard) return false;
  auto listed = [&](auto pred) { return std::any_of(el.values.begin(), el.values.end(), pred); };
  if (p.kind == PrincipalKind::kService) {
    return !listed([&](const model::PrincipalValue& v) {
      return v.type == model::PrincipalType::kService && v.value == p.arn;
    });
  }
  auto aws = [](const model::PrincipalValue& v) { return v.type == model::PrincipalType::kAws; };
  bool account_listed =
      listed([&](const model::PrincipalValue& v) { return aws(v) && NamesAccount(v.value, p); });
  if (!account_listed) return true;
  if (p.kind == PrincipalKind::kRoot) return false;
  if (p.kind == PrincipalKind::kAssumedRole || p.kind == PrincipalKind::kRole) {
    bool role_listed = listed(
        [&](const model::PrincipalValue& v) { return aws(v) && RoleArnNamesCaller(v.value, p); });
    if (!role_listed) return true;
    if (p.kind == PrincipalKind::kRole) return false;
  }
  bool self_listed = listed([&](const model::PrincipalValue& v) {
    return aws(v) && (p.kind == PrincipalKind::kAssumedRole ? SessionArnEquals(v.value, p)
                                                            : v.value == p.arn);
  });
  return !self_listed;
}

struct Applicable {
  MatchedStatement matched;
  Effect effect;
};

// R108: the statements of one policy set that apply to the request.
std::vector<Applicable> ApplicableStatements(const std::vector<PolicyRef>& policies,
                                             PolicySetRole role, const RequestFacts& f,
                                             std::vector<std::string>* notes) {
  std::vector<Applicable> out;
  for (const PolicyRef& ref : policies) {
    if (!ref.policy) continue;
    bool principal_element = model::IsResourceBasedKind(ref.policy->kind);
    for (const model::Statement& st : ref.policy->statements) {
      PrincipalStrength strength = PrincipalStrength::kNone;
      if (principal_element) {
        if (st.principal.negated) {
          if (!NotPrincipalDenyApplies(st.principal, f)) continue;
          strength = PrincipalStrength::kDirect;
        } else {
          strength = PrincipalStrengthFor(st.principal, f.request.principal);
          if (strength == PrincipalStrength::kNone) continue;
        }
      }
      if (!ActionApplies(st, f.request) || !ResourceApplies(st, f.request) ||
          !ConditionsApply(st, f.request.context, notes)) {
        continue;
      }
      MatchedStatement m;
      m.policy = ref.name;
      m.role = role;
      m.statement = st.index;
      m.sid = st.sid.value_or("");
      m.effect = st.effect;
      m.strength = strength;
      out.push_back({std::move(m), st.effect});
    }
  }
  return out;
}

std::vector<MatchedStatement> Allows(const std::vector<Applicable>& a) {
  std::vector<MatchedStatement> out;
  for (const Applicable& x : a) {
    if (x.effect == Effect::kAllow) out.push_back(x.matched);
  }
  return out;
}

void Append(std::vector<MatchedStatement>& to, const std::vector<MatchedStatement>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

model::DecisionResult EvaluateReference(const PolicySet& policies, const model::Request& request) {
  model::DecisionResult result;
  const model::Principal& p = request.principal;
  auto implicit = [&](Reason reason, uint32_t level = 0) {
    result.decision = Decision::kImplicitDeny;
    result.reason_code = reason;
    result.reason = model::ReasonText(reason, PolicySetRole::kIdentity, level);
    return result;
  };
  if (p.kind == PrincipalKind::kAnonymous) {
    return implicit(Reason::kAnonymous);
  }
  RequestFacts f{request, request.resource == "*", request.resource_account,
                 !policies.boundary.empty()};
  if (f.resource_account.empty()) {
    if (auto parts = match::SplitArn(request.resource))
      f.resource_account = std::string((*parts)[4]);
  }
  bool service = p.kind == PrincipalKind::kService;
  bool root = p.kind == PrincipalKind::kRoot;
  std::vector<std::string>* notes = &result.notes;

  // Gather the applicable statements of every set (R107, R108).
  static const std::vector<PolicyRef> kNone;
  auto id =
      ApplicableStatements(service ? kNone : policies.identity, PolicySetRole::kIdentity, f, notes);
  auto pb =
      ApplicableStatements(service ? kNone : policies.boundary, PolicySetRole::kBoundary, f, notes);
  std::vector<std::vector<Applicable>> sp;
  if (policies.session && !service) {
    for (const PolicyRef& ref : *policies.session) {
      sp.push_back(ApplicableStatements({ref}, PolicySetRole::kSession, f, notes));
    }
  }
  std::vector<std::vector<Applicable>> scp, rcp;
  if (!service) {  // R107: SCPs do not apply to service principals
    for (const auto& level : policies.scp_levels) {
      scp.push_back(ApplicableStatements(level, PolicySetRole::kScp, f, notes));
    }
  }
  for (const auto& level : policies.rcp_levels) {
    rcp.push_back(ApplicableStatements(level, PolicySetRole::kRcp, f, notes));
  }
  // R107/R117: resource policies are not consulted for wildcard-only actions.
  auto rp = ApplicableStatements(f.wildcard_only ? kNone : policies.resource,
                                 PolicySetRole::kResource, f, notes);
  std::optional<std::vector<Applicable>> vpce;
  if (policies.endpoint) {
    vpce = ApplicableStatements(*policies.endpoint, PolicySetRole::kEndpoint, f, notes);
  }

  // R110: explicit deny anywhere wins.
  std::vector<const std::vector<Applicable>*> all = {&id, &pb, &rp};
  for (const auto& s : sp) all.push_back(&s);
  for (const auto& s : scp) all.push_back(&s);
  for (const auto& s : rcp) all.push_back(&s);
  if (vpce) all.push_back(&*vpce);
  for (const auto* set : all) {
    for (const Applicable& a : *set) {
      if (a.effect == Effect::kDeny) result.matched.push_back(a.matched);
    }
  }
  if (!result.matched.empty()) {
    result.decision = Decision::kExplicitDeny;
    result.reason_code = Reason::kExplicitDeny;
    result.reason = model::ReasonText(Reason::kExplicitDeny, result.matched.front().role, 0);
    return result;
  }
  // R111: every RCP level implicitly contains the full-access RCP, so the gate always passes;
  // RCPs can only deny (R24: Allow exists only in that built-in statement).
  // R112: every SCP level must allow.
  for (size_t i = 0; i < scp.size(); ++i) {
    if (Allows(scp[i]).empty()) {
      return implicit(Reason::kScpGate, static_cast<uint32_t>(i));
    }
  }
  // R113: the endpoint policy must allow.
  if (vpce && Allows(*vpce).empty()) {
    return implicit(Reason::kEndpointGate);
  }
  std::vector<MatchedStatement> rp_allows = Allows(rp);
  // R114: service principals are authorized by the resource policy alone.
  if (service) {
    if (rp_allows.empty()) {
      return implicit(Reason::kServiceNotAllowed);
    }
    result.decision = Decision::kAllow;
    result.matched = rp_allows;
    result.reason_code = Reason::kServiceAllowed;
    result.reason = model::ReasonText(Reason::kServiceAllowed, PolicySetRole::kIdentity, 0);
    return result;
  }

  std::vector<MatchedStatement> pb_allows = Allows(pb);
  bool pb_ok = policies.boundary.empty() || !pb_allows.empty();
  bool sp_ok = true;
  std::vector<MatchedStatement> sp_allows;
  for (const auto& s : sp) {
    auto a = Allows(s);
    if (a.empty()) sp_ok = false;
    Append(sp_allows, a);
  }
  std::vector<MatchedStatement> id_allows = Allows(id);
  // R115.2 / R118: the identity path. Root's own account: as if ID allowed everything.
  bool id_ok = root || !id_allows.empty();
  if (p.kind == PrincipalKind::kFederatedUser && !policies.session) id_ok = false;
  bool identity_path = id_ok && pb_ok && sp_ok;
  auto allow = [&](std::vector<MatchedStatement> matched, Reason reason) {
    result.decision = Decision::kAllow;
    result.matched = std::move(matched);
    result.reason_code = reason;
    result.reason = model::ReasonText(reason, PolicySetRole::kIdentity, 0);
    return result;
  };
  auto identity_matched = [&] {
    std::vector<MatchedStatement> m = id_allows;
    Append(m, pb_allows);
    Append(m, sp_allows);
    return m;
  };

  bool same_account = f.wildcard_only || p.account == f.resource_account;
  if (same_account) {
    // R115.1: resource-policy path.
    std::vector<MatchedStatement> direct, role;
    for (const MatchedStatement& m : rp_allows) {
      if (m.strength == PrincipalStrength::kDirect) direct.push_back(m);
      if (m.strength == PrincipalStrength::kRole) role.push_back(m);
    }
    if (!direct.empty()) {
      return allow(direct, Reason::kResourceDirect);
    }
    if (!role.empty() && pb_ok && sp_ok) {
      Append(role, pb_allows);
      Append(role, sp_allows);
      return allow(role, Reason::kResourceRole);
    }
    if (identity_path) {
      return allow(identity_matched(), root ? Reason::kRootOwnAccount : Reason::kIdentityAllows);
    }
    if (!pb_ok) return implicit(Reason::kBoundaryDenies);
    if (!sp_ok) return implicit(Reason::kSessionDenies);
    return implicit(Reason::kNoIdentityAllow);
  }
  // R116: cross-account: the resource policy and the identity side must both allow.
  if (rp_allows.empty()) {
    return implicit(Reason::kCrossNoResource);
  }
  if (!identity_path) {
    if (!pb_ok) return implicit(Reason::kBoundaryDenies);
    if (!sp_ok) return implicit(Reason::kSessionDenies);
    return implicit(Reason::kCrossNoIdentity);
  }
  std::vector<MatchedStatement> m = rp_allows;
  Append(m, identity_matched());
  return allow(m, Reason::kCrossBoth);
}

}  // namespace policy_engine::eval
