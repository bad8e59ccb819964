// Condition-key checks against the global key table and the service reference (R31, R95 for tag
// keys), the IAM security checks of docs/policy-semantics.md §9.2 (PassRole, paired keys, service
// principals) and the registry-scope check R189.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/lint/checks.h"
#include "policy_engine/lint/service_reference.h"
#include "policy_engine/match/match.h"

namespace policy_engine::lint {
namespace {

using model::ConditionOperator;
using model::Effect;
using model::PolicyKind;

std::string_view Prefix(std::string_view key_lower) {
  size_t colon = key_lower.find(':');
  return colon == std::string_view::npos ? std::string_view() : key_lower.substr(0, colon);
}

// Tag-style keys whose tag name is missing: `aws:ResourceTag/` (R31, MISSING_TAG_KEY_IN_CONDITION).
bool IsTagKeyWithoutTag(std::string_view key_lower) {
  if (!key_lower.ends_with("/")) return false;
  if (key_lower == "aws:resourcetag/" || key_lower == "aws:requesttag/" ||
      key_lower == "aws:principaltag/") {
    return true;
  }
  const ServiceInfo* s = ServiceReference::Get().FindService(Prefix(key_lower));
  if (s == nullptr) return false;
  return std::any_of(s->keys.begin(), s->keys.end(), [&](const ServiceInfo::Key& k) {
    return k.templated && k.lower == key_lower;
  });
}

void ReportKey(const LintContext& c, Reporter& r, const ConditionEntry& e, std::string message,
               std::string hint, std::optional<Severity> severity = std::nullopt) {
  uint32_t begin = e.key_member->name_offset;
  uint32_t end = EndOfQuotedString(c.text, begin);
  if (severity) {
    r.Emit(*severity, begin, end, e.key_pointer, std::move(message), std::move(hint));
  } else {
    r.Span(begin, end, e.key_pointer, std::move(message), std::move(hint));
  }
}

template <typename Fn>
void ForEachKey(const LintContext& c, Fn fn) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (e.key_member != nullptr) fn(st, e);
    }
  }
}

// A condition that narrows who the statement applies to: present, not negated, not Null.
bool Positive(const ConditionEntry& e) {
  return e.op && !model::IsNegatedOperator(*e.op) && *e.op != ConditionOperator::kNull;
}

// The tag keys whose support the reference records per service (R95 for tags).
std::optional<std::string_view> TagKeyTemplate(std::string_view key_lower) {
  // Without a tag name (`aws:ResourceTag/`) it is MISSING_TAG_KEY_IN_CONDITION's.
  if (key_lower.starts_with("aws:resourcetag/") && key_lower.size() > 16) {
    return "aws:ResourceTag/${TagKey}";
  }
  if (key_lower.starts_with("aws:requesttag/") && key_lower.size() > 15) {
    return "aws:RequestTag/${TagKey}";
  }
  if (key_lower == "aws:tagkeys") return "aws:TagKeys";
  return std::nullopt;
}

// "*", or an IAM ARN naming every role (`…:role/*`, `…:*`). Access Analyzer does not report a
// prefix such as `role/app-*` (recorded ValidatePolicy output, lint fixture
// tf-iam-policy-validator-001), so neither do we.
bool AnyRole(std::string_view resource) {
  if (match::IsStarOnly(resource)) return true;
  std::vector<std::string_view> f = ArnFields(resource, true);
  return f.size() == 6 && f[2] == "iam" && (match::IsStarOnly(f[5]) || f[5] == "role/*");
}

}  // namespace

void CheckUnsupportedGlobalConditionKey(const LintContext& c, Reporter& r) {
  ForEachKey(c, [&](const StatementView&, const ConditionEntry& e) {
    if (e.key_lower != "aws:arn") return;
    ReportKey(c, r, e, "the condition key `" + e.key_member->name + "` is not supported",
              "use `aws:PrincipalArn` or `aws:SourceArn` instead");
  });
}

void CheckMissingTagKeyInCondition(const LintContext& c, Reporter& r) {
  ForEachKey(c, [&](const StatementView&, const ConditionEntry& e) {
    if (!IsTagKeyWithoutTag(e.key_lower)) return;
    ReportKey(c, r, e,
              "condition key " + Quote(e.key_member->name) +
                  " names no tag key, so it is never in a request",
              "add the tag key after the `/`, e.g. `" + e.key_member->name + "team`");
  });
}

void CheckInvalidGlobalConditionKey(const LintContext& c, Reporter& r) {
  ForEachKey(c, [&](const StatementView&, const ConditionEntry& e) {
    if (Prefix(e.key_lower) != "aws" || e.key_lower == "aws:arn" ||
        IsTagKeyWithoutTag(e.key_lower) || GlobalKeyType(e.key_lower)) {
      return;
    }
    ReportKey(c, r, e,
              "the condition key " + Quote(e.key_member->name) +
                  " is not a global condition key; it is never in a request",
              "check the spelling against AWS's global condition context keys; if the key is "
              "newer than our table, ignore this warning");
  });
}

void CheckInvalidServiceConditionKey(const LintContext& c, Reporter& r) {
  const ServiceReference& ref = ServiceReference::Get();
  ForEachKey(c, [&](const StatementView&, const ConditionEntry& e) {
    std::string_view prefix = Prefix(e.key_lower);
    if (prefix.empty() || prefix == "aws" || IsTagKeyWithoutTag(e.key_lower)) return;
    // Unknown prefixes are not judged: identity-provider keys (`accounts.google.com:aud`,
    // `saml:sub`) and services newer than the reference.
    const ServiceInfo* s = ref.FindService(prefix);
    if (s == nullptr || s->FindKey(e.key_lower) != nullptr || ref.AnyServiceHasKey(e.key_lower)) {
      return;
    }
    ReportKey(c, r, e,
              "the condition key " + Quote(e.key_member->name) + " is not a condition key of `" +
                  s->prefix + "` in the service reference",
              "check the spelling; if the key is newer than the reference (iam-data " +
                  std::string(ref.version()) + "), ignore this warning");
  });
}

template <Effect kEffect, bool kNotAction>
void CheckUnsupportedTagConditionKey(const LintContext& c, Reporter& r) {
  const ServiceReference& ref = ServiceReference::Get();
  if (!ref.loaded()) return;
  for (const StatementView& st : c.policy.statements) {
    if (st.effect != kEffect || st.action.node == nullptr || st.action.negated != kNotAction) {
      continue;
    }
    for (const ConditionEntry& e : st.conditions) {
      if (e.key_member == nullptr) continue;
      auto tmpl = TagKeyTemplate(e.key_lower);
      if (!tmpl) continue;
      // The services the statement covers: those its actions name (every service for "*"), or
      // for NotAction every service it does not exclude entirely (`svc:*`).
      bool every = false;
      std::set<const ServiceInfo*> named;
      for (const ValueRef& v : st.action.values) {
        if (match::IsStarOnly(v.text)) {
          every = true;
          continue;
        }
        auto parts = SplitAction(v.text);
        if (!parts || (kNotAction && parts->second != "*")) continue;
        if (const ServiceInfo* s = ref.FindService(parts->first)) named.insert(s);
      }
      std::vector<std::string> lacking;
      auto judge = [&](const ServiceInfo& s) {
        // The tagging API (`tag:TagResources`) is authorized with the tagged service's tag keys,
        // though the reference lists none for `tag`; AWS managed policies rely on that.
        if (s.prefix != "tag" && s.FindKey(e.key_lower) == nullptr) lacking.push_back(s.prefix);
      };
      if (kNotAction ? !every : every) {
        for (const ServiceInfo& s : ref.services()) {
          if (!kNotAction || named.count(&s) == 0) judge(s);
        }
      } else if (!kNotAction) {
        for (const ServiceInfo* s : named) judge(*s);
      }
      std::sort(lacking.begin(), lacking.end());
      if (lacking.empty()) continue;
      std::string which =
          lacking.size() == 1 ? "service " : std::to_string(lacking.size()) + " services, ";
      std::string msg = Quote(e.key_member->name) + " is never in requests to " + which +
                        JoinQuoted(lacking) + ", which the statement's " +
                        (kNotAction ? "`NotAction` leaves in" : "actions name") +
                        (kEffect == Effect::kDeny ? ": the `Deny` never applies to their actions"
                                                  : ": the `Allow` never grants their actions");
      ReportKey(c, r, e, std::move(msg),
                "split the statement: keep the tag condition for services that support `" +
                    std::string(*tmpl) + "` and use another condition for the rest");
    }
  }
}

template void CheckUnsupportedTagConditionKey<Effect::kDeny, false>(const LintContext&, Reporter&);
template void CheckUnsupportedTagConditionKey<Effect::kDeny, true>(const LintContext&, Reporter&);
template void CheckUnsupportedTagConditionKey<Effect::kAllow, false>(const LintContext&, Reporter&);
template void CheckUnsupportedTagConditionKey<Effect::kAllow, true>(const LintContext&, Reporter&);

template <PassRoleAction kAction, PassRoleResource kResource>
void CheckPassRole(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kIdentity)) return;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.action.node == nullptr || st.resource.node == nullptr) continue;
    if (!Grants(st, "iam:PassRole")) continue;
    PassRoleAction how = PassRoleAction::kNotAction;
    if (!st.action.negated) {
      bool literal = std::any_of(
          st.action.values.begin(), st.action.values.end(),
          [](const ValueRef& v) { return match::AsciiEqualsIgnoreCase(v.text, "iam:PassRole"); });
      how = literal ? PassRoleAction::kLiteral : PassRoleAction::kStar;
    }
    if (how != kAction) continue;
    if constexpr (kResource == PassRoleResource::kNotResource) {
      if (!st.resource.negated) continue;
      r.At(*st.resource.node, st.resource.pointer,
           "`iam:PassRole` with `NotResource` lets the principal pass every role not listed to "
           "a service",
           "list the roles that may be passed in `Resource`, e.g. "
           "`arn:aws:iam::111122223333:role/app-*`");
    } else {
      if (st.resource.negated) continue;
      for (const ValueRef& v : st.resource.values) {
        if (!AnyRole(v.text)) continue;
        r.At(*v.node, v.pointer,
             std::string(how == PassRoleAction::kLiteral ? "`iam:PassRole`"
                         : how == PassRoleAction::kStar
                             ? "`iam:PassRole` (through a wildcard action)"
                             : "`iam:PassRole` (through `NotAction`)") +
                 " on " + Quote(v.text) +
                 " lets the principal pass any role to a service, including more privileged ones",
             "name the roles that may be passed, and condition on `iam:PassedToService`");
        break;
      }
    }
  }
}

template void CheckPassRole<PassRoleAction::kLiteral, PassRoleResource::kStar>(const LintContext&,
                                                                               Reporter&);
template void CheckPassRole<PassRoleAction::kStar, PassRoleResource::kStar>(const LintContext&,
                                                                            Reporter&);
template void CheckPassRole<PassRoleAction::kNotAction, PassRoleResource::kStar>(const LintContext&,
                                                                                 Reporter&);
template void CheckPassRole<PassRoleAction::kLiteral, PassRoleResource::kNotResource>(
    const LintContext&, Reporter&);
template void CheckPassRole<PassRoleAction::kStar, PassRoleResource::kNotResource>(
    const LintContext&, Reporter&);
template void CheckPassRole<PassRoleAction::kNotAction, PassRoleResource::kNotResource>(
    const LintContext&, Reporter&);

void CheckMissingPairedConditionKeys(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st)) continue;
    if (st.HasConditionKey("aws:sourcevpc") || st.HasConditionKey("aws:sourcevpce")) continue;
    for (const ConditionEntry& e : st.conditions) {
      if (e.key_member == nullptr || e.key_lower != "aws:vpcsourceip") continue;
      ReportKey(c, r, e,
                "`aws:VpcSourceIp` without `aws:SourceVpc` or `aws:SourceVpce` matches the "
                "address in any VPC, including other accounts' VPCs with the same private range",
                "add a condition on `aws:SourceVpc` or `aws:SourceVpce`");
    }
  }
}

void CheckRestrictAccessToServicePrincipal(const LintContext& c, Reporter& r) {
  if (!c.IsEcrResourceKind() && !c.IsKind(PolicyKind::kResource)) return;
  constexpr std::string_view kSourceKeys[] = {"aws:sourcearn", "aws:sourceaccount",
                                              "aws:sourceorgid", "aws:sourceorgpaths"};
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.not_principal) continue;
    bool restricted = std::any_of(st.conditions.begin(), st.conditions.end(), [&](const auto& e) {
      return Positive(e) && std::find(std::begin(kSourceKeys), std::end(kSourceKeys),
                                      e.key_lower) != std::end(kSourceKeys);
    });
    if (restricted) continue;
    for (const PrincipalEntry& p : st.principals) {
      if (p.type != "Service" || p.value.node == nullptr) continue;
      r.At(*p.value.node, p.value.pointer,
           "service principal " + Quote(p.value.text) +
               " is granted access without `aws:SourceArn`, `aws:SourceAccount`, "
               "`aws:SourceOrgID` or `aws:SourceOrgPaths`: any customer's use of the service can "
               "reach this resource (confused deputy)",
           "add e.g. \"StringEquals\": {\"aws:SourceAccount\": \"111122223333\"}");
    }
  }
}

void CheckEcrRegistryPolicyScopeV1(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kRegistry) || !c.options.registry_scope_v1) return;
  constexpr std::string_view kAllowed[] = {"ecr:ReplicateImage", "ecr:BatchImportUpstreamImage",
                                           "ecr:CreateRepository"};
  auto allowed = [&](std::string_view name) {
    return std::any_of(std::begin(kAllowed), std::end(kAllowed),
                       [&](std::string_view a) { return match::AsciiEqualsIgnoreCase(a, name); });
  };
  for (const StatementView& st : c.policy.statements) {
    if (st.action.node == nullptr) continue;
    if (st.action.negated) {
      r.At(*st.action.node, st.action.pointer,
           "`NotAction` in a registry policy covers actions other than `ecr:ReplicateImage`, "
           "`ecr:BatchImportUpstreamImage` and `ecr:CreateRepository`, which registry scope V1 "
           "rejects",
           "list the actions with `Action`");
      continue;
    }
    for (const ValueRef& v : st.action.values) {
      std::vector<std::string> others;
      if (HasWildcard(v.text)) {
        for (const catalog::ActionInfo& a : catalog::Actions()) {
          if (match::ActionMatch(v.text, a.full_name()) && !allowed(a.full_name())) {
            others.push_back(a.full_name());
          }
        }
      } else if (!allowed(v.text)) {
        others.push_back(v.text);
      }
      if (others.empty()) continue;
      r.At(*v.node, v.pointer,
           "registry scope V1 accepts only `ecr:ReplicateImage`, `ecr:BatchImportUpstreamImage` "
           "and `ecr:CreateRepository`; " +
               JoinQuoted(others) + (others.size() == 1 ? " is" : " are") +
               " rejected (PutRegistryPolicy fails)",
           "remove the action, or switch the registry to scope V2 (PutAccountSetting "
           "REGISTRY_POLICY_SCOPE=V2)");
    }
  }
}

}  // namespace policy_engine::lint
