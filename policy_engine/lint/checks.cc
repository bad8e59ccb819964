// The check table: one function per check, in the order of docs/lint.md. Each function reads the
// PolicyView and reports through the Reporter bound to its row. Rules cited are those of
// docs/policy-semantics.md.
#include "policy_engine/lint/checks.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/lint/service_reference.h"
#include "policy_engine/match/match.h"
#include "policy_engine/model/request.h"
#include "policy_engine/parse/parse.h"

namespace policy_engine::lint {

using model::ConditionOperator;
using model::Effect;
using model::OperatorFamily;
using model::PolicyKind;
using model::SetQualifier;

// ---------------------------------------------------------------------------------------------
// Helpers (shared with the other check files through checks.h)
// ---------------------------------------------------------------------------------------------

bool HasWildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

bool IsAllow(const StatementView& st) { return st.effect == Effect::kAllow; }
bool IsDeny(const StatementView& st) { return st.effect == Effect::kDeny; }

// "service" and "name" of `service:name`; nullopt for "*" and malformed patterns.
std::optional<std::pair<std::string_view, std::string_view>> SplitAction(std::string_view a) {
  size_t colon = a.find(':');
  if (colon == std::string_view::npos || a.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return std::make_pair(a.substr(0, colon), a.substr(colon + 1));
}

// Does the statement's Action/NotAction cover the concrete `action` (R36–R39)?
bool Grants(const StatementView& st, std::string_view action) {
  if (st.action.node == nullptr) return false;
  bool any = false;
  for (const ValueRef& v : st.action.values) {
    if (match::ActionMatch(v.text, action)) {
      any = true;
      break;
    }
  }
  return st.action.negated ? !any : any;
}

std::string JoinQuoted(const std::vector<std::string>& items, size_t max_items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i > 0) out += ", ";
    out += "`" + items[i] + "`";
  }
  if (items.size() > max_items) out += " and " + std::to_string(items.size() - max_items) + " more";
  return out;
}

// The declared type of a key: "String", "ArrayOfString", ... (nullopt: unknown key).
static std::optional<std::string> KeyType(std::string_view key_lower) {
  if (auto t = ServiceReference::Get().KeyType(key_lower)) return t;
  if (model::IsMultiValuedKey(key_lower)) return std::string("ArrayOfString");
  return std::nullopt;
}

static bool IsArrayType(std::string_view type) { return type.starts_with("ArrayOf"); }
static std::string_view ElementType(std::string_view type) {
  return IsArrayType(type) ? type.substr(7) : type;
}

// Six ARN fields split on the first five colons that are not inside a `${…}` variable (when
// variables are enabled). Fewer than six: the fields that are there.
std::vector<std::string_view> ArnFields(std::string_view s, bool variables) {
  std::vector<std::string_view> out;
  size_t start = 0;
  size_t depth = 0;
  for (size_t i = 0; i < s.size() && out.size() < 5; ++i) {
    if (variables && s.compare(i, 2, "${") == 0) {
      ++depth;
      ++i;
    } else if (variables && depth > 0 && s[i] == '}') {
      --depth;
    } else if (depth == 0 && s[i] == ':') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// Replaces every `${…}` with `*` (what a variable can become, for "can this ever match" checks).
std::string VariablesAsWildcards(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "${") == 0) {
      size_t close = s.find('}', i);
      if (close == std::string_view::npos) return out + std::string(s.substr(i));
      out += '*';
      i = close;
    } else {
      out += s[i];
    }
  }
  return out;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Document-level checks (R9–R13)
// ---------------------------------------------------------------------------------------------

void CheckMissingVersion(const LintContext& c, Reporter& r) {
  if (c.policy.version != nullptr || !c.policy.root->is_object()) return;
  r.Emit(Severity::kWarning, c.policy.root->begin, c.policy.root->begin + 1, "",
         "the policy has no `Version`: it is evaluated with 2008-10-17 rules, without policy "
         "variables",
         "add \"Version\": \"2012-10-17\" as the first element");
}

// R10 / R196: `${` in a position where 2012-10-17 would read a variable.
void ReportVariablesIn2008(const LintContext& c, Reporter& r, bool ecr) {
  if (c.policy.variables_enabled || !c.policy.version_valid) return;
  if (ecr != c.IsEcrResourceKind()) return;
  std::string_view version =
      c.policy.version != nullptr ? "`Version` 2008-10-17" : "a policy without `Version`";
  auto report = [&](const ValueRef& v, std::string_view where) {
    if (v.text.find("${") == std::string::npos) return;
    std::string msg = Quote(v.text) + " in `" + std::string(where) + "` is literal text in " +
                      std::string(version) + ": policy variables need 2012-10-17";
    if (ecr) {
      msg +=
          " (ECR samples often use 2008-10-17; there `${…}` is compared as written and "
          "never matches)";
    }
    r.At(*v.node, v.pointer, std::move(msg), "set \"Version\": \"2012-10-17\"");
  };
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.resource.values) {
      report(v, st.resource.negated ? "NotResource" : "Resource");
    }
    for (const ConditionEntry& e : st.conditions) {
      for (const ValueRef& v : e.values) report(v, "Condition");
    }
  }
}
void CheckVariableUnsupportedInVersion(const LintContext& c, Reporter& r) {
  ReportVariablesIn2008(c, r, false);
}
void CheckEcrVariableIn2008Policy(const LintContext& c, Reporter& r) {
  ReportVariablesIn2008(c, r, true);
}

void CheckIdInIdentityPolicy(const LintContext& c, Reporter& r) {
  if (c.policy.id == nullptr) return;
  if (!c.IsKind(PolicyKind::kIdentity) && !c.IsKind(PolicyKind::kPermissionsBoundary)) return;
  r.AtName(*c.policy.id, c.text, "/Id",
           "`Id` is not supported in " + std::string(model::PolicyKindName(c.options.kind)) +
               " policies; IAM ignores it",
           "remove `Id`, or use a `Sid` per statement");
}

void CheckUniqueSidsRecommended(const LintContext& c, Reporter& r) {
  if (c.IsIamStoredKind()) return;  // the parser's UNIQUE_SIDS_REQUIRED (R12)
  std::map<std::string, size_t> first;
  for (const StatementView& st : c.policy.statements) {
    if (st.sid == nullptr || st.sid->text.empty()) continue;
    auto [it, inserted] = first.emplace(st.sid->text, st.index);
    if (!inserted) {
      r.At(*st.sid, st.pointer + "/Sid",
           "`Sid` " + Quote(st.sid->text) + " repeats the `Sid` of statement " +
               std::to_string(it->second),
           "give every statement its own `Sid`");
    }
  }
}

void CheckEmptySidValue(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.sid != nullptr && st.sid->text.empty()) {
      r.At(*st.sid, st.pointer + "/Sid", "`Sid` is an empty string",
           "remove the `Sid` or give it a name");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Empty arrays and objects (R20, R23, R96)
// ---------------------------------------------------------------------------------------------

void CheckEmptyArrayAction(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    const json::Node* n = st.action.node;
    if (n == nullptr || !n->is_array() || !n->items.empty()) continue;
    r.At(*n, st.action.pointer,
         st.action.negated ? "`NotAction` is an empty array: it matches every action"
                           : "`Action` is an empty array: the statement never applies",
         st.action.negated ? "list the excluded actions or use \"Action\": \"*\""
                           : "list actions or remove the statement");
  }
}

void CheckEmptyArrayResource(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    const json::Node* n = st.resource.node;
    if (n == nullptr || !n->is_array() || !n->items.empty()) continue;
    r.At(*n, st.resource.pointer,
         st.resource.negated ? "`NotResource` is an empty array: it matches every resource"
                             : "`Resource` is an empty array: the statement never applies",
         "list resources or remove the statement");
  }
}

void CheckEmptyArrayPrincipal(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.principal == nullptr || !st.principal->is_object()) continue;
    for (const json::Member& m : st.principal->members) {
      if (m.value.is_array() && m.value.items.empty()) {
        r.At(m.value, st.principal_pointer + "/" + json::EscapePointerToken(m.name),
             "principal entry " + Quote(m.name) + " is an empty array: it matches nobody",
             "list principals or remove the entry");
      }
    }
  }
}

void CheckEmptyObjectPrincipal(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.principal == nullptr || !st.principal->is_object() || !st.principal->members.empty()) {
      continue;
    }
    r.At(*st.principal, st.principal_pointer,
         std::string("`") + (st.not_principal ? "NotPrincipal" : "Principal") +
             "` is an empty object: it matches nobody",
         "name principals, e.g. {\"AWS\": \"111122223333\"}");
  }
}

void CheckEmptyObjectCondition(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.condition == nullptr) continue;
    if (st.condition->members.empty()) {
      r.At(*st.condition, st.condition_pointer,
           "`Condition` is an empty object: the statement has no condition",
           "remove the empty `Condition`");
      continue;
    }
    for (const json::Member& om : st.condition->members) {
      if (om.value.is_object() && om.value.members.empty()) {
        r.At(om.value, st.condition_pointer + "/" + json::EscapePointerToken(om.name),
             "condition operator " + Quote(om.name) + " has no keys: it adds no condition",
             "remove the empty operator block");
      }
    }
  }
}

// R96: only reported in --aws-compat mode; otherwise the parser rejects the empty array
// (EMPTY_CONDITION_VALUES).
template <SetQualifier kQualifier, bool kIfExists>
void CheckEmptyArrayCondition(const LintContext& c, Reporter& r) {
  if (!c.options.aws_compat) return;
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.empty_values || !e.op) continue;
      if (e.qualifier != kQualifier) continue;
      if (kQualifier == SetQualifier::kNone && e.if_exists != kIfExists) continue;
      std::string meaning;
      if (e.qualifier == SetQualifier::kForAllValues) {
        meaning = "true only when the key is absent or empty";
      } else if (e.qualifier == SetQualifier::kForAnyValue) {
        meaning = "never true";
      } else if (e.if_exists) {
        meaning = "true only when the key is absent";
      } else {
        meaning = model::IsNegatedOperator(*e.op) ? "always true" : "never true";
      }
      r.At(e.key_member->value, e.key_pointer,
           "condition key " + Quote(e.key_member->name) + " of " + Quote(e.op_member->name) +
               " has an empty value array: the pair is " + meaning,
           "list values or remove the key");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SCP syntax (R26)
// ---------------------------------------------------------------------------------------------

void CheckScpActionWildcard(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kScp)) return;
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.action.values) {
      std::string_view a = v.text;
      if (a == "*") continue;
      size_t first = a.find_first_of("*?");
      if (first == std::string_view::npos) continue;
      if (first == a.size() - 1 && a.back() == '*' && a.find(':') < first) continue;
      r.At(*v.node, v.pointer,
           "service control policies allow a wildcard only at the end of an action: " + Quote(a),
           "use a trailing `*` only, e.g. `ec2:Describe*`");
    }
  }
}

void CheckScpAllowCondition(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kScp)) return;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.condition == nullptr) continue;
    r.At(*st.condition, st.condition_pointer,
         "service control policies support `Condition` only in `Deny` statements",
         "turn the statement into a `Deny` of what should not be allowed");
  }
}

void CheckScpAllowNotAction(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kScp)) return;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.action.node == nullptr || !st.action.negated) continue;
    r.At(*st.action.node, st.action.pointer,
         "service control policies support `NotAction` only in `Deny` statements",
         "list the allowed actions in `Action`");
  }
}

void CheckScpAllowResource(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kScp)) return;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.resource.node == nullptr || st.resource.negated) continue;
    for (const ValueRef& v : st.resource.values) {
      if (v.text == "*") continue;
      r.At(*v.node, v.pointer,
           "service control policies allow only \"Resource\": \"*\" in `Allow` statements, not " +
               Quote(v.text),
           "use \"*\" and restrict resources with a `Deny` statement");
    }
  }
}

void CheckScpNotResource(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kScp)) return;
  for (const StatementView& st : c.policy.statements) {
    if (st.resource.node == nullptr || !st.resource.negated) continue;
    r.At(*st.resource.node, st.resource.pointer,
         "service control policies do not support `NotResource`",
         "use `Resource` (with a `Deny` statement to exclude resources)");
  }
}

void CheckScpPrincipal(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kScp)) return;
  for (const StatementView& st : c.policy.statements) {
    if (st.principal == nullptr) continue;
    r.Supersede("UNSUPPORTED_PRINCIPAL", st.principal_pointer);
    r.At(*st.principal, st.principal_pointer,
         std::string("service control policies do not support `") +
             (st.not_principal ? "NotPrincipal" : "Principal") + "`",
         "remove it; to exempt principals use a condition on `aws:PrincipalArn`");
  }
}

// ---------------------------------------------------------------------------------------------
// Actions (R35–R40) and the service reference
// ---------------------------------------------------------------------------------------------

// Calls fn(value, service, name) for every syntactically valid `service:name` action pattern.
template <typename Fn>
void ForEachActionPattern(const LintContext& c, Fn fn) {
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.action.values) {
      if (!match::ValidateActionPattern(v.text).ok()) continue;  // the parser's INVALID_ACTION
      auto parts = SplitAction(v.text);
      if (!parts) continue;
      fn(v, parts->first, parts->second);
    }
  }
}

void CheckInvalidService(const LintContext& c, Reporter& r) {
  const ServiceReference& ref = ServiceReference::Get();
  if (!ref.loaded()) return;
  ForEachActionPattern(c, [&](const ValueRef& v, std::string_view service, std::string_view) {
    if (HasWildcard(service) || ref.FindService(service) != nullptr) return;
    std::string near = ref.NearestService(service);
    r.At(*v.node, v.pointer,
         "service prefix " + Quote(service) + " is not in the service reference" +
             (near.empty() ? std::string() : "; did you mean `" + near + "`?"),
         "check the prefix; if the service is newer than the reference (iam-data " +
             std::string(ref.version()) + "), ignore this warning");
  });
}

void CheckInvalidAction(const LintContext& c, Reporter& r) {
  const ServiceReference& ref = ServiceReference::Get();
  ForEachActionPattern(c, [&](const ValueRef& v, std::string_view service, std::string_view name) {
    if (HasWildcard(service)) return;
    const ServiceInfo* s = ref.FindService(service);
    if (s == nullptr) return;
    std::string lower = match::AsciiLower(name);
    if (!HasWildcard(name)) {
      if (s->action_index.count(lower) > 0) return;
      std::string near = ServiceReference::NearestAction(*s, name);
      r.At(*v.node, v.pointer,
           "action " + Quote(v.text) + " is not in the service reference for `" + s->prefix + "`" +
               (near.empty() ? std::string() : "; did you mean `" + s->prefix + ":" + near + "`?"),
           "check the spelling; if the action is newer than the reference (iam-data " +
               std::string(ref.version()) + "), ignore this warning");
      return;
    }
    for (const std::string& a : s->actions_lower) {
      if (match::GlobMatch(lower, a)) return;
    }
    r.At(*v.node, v.pointer,
         "action pattern " + Quote(v.text) + " matches no action of `" + s->prefix +
             "` in the service reference",
         "check the pattern; if the actions are newer than the reference, ignore this warning");
  });
}

void CheckWildcardInServiceName(const LintContext& c, Reporter& r) {
  ForEachActionPattern(c, [&](const ValueRef& v, std::string_view service, std::string_view) {
    if (!HasWildcard(service)) return;
    r.At(*v.node, v.pointer,
         "wildcard in the service prefix of " + Quote(v.text) +
             ": the prefix is matched literally, so this matches no action",
         "name the service, e.g. `ecr:*`, or use \"*\"");
  });
}

// REDUNDANT_ACTION: does glob `a` match every string glob `b` matches? Both ASCII lower case. Sound
// (never claims coverage that does not hold); a `*` of `b` can only be covered by a `*` of `a`.
bool Covers(std::string_view a, std::string_view b) {
  size_t lit = a.find_first_of("*?");
  if (lit == std::string_view::npos) return a == b;
  if (b.compare(0, lit, a, 0, lit) != 0) return false;  // literal prefixes differ
  // reach[j]: a[0..i) can consume b[0..j).
  std::vector<char> reach(b.size() + 1, 0), next(b.size() + 1, 0);
  reach[lit] = 1;
  for (size_t i = lit; i < a.size(); ++i) {
    std::fill(next.begin(), next.end(), 0);
    char ca = a[i];
    for (size_t j = 0; j <= b.size(); ++j) {
      if (!reach[j]) continue;
      if (ca == '*') {
        for (size_t k = j; k <= b.size(); ++k) next[k] = 1;
        break;
      }
      if (j == b.size()) continue;
      char cb = b[j];
      if (ca == '?' ? cb != '*' : cb == ca) next[j + 1] = 1;
    }
    std::swap(reach, next);
  }
  return reach[b.size()] != 0;
}

void CheckRedundantAction(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    const auto& values = st.action.values;
    if (values.size() < 2) continue;
    // Group by service prefix; "*" covers every group.
    std::map<std::string, std::vector<size_t>> groups;
    std::vector<size_t> stars;
    std::vector<std::string> lower(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      lower[i] = match::AsciiLower(values[i].text);
      if (lower[i] == "*") {
        stars.push_back(i);
        continue;
      }
      auto parts = SplitAction(lower[i]);
      if (!parts || HasWildcard(parts->first)) continue;
      groups[std::string(parts->first)].push_back(i);
    }
    auto report = [&](size_t redundant, size_t by) {
      bool same = lower[redundant] == lower[by];
      r.At(*values[redundant].node, values[redundant].pointer,
           Quote(values[redundant].text) +
               (same ? " repeats " + Quote(values[by].text)
                     : " is already covered by " + Quote(values[by].text)) +
               " in the same statement",
           "remove " + Quote(values[redundant].text));
    };
    for (size_t k = 1; k < stars.size(); ++k) report(stars[k], stars[0]);
    for (auto& [service, idx] : groups) {
      // Only a wildcard pattern covers a different pattern; literal names only repeat.
      std::vector<size_t> wild;
      for (size_t i : idx) {
        if (HasWildcard(lower[i])) wild.push_back(i);
      }
      std::map<std::string_view, size_t> first;
      for (size_t j : idx) {
        if (!stars.empty()) {
          report(j, stars[0]);
          continue;
        }
        auto [it, inserted] = first.emplace(lower[j], j);
        if (!inserted) {
          report(j, it->second);
          continue;
        }
        for (size_t i : wild) {
          if (i == j || lower[i] == lower[j] || !Covers(lower[i], lower[j])) continue;
          if (i > j && Covers(lower[j], lower[i])) continue;  // equivalent: report the later one
          report(j, i);
          break;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Resources (R41–R50)
// ---------------------------------------------------------------------------------------------

void CheckInvalidArnPrefix(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.resource.values) {
      if (v.text.starts_with("arn:") || match::IsStarOnly(v.text)) continue;
      r.At(*v.node, v.pointer,
           "resource " + Quote(v.text) +
               " is neither \"*\" nor an ARN starting with `arn:`; it "
               "matches no resource",
           "write the resource ARN, e.g. `arn:aws:s3:::bucket/*`, or \"*\"");
    }
  }
}

void CheckMissingArnField(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.resource.values) {
      if (!v.text.starts_with("arn:")) continue;
      std::vector<std::string_view> fields = ArnFields(v.text, c.policy.variables_enabled);
      if (fields.size() >= 6) continue;
      r.At(*v.node, v.pointer,
           "resource ARN " + Quote(v.text) + " has " + std::to_string(fields.size()) +
               " of the 6 fields `arn:partition:service:region:account:resource`",
           fields.back().ends_with("*")
               ? "write every field, e.g. `arn:aws:ecr:*:*:repository/*`"
               : "write every field; as written the ARN matches nothing (R48)");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ECR-specific checks (R184–R194)
// ---------------------------------------------------------------------------------------------

void CheckEcrRepoPolicyHasResource(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kRepository)) return;
  for (const StatementView& st : c.policy.statements) {
    if (st.resource.node == nullptr) continue;
    r.At(*st.resource.node, st.resource.pointer,
         std::string("an ECR repository policy must not have `") +
             (st.resource.negated ? "NotResource" : "Resource") +
             "`: the repository is implied and ECR rejects the policy",
         "remove the element; the policy applies to the repository it is attached to");
  }
}

void CheckEcrWildcardOnlyAction(const LintContext& c, Reporter& r) {
  if (!c.IsEcrResourceKind()) return;
  for (const StatementView& st : c.policy.statements) {
    if (st.action.negated) continue;
    for (const ValueRef& v : st.action.values) {
      if (HasWildcard(v.text) || !catalog::IsWildcardOnlyAction(v.text)) continue;
      r.At(*v.node, v.pointer,
           Quote(v.text) + " has no resource type, so a " +
               std::string(model::PolicyKindName(c.options.kind)) +
               " policy cannot grant or deny it (R117); this entry has no effect",
           "grant it in the caller's identity policy with \"Resource\": \"*\"");
    }
  }
}

// Keys whose positive condition narrows `Principal: "*"` to known principals (R186).
constexpr std::string_view kRestrictingKeys[] = {
    "aws:principalorgid",   "aws:principalorgpaths",
    "aws:principalaccount", "aws:principalarn",
    "aws:sourcevpce",       "aws:sourcearn",
    "aws:sourceaccount",    "aws:sourceorgid",
    "aws:sourceorgpaths",   "aws:sourcevpc",
    "aws:userid",           "aws:principalservicename",
};

bool RestrictsPrincipal(const ConditionEntry& e) {
  if (!e.op || model::IsNegatedOperator(*e.op) || *e.op == ConditionOperator::kNull) return false;
  if (e.if_exists || e.qualifier == SetQualifier::kForAllValues) return false;
  return std::find(std::begin(kRestrictingKeys), std::end(kRestrictingKeys), e.key_lower) !=
         std::end(kRestrictingKeys);
}

void CheckEcrPrincipalStarUnrestricted(const LintContext& c, Reporter& r) {
  if (!c.IsEcrResourceKind()) return;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.not_principal || !st.principal_star) continue;
    if (std::any_of(st.conditions.begin(), st.conditions.end(), RestrictsPrincipal)) continue;
    r.At(*st.principal, st.principal_pointer,
         "`Principal: \"*\"` without a condition on `aws:PrincipalOrgID`, `aws:PrincipalAccount`, "
         "`aws:PrincipalArn`, `aws:SourceVpce` or similar allows any authenticated principal in "
         "any account",
         "name the accounts or roles, or add a condition such as "
         "\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-…\"}");
  }
}

// The account a principal value names: the 12-digit id itself or the account field of an
// IAM/STS ARN. Empty when it names no account (a service, "*", a unique id).
std::string PrincipalAccount(std::string_view v) {
  if (v.size() == 12 &&
      std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return std::string(v);
  }
  if (auto parts = match::SplitArn(v)) return std::string((*parts)[4]);
  return {};
}

bool IsWriteAccess(std::string_view level) {
  return level.find("Write") != std::string_view::npos ||
         level.find("Permissions") != std::string_view::npos;
}

void CheckEcrCrossAccountWrite(const LintContext& c, Reporter& r) {
  if (!c.IsEcrResourceKind()) return;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || st.not_principal || st.principal == nullptr) continue;
    std::vector<std::string> external;
    for (const PrincipalEntry& p : st.principals) {
      if (p.type != "AWS" && p.type != "*") continue;
      if (p.value.text == "*") {
        external.push_back("*");
        continue;
      }
      std::string account = PrincipalAccount(p.value.text);
      if (account.empty() || account == c.options.account) continue;
      external.push_back(p.value.text);
    }
    if (external.empty()) continue;
    std::vector<std::string> writes;
    for (const catalog::ActionInfo& a : catalog::Actions()) {
      if (IsWriteAccess(a.access_level) && !a.wildcard_only && Grants(st, a.full_name())) {
        writes.push_back(a.full_name());
      }
    }
    if (writes.empty()) continue;
    std::string msg = "principals " + JoinQuoted(external, 2) + " outside " +
                      (c.options.account.empty() ? std::string("the owning account")
                                                 : "account `" + c.options.account + "`") +
                      " may write to the repository: " + JoinQuoted(writes);
    if (c.options.account.empty()) {
      msg += " (no `--account` given, so every named account counts as external)";
    }
    r.At(*st.principal, st.principal_pointer, std::move(msg),
         "grant external accounts read actions only, or confirm the cross-account write is "
         "intended");
  }
}

void CheckEcrUnmatchableRepositoryPattern(const LintContext& c, Reporter& r) {
  auto check = [&](const ValueRef& v) {
    std::vector<std::string_view> f = ArnFields(v.text, c.policy.variables_enabled);
    if (f.size() != 6 || f[0] != "arn" || f[2] != "ecr" || !f[5].starts_with("repository/")) {
      return;
    }
    std::string name(f[5].substr(11));
    if (c.policy.variables_enabled) name = VariablesAsWildcards(name);
    std::string why;
    if (name.empty()) {
      why = "the repository name is empty";
    } else if (name.front() == '/') {
      why = "it starts with `/`";
    } else if (name.find("//") != std::string::npos) {
      why = "it contains `//`";
    } else if (name.back() == '/') {
      why = "it ends with `/`";
    } else {
      for (char ch : name) {
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                  ch == '-' || ch == '/' || ch == '*' || ch == '?';
        if (!ok) {
          why = (ch >= 'A' && ch <= 'Z') ? "repository names are lower case"
                                         : "it contains " + Quote(std::string(1, ch)) +
                                               ", which repository names cannot";
          break;
        }
      }
    }
    if (why.empty()) return;
    r.At(*v.node, v.pointer,
         "repository pattern " + Quote(v.text) + " can never match a repository: " + why,
         "repository names are lower-case letters, digits and `._-/` (R137)");
  };
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.resource.values) check(v);
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op || model::FamilyOf(*e.op) != OperatorFamily::kArn) continue;
      for (const ValueRef& v : e.values) check(v);
    }
  }
}

constexpr std::string_view kPushActions[] = {"ecr:PutImage", "ecr:InitiateLayerUpload",
                                             "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"};

void CheckEcrPushWithoutLayerCheck(const LintContext& c, Reporter& r) {
  if (!c.IsKind(PolicyKind::kIdentity) && !c.IsEcrResourceKind()) return;
  const StatementView* pusher = nullptr;
  std::vector<std::string> pushes;
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st)) continue;
    if (Grants(st, "ecr:BatchCheckLayerAvailability")) return;
    for (std::string_view a : kPushActions) {
      if (Grants(st, a)) {
        if (pusher == nullptr) pusher = &st;
        if (std::find(pushes.begin(), pushes.end(), a) == pushes.end()) pushes.emplace_back(a);
      }
    }
  }
  if (pusher == nullptr) return;
  r.At(*pusher->action.node, pusher->action.pointer,
       "the policy grants push actions (" + JoinQuoted(pushes) +
           ") but not `ecr:BatchCheckLayerAvailability`, which docker needs before every push",
       "add `ecr:BatchCheckLayerAvailability` to the statement");
}

void CheckEcrNotPrincipalIncomplete(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (!st.not_principal) continue;
    std::set<std::string> accounts;  // accounts listed (id or root ARN)
    std::vector<std::string> roles;  // role ARNs listed
    for (const PrincipalEntry& p : st.principals) {
      if (p.type != "AWS") continue;
      const std::string& v = p.value.text;
      if (v.size() == 12 && PrincipalAccount(v) == v) accounts.insert(v);
      if (auto parts = match::SplitArn(v)) {
        if ((*parts)[5] == "root") accounts.insert(std::string((*parts)[4]));
        if ((*parts)[2] == "iam" && (*parts)[5].starts_with("role/")) roles.push_back(v);
      }
    }
    for (const PrincipalEntry& p : st.principals) {
      if (p.type != "AWS") continue;
      auto parts = match::SplitArn(p.value.text);
      if (!parts) continue;
      std::string_view service = (*parts)[2], res = (*parts)[5];
      std::string account((*parts)[4]);
      bool user = service == "iam" && res.starts_with("user/");
      bool role = service == "iam" && res.starts_with("role/");
      bool session = service == "sts" && res.starts_with("assumed-role/");
      bool federated = service == "sts" && res.starts_with("federated-user/");
      if (!user && !role && !session && !federated) continue;
      std::vector<std::string> missing;
      if (accounts.count(account) == 0) {
        missing.push_back("arn:" + std::string((*parts)[1]) + ":iam::" + account + ":root");
      }
      if (session) {
        std::string_view rest = res.substr(13);
        std::string role_name(rest.substr(0, rest.find('/')));
        bool listed = std::any_of(roles.begin(), roles.end(), [&](const std::string& a) {
          return a.ends_with("/" + role_name) && PrincipalAccount(a) == account;
        });
        if (!listed) {
          missing.push_back("arn:" + std::string((*parts)[1]) + ":iam::" + account + ":role/" +
                            role_name);
        }
      }
      if (missing.empty()) continue;
      r.At(*p.value.node, p.value.pointer,
           "`NotPrincipal` lists " + Quote(p.value.text) + " without " + JoinQuoted(missing) +
               ": AWS may evaluate those first, so the `Deny` can still apply to it",
           "list the principal together with its account (and, for a session, its role); note "
           "that a `Deny` with `NotPrincipal` also denies every principal with a permissions "
           "boundary (R59)");
    }
  }
}

void CheckEcrSourceIpDenyBreaksEndpoints(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (!IsDeny(st)) continue;
    const ConditionEntry* hit = nullptr;
    for (const ConditionEntry& e : st.conditions) {
      if (e.op == ConditionOperator::kNotIpAddress && e.key_lower == "aws:sourceip") hit = &e;
    }
    if (hit == nullptr) continue;
    if (st.HasConditionKey("aws:sourcevpce") || st.HasConditionKey("aws:viaawsservice") ||
        st.HasConditionKey("aws:sourcevpc") || st.HasConditionKey("aws:vpcsourceip")) {
      continue;
    }
    r.AtName(*hit->key_member, c.text, hit->key_pointer,
             "`Deny` with `NotIpAddress` on `aws:SourceIp` also denies every request through a "
             "VPC endpoint and every AWS service acting for the caller: those carry no "
             "`aws:SourceIp`",
             "add a guard such as \"Null\": {\"aws:SourceVpce\": \"true\"} or "
             "\"Bool\": {\"aws:ViaAWSService\": \"false\"}");
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions (R66–R95)
// ---------------------------------------------------------------------------------------------

void CheckForAllValuesWithSingleValuedKey(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (e.qualifier != SetQualifier::kForAllValues || !e.op ||
          *e.op == ConditionOperator::kNull) {
        continue;
      }
      auto type = KeyType(e.key_lower);
      if (!type || IsArrayType(*type)) continue;
      r.AtName(*e.key_member, c.text, e.key_pointer,
               Quote(e.op_member->name) + " on single-valued key " + Quote(e.key_member->name) +
                   " is also true when the key is absent",
               "use `" + std::string(model::ConditionOperatorName(*e.op)) +
                   (e.if_exists ? "IfExists" : "") + "` without `ForAllValues:`");
    }
  }
}

void CheckNullWithQualifier(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (e.op != ConditionOperator::kNull || e.qualifier == SetQualifier::kNone) continue;
      r.AtName(*e.op_member, c.text, e.op_pointer,
               Quote(e.op_member->name) + " is always " +
                   (e.qualifier == SetQualifier::kForAllValues ? "true" : "false") +
                   ", whatever the request",
               "use plain `Null`");
      break;  // one finding per operator block
    }
  }
}

void CheckMissingQualifier(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (e.qualifier != SetQualifier::kNone || !e.op || *e.op == ConditionOperator::kNull) {
        continue;
      }
      auto type = KeyType(e.key_lower);
      if (!type || !IsArrayType(*type)) continue;
      // A global key is multi-valued by definition (R61): ERROR. A service key's type comes from
      // the service reference, which lags and errs (events:detail-type): WARNING.
      bool global = e.key_lower.starts_with("aws:");
      r.Emit(global ? Severity::kError : Severity::kWarning, e.key_member->name_offset,
             EndOfQuotedString(c.text, e.key_member->name_offset), e.key_pointer,
             Quote(e.op_member->name) + " on multi-valued key " + Quote(e.key_member->name) +
                 " never matches a request that carries the key" +
                 (global ? "" : " (type `" + *type + "` per the service reference)"),
             "use `ForAnyValue:" + e.op_member->name + "` (any value matches) or `ForAllValues:" +
                 e.op_member->name + "` (every value matches)");
    }
  }
}

void CheckInvalidConditionMultipleBoolean(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (e.op != ConditionOperator::kBool || e.values.size() < 2) continue;
      r.At(e.key_member->value, e.key_pointer,
           "`Bool` condition on " + Quote(e.key_member->name) + " lists " +
               std::to_string(e.values.size()) + " values; a boolean has one",
           "keep one value, or remove the condition if both `true` and `false` are fine");
    }
  }
}

// Unescaped `*` or `?` in a condition value (under 2012-10-17, `${*}` / `${?}` are literal).
bool ValueHasWildcard(std::string_view text, bool variables) {
  if (!variables) return HasWildcard(text);
  auto tmpl = match::ParseTemplate(text, true);
  if (!tmpl) return false;
  for (const match::TemplatePiece& p : tmpl->pieces) {
    if (p.is_variable) continue;
    for (size_t i = 0; i < p.text.size(); ++i) {
      if (p.text[i] == '\\') {
        ++i;
      } else if (p.text[i] == '*' || p.text[i] == '?') {
        return true;
      }
    }
  }
  return false;
}

void CheckWildcardWithoutLikeOperator(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op) continue;
      ConditionOperator pos = model::PositiveCounterpart(*e.op);
      if (pos != ConditionOperator::kStringEquals &&
          pos != ConditionOperator::kStringEqualsIgnoreCase) {
        continue;
      }
      for (const ValueRef& v : e.values) {
        if (!v.node->is_string() || !ValueHasWildcard(v.text, c.policy.variables_enabled)) {
          continue;
        }
        bool negated = model::IsNegatedOperator(*e.op);
        r.At(*v.node, v.pointer,
             Quote(v.text) + " contains a wildcard but " + Quote(e.op_member->name) +
                 " compares it literally",
             std::string("use `") + (negated ? "StringNotLike" : "StringLike") +
                 "` to match a pattern");
      }
    }
  }
}

// ---- IP ranges (R86, R87, R183) ----

std::string FormatAddress(const match::IpAddress& a) {
  if (!a.v6) {
    return std::to_string(a.bytes[0]) + "." + std::to_string(a.bytes[1]) + "." +
           std::to_string(a.bytes[2]) + "." + std::to_string(a.bytes[3]);
  }
  uint16_t g[8];
  for (int i = 0; i < 8; ++i)
    g[i] = static_cast<uint16_t>(a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
  // Longest run of zero groups (length >= 2) becomes "::" (RFC 5952).
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::string h;
    uint16_t v = g[i];
    do {
      h.insert(h.begin(), kHex[v & 0xF]);
      v >>= 4;
    } while (v != 0);
    out += h;
  }
  return out;
}

void CheckImproveIpRange(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op || model::FamilyOf(*e.op) != OperatorFamily::kIp) continue;
      for (const ValueRef& v : e.values) {
        size_t slash = v.text.find('/');
        if (slash == std::string::npos) continue;
        auto net = match::ParseIpNetwork(v.text);
        auto addr = match::ParseIpAddress(std::string_view(v.text).substr(0, slash));
        if (!net || !addr || addr->v6 != net->address.v6 || addr->bytes == net->address.bytes) {
          continue;
        }
        std::string fixed = FormatAddress(net->address) + "/" + std::to_string(net->prefix);
        r.At(*v.node, v.pointer, Quote(v.text) + " has host bits set; it means `" + fixed + "`",
             "write the network address: `" + fixed + "`");
      }
    }
  }
}

bool IsPrivateNetwork(const match::IpNetwork& n) {
  static const char* kPrivate[] = {"10.0.0.0/8",  "172.16.0.0/12",  "192.168.0.0/16",
                                   "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",
                                   "fc00::/7",    "fe80::/10",      "::1/128"};
  for (const char* p : kPrivate) {
    auto priv = match::ParseIpNetwork(p);
    if (priv && priv->address.v6 == n.address.v6 && n.prefix >= priv->prefix &&
        match::NetworkContains(*priv, n.address)) {
      return true;
    }
  }
  return false;
}

// kAll: every listed range is private; else: some (not all) are.
template <ConditionOperator kOp, bool kAll>
void CheckPrivateIp(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (e.op != kOp || e.key_lower != "aws:sourceip" || e.values.empty()) continue;
      std::vector<std::string> priv;
      size_t valid = 0;
      for (const ValueRef& v : e.values) {
        auto n = match::ParseIpNetwork(v.text);
        if (!n) continue;
        ++valid;
        if (IsPrivateNetwork(*n)) priv.push_back(v.text);
      }
      if (priv.empty() || valid == 0) continue;
      bool all = priv.size() == valid;
      if (all != kAll) continue;
      Severity sev = Severity::kSuggestion;
      if (kAll) {
        sev = c.options.profile == Profile::kSelfHosted ? Severity::kWarning : Severity::kError;
      }
      std::string what = kAll ? "only private ranges (" : "private ranges (";
      r.Emit(sev, e.key_member->name_offset, EndOfQuotedString(c.text, e.key_member->name_offset),
             e.key_pointer,
             Quote(e.op_member->name) + " on `aws:SourceIp` lists " + what + JoinQuoted(priv) +
                 "); on AWS `aws:SourceIp` is always a public address" +
                 (kAll ? (kOp == ConditionOperator::kIpAddress ? ", so this never matches"
                                                               : ", so this always matches")
                       : ""),
             "use `aws:VpcSourceIp` for addresses inside a VPC" +
                 std::string(kAll && c.options.profile == Profile::kAwsParity
                                 ? "; a self-hosted registry sees private addresses "
                                   "(`--profile self-hosted`)"
                                 : ""));
    }
  }
}

// ---- Dates (R80, R81) ----

bool IsDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// YYYY-MM-DD, YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm], or epoch seconds.
bool IsRecommendedDate(std::string_view s) {
  if (IsDigits(s) || (s.size() > 1 && s[0] == '-' && IsDigits(s.substr(1)))) return true;
  auto at = [&](size_t i, char ch) { return i < s.size() && s[i] == ch; };
  auto digits = [&](size_t i, size_t n) { return i + n <= s.size() && IsDigits(s.substr(i, n)); };
  if (!(digits(0, 4) && at(4, '-') && digits(5, 2) && at(7, '-') && digits(8, 2))) return false;
  if (s.size() == 10) return true;
  if (!(at(10, 'T') && digits(11, 2) && at(13, ':') && digits(14, 2) && at(16, ':') &&
        digits(17, 2))) {
    return false;
  }
  size_t i = 19;
  if (at(i, '.')) {
    size_t j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j == i + 1) return false;
    i = j;
  }
  if (i == s.size()) return true;
  if (at(i, 'Z')) return i + 1 == s.size();
  return (at(i, '+') || at(i, '-')) && digits(i + 1, 2) && at(i + 3, ':') && digits(i + 4, 2) &&
         i + 6 == s.size();
}

void CheckInvalidDateValue(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op || model::FamilyOf(*e.op) != OperatorFamily::kDate) continue;
      for (const ValueRef& v : e.values) {
        if (!match::ParseDateMillis(v.text) || IsRecommendedDate(v.text)) continue;
        r.At(*v.node, v.pointer,
             "date " + Quote(v.text) +
                 " is not in a recommended form (`YYYY-MM-DD`, a full ISO 8601 timestamp or "
                 "epoch seconds)",
             "write e.g. `2025-01-31` or `2025-01-31T23:59:59Z`");
      }
    }
  }
}

// ---- Types (R77, R94) ----

enum class TypeFinding { kNone, kGeneric, kBoolean, kDate, kIpRange, kNumber, kString };

// What the (operator family, key type) pair deserves.
TypeFinding ClassifyType(OperatorFamily f, std::string_view key_lower, std::string_view type) {
  if (f == OperatorFamily::kNull) return TypeFinding::kNone;
  std::string_view t = ElementType(type);
  bool string_op = f == OperatorFamily::kString;
  if (t == "String") {
    // ARN operators on String keys that hold ARNs (e.g. kms:EncryptionContext:aws:s3:arn) are
    // what AWS documents; only Numeric, Date, IP, Bool and Binary operators are mismatches.
    return string_op || f == OperatorFamily::kArn ? TypeFinding::kNone : TypeFinding::kString;
  }
  if (t == "ARN") {
    return string_op || f == OperatorFamily::kArn ? TypeFinding::kNone : TypeFinding::kGeneric;
  }
  struct Row {
    std::string_view type;
    OperatorFamily family;
    TypeFinding on_string;
  };
  static constexpr Row kRows[] = {
      {"Bool", OperatorFamily::kBool, TypeFinding::kBoolean},
      {"Date", OperatorFamily::kDate, TypeFinding::kDate},
      {"IPAddress", OperatorFamily::kIp, TypeFinding::kIpRange},
      {"Numeric", OperatorFamily::kNumeric, TypeFinding::kNumber},
      {"Binary", OperatorFamily::kBinary, TypeFinding::kGeneric},
  };
  for (const Row& row : kRows) {
    if (t != row.type) continue;
    if (f == row.family) return TypeFinding::kNone;
    // R82: aws:EpochTime is also compared with Numeric operators.
    if (key_lower == "aws:epochtime" && f == OperatorFamily::kNumeric) return TypeFinding::kNone;
    return string_op ? row.on_string : TypeFinding::kGeneric;
  }
  return TypeFinding::kNone;  // a type we do not model
}

template <TypeFinding kWhich>
void CheckTypeMismatch(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op) continue;
      auto type = KeyType(e.key_lower);
      if (!type) continue;
      OperatorFamily f = model::FamilyOf(*e.op);
      if (ClassifyType(f, e.key_lower, *type) != kWhich) continue;
      std::string t(ElementType(*type));
      r.AtName(*e.key_member, c.text, e.key_pointer,
               "condition key " + Quote(e.key_member->name) + " has type `" + t +
                   "` but operator " + Quote(e.op_member->name) + " compares " +
                   (f == OperatorFamily::kString ? std::string("text") : "a different type"),
               "use a `" + t + "` operator" +
                   (t == "String"      ? std::string(" such as `StringEquals`")
                    : t == "IPAddress" ? std::string(" (`IpAddress` / `NotIpAddress`)")
                    : t == "Numeric"   ? std::string(" such as `NumericLessThan`")
                    : t == "Date"      ? std::string(" such as `DateGreaterThan`")
                    : t == "Bool"      ? std::string(" (`Bool`)")
                                       : std::string()));
    }
  }
}

// ---- Condition keys the actions never supply (R95, ECR only) ----

// Does ECR action `a` supply key `key_lower` (R131, R141, R142)? nullopt: not our business (an
// unknown `ecr:` key or a global key).
std::optional<bool> EcrActionSupplies(const catalog::ActionInfo& a, std::string_view key_lower) {
  auto listed = [&](std::string_view k) {
    return std::any_of(a.condition_keys.begin(), a.condition_keys.end(),
                       [&](const std::string& ck) { return match::AsciiLower(ck) == k; });
  };
  if (key_lower.starts_with("aws:resourcetag/") || key_lower.starts_with("ecr:resourcetag/")) {
    return !a.wildcard_only && a.name != "CreateRepository";  // R142
  }
  if (key_lower.starts_with("aws:requesttag/")) {
    return a.name != "ListTagsForResource" && listed("aws:requesttag/${tagkey}");  // R141
  }
  if (key_lower == "aws:tagkeys") return a.name != "ListTagsForResource" && listed("aws:tagkeys");
  if (key_lower.starts_with("ecr:")) {
    if (key_lower == "ecr:accountsetting") return listed(key_lower);
    return std::nullopt;
  }
  if (key_lower.starts_with("aws:")) return std::nullopt;
  return false;  // another service's key is never in an ECR request
}

void CheckUnsupportedActionForConditionKey(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.action.node == nullptr || st.action.negated || st.action.values.empty() ||
        st.conditions.empty()) {
      continue;
    }
    // Only statements whose actions are all ECR actions.
    std::vector<const catalog::ActionInfo*> actions;
    bool all_ecr = true;
    for (const ValueRef& v : st.action.values) {
      auto parts = SplitAction(v.text);
      if (!parts || !match::AsciiEqualsIgnoreCase(parts->first, "ecr")) {
        all_ecr = false;
        break;
      }
    }
    if (!all_ecr) continue;
    for (const catalog::ActionInfo& a : catalog::Actions()) {
      if (Grants(st, a.full_name())) actions.push_back(&a);
    }
    if (actions.empty()) continue;
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op) continue;
      std::vector<std::string> lacking;
      bool relevant = true;
      for (const catalog::ActionInfo* a : actions) {
        auto s = EcrActionSupplies(*a, e.key_lower);
        if (!s) {
          relevant = false;
          break;
        }
        if (!*s) lacking.push_back(a->full_name());
      }
      if (!relevant || lacking.empty()) continue;
      bool all = lacking.size() == actions.size();
      r.Emit(all ? Severity::kError : Severity::kWarning, e.key_member->name_offset,
             EndOfQuotedString(c.text, e.key_member->name_offset), e.key_pointer,
             "condition key " + Quote(e.key_member->name) + " is never present for " +
                 JoinQuoted(lacking) +
                 (all ? ": the condition can never match as intended"
                      : ", so the condition behaves differently for those actions"),
             all ? "remove the key or change the actions"
                 : "split the statement so the key applies only to actions that supply it");
    }
  }
}

// R95 for `ecr:` keys in statements that are not all-ECR (all-ECR statements are
// UNSUPPORTED_ACTION_FOR_CONDITION_KEY's): no ECR action the statement grants supplies the key,
// and no other service supplies an `ecr:` key.
void CheckMissingActionForConditionKey(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.action.node == nullptr || st.action.negated || st.action.values.empty()) continue;
    bool has_ecr_key = std::any_of(st.conditions.begin(), st.conditions.end(), [](const auto& e) {
      return e.key_member != nullptr && e.key_lower.starts_with("ecr:");
    });
    if (!has_ecr_key) continue;
    bool all_ecr = std::all_of(st.action.values.begin(), st.action.values.end(), [](const auto& v) {
      auto parts = SplitAction(v.text);
      return parts && match::AsciiEqualsIgnoreCase(parts->first, "ecr");
    });
    if (all_ecr) continue;
    std::vector<const catalog::ActionInfo*> actions;
    for (const catalog::ActionInfo& a : catalog::Actions()) {
      if (Grants(st, a.full_name())) actions.push_back(&a);
    }
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op || e.key_member == nullptr || !e.key_lower.starts_with("ecr:") ||
          e.key_lower.ends_with("/")) {
        continue;  // `ecr:ResourceTag/` is MISSING_TAG_KEY_IN_CONDITION's
      }
      bool judged = true, supplied = false;
      catalog::ActionInfo probe;  // an unknown `ecr:` key is INVALID_SERVICE_CONDITION_KEY's
      if (!EcrActionSupplies(probe, e.key_lower)) judged = false;
      for (const catalog::ActionInfo* a : actions) {
        auto s = EcrActionSupplies(*a, e.key_lower);
        if (!s) judged = false;
        if (s && *s) supplied = true;
      }
      if (!judged || supplied) continue;
      r.AtName(*e.key_member, c.text, e.key_pointer,
               "condition key " + Quote(e.key_member->name) +
                   " is present only for the ECR actions that support it, and this statement "
                   "names none of them: the condition never matches as intended",
               "add the ECR actions the key is meant for, or remove the key");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Principals and size
// ---------------------------------------------------------------------------------------------

void CheckAllowWithNotPrincipal(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (!IsAllow(st) || !st.not_principal) continue;
    if (c.ParserReportedAt(st.principal_pointer)) continue;  // rejected (ECR kinds, R24)
    r.At(*st.principal, st.principal_pointer,
         "`Allow` with `NotPrincipal` grants access to every principal not listed, including "
         "anonymous ones",
         "use `Principal` to name who is allowed");
  }
}

// R32–R34. The parser runs without its size check; the linter reports the quota with the right
// severity (Access Analyzer: IAM and resource quotas are warnings, SCP/RCP quotas errors).
template <PolicyKind... kKinds>
void CheckPolicySize(const LintContext& c, Reporter& r) {
  if (!c.options.enforce_size_limit) return;
  if (!((c.options.kind == kKinds) || ...)) return;
  parse::PolicySize size = parse::MeasurePolicy(c.text);
  parse::SizeLimit limit = parse::SizeLimitFor(c.options.kind);
  size_t measured = limit.counts_whitespace ? size.characters : size.without_whitespace;
  if (measured <= limit.limit) return;
  std::string kind(model::PolicyKindName(c.options.kind));
  std::string msg = "policy is " + std::to_string(measured) + " characters" +
                    (limit.counts_whitespace ? " (whitespace counted)" : " without whitespace") +
                    ", over the " + kind + " policy limit of " + std::to_string(limit.limit);
  if (c.IsEcrResourceKind()) {
    // R34: report both measures; IAM would count the same text without whitespace.
    msg += "; without whitespace it is " + std::to_string(size.without_whitespace);
  }
  uint32_t begin = c.policy.root != nullptr ? c.policy.root->begin : 0;
  r.Span(begin, begin + 1, "", std::move(msg),
         limit.counts_whitespace ? "remove whitespace and merge statements"
                                 : "merge statements or split the policy");
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

using S = Severity;
using CO = ConditionOperator;

const std::vector<CheckRow> kTable = {
    {{"MISSING_VERSION", S::kWarning, "R9", "the policy has no `Version` element"},
     CheckMissingVersion},
    {{"VARIABLE_UNSUPPORTED_IN_VERSION", S::kError, "R10",
      "a `${…}` policy variable in a 2008-10-17 (or version-less) policy is literal text"},
     CheckVariableUnsupportedInVersion},
    {{"ECR_VARIABLE_IN_2008_POLICY", S::kError, "R196, R10",
      "ECR alias of VARIABLE_UNSUPPORTED_IN_VERSION for repository and registry policies"},
     CheckEcrVariableIn2008Policy},
    {{"ID_IN_IDENTITY_POLICY", S::kWarning, "R11", "`Id` in an identity or boundary policy"},
     CheckIdInIdentityPolicy},
    {{"UNIQUE_SIDS_RECOMMENDED", S::kWarning, "R13",
      "two statements of a resource policy, SCP or RCP share a `Sid`"},
     CheckUniqueSidsRecommended},
    {{"EMPTY_SID_VALUE", S::kSuggestion, "R13", "a `Sid` is the empty string"}, CheckEmptySidValue},
    {{"EMPTY_ARRAY_ACTION", S::kSuggestion, "R23", "`Action` or `NotAction` is `[]`"},
     CheckEmptyArrayAction},
    {{"EMPTY_ARRAY_RESOURCE", S::kSuggestion, "R23", "`Resource` or `NotResource` is `[]`"},
     CheckEmptyArrayResource},
    {{"EMPTY_ARRAY_PRINCIPAL", S::kSuggestion, "R23", "a principal entry is `[]`"},
     CheckEmptyArrayPrincipal},
    {{"EMPTY_OBJECT_PRINCIPAL", S::kSuggestion, "R23", "`Principal` or `NotPrincipal` is `{}`"},
     CheckEmptyObjectPrincipal},
    {{"EMPTY_OBJECT_CONDITION", S::kSuggestion, "R20",
      "`Condition` or one of its operator blocks is `{}`"},
     CheckEmptyObjectCondition},
    {{"EMPTY_ARRAY_CONDITION", S::kSuggestion, "R96",
      "a plain condition operator has a key with `[]` values (--aws-compat)"},
     CheckEmptyArrayCondition<SetQualifier::kNone, false>},
    {{"EMPTY_ARRAY_CONDITION_IFEXISTS", S::kSuggestion, "R96",
      "an `…IfExists` operator has a key with `[]` values (--aws-compat)"},
     CheckEmptyArrayCondition<SetQualifier::kNone, true>},
    {{"EMPTY_ARRAY_CONDITION_FORALLVALUES", S::kSuggestion, "R96",
      "a `ForAllValues:` operator has a key with `[]` values (--aws-compat)"},
     CheckEmptyArrayCondition<SetQualifier::kForAllValues, false>},
    {{"EMPTY_ARRAY_CONDITION_FORANYVALUE", S::kSuggestion, "R96",
      "a `ForAnyValue:` operator has a key with `[]` values (--aws-compat)"},
     CheckEmptyArrayCondition<SetQualifier::kForAnyValue, false>},
    {{"SCP_SYNTAX_ERROR_ACTION_WILDCARD", S::kError, "R26",
      "an SCP action has a wildcard other than one trailing `*`"},
     CheckScpActionWildcard},
    {{"SCP_SYNTAX_ERROR_ALLOW_CONDITION", S::kError, "R26", "an SCP `Allow` has a `Condition`"},
     CheckScpAllowCondition},
    {{"SCP_SYNTAX_ERROR_ALLOW_NOTACTION", S::kError, "R26", "an SCP `Allow` uses `NotAction`"},
     CheckScpAllowNotAction},
    {{"SCP_SYNTAX_ERROR_ALLOW_RESOURCE", S::kError, "R26",
      "an SCP `Allow` has a `Resource` other than \"*\""},
     CheckScpAllowResource},
    {{"SCP_SYNTAX_ERROR_NOTRESOURCE", S::kError, "R26", "an SCP uses `NotResource`"},
     CheckScpNotResource},
    {{"SCP_SYNTAX_ERROR_PRINCIPAL", S::kError, "R26", "an SCP has `Principal` or `NotPrincipal`"},
     CheckScpPrincipal},
    {{"INVALID_SERVICE", S::kWarning, "R40",
      "an action's service prefix is not in the service reference"},
     CheckInvalidService},
    {{"INVALID_ACTION", S::kWarning, "R40",
      "an action (or pattern) of a known service is not in the service reference"},
     CheckInvalidAction},
    {{"WILDCARD_IN_SERVICE_NAME", S::kSuggestion, "R37",
      "the service prefix of an action contains `*` or `?`"},
     CheckWildcardInServiceName},
    {{"REDUNDANT_ACTION", S::kSuggestion, "R36",
      "an action is covered by another action of the same statement"},
     CheckRedundantAction},
    {{"INVALID_ARN_PREFIX", S::kError, "R41, R44",
      "a resource is neither \"*\" nor an ARN starting with `arn:`"},
     CheckInvalidArnPrefix},
    {{"MISSING_ARN_FIELD", S::kError, "R48", "a resource ARN has fewer than six fields"},
     CheckMissingArnField},
    {{"INVALID_ARN_SERVICE_CASE", S::kError, "R46",
      "the service of a resource ARN is not lower case (matches nothing)"},
     CheckInvalidArnServiceCase},
    {{"WILDCARD_IN_ARN_SERVICE", S::kError, "R47",
      "a wildcard in the service segment of a resource ARN"},
     CheckWildcardInArnService},
    {{"INVALID_PARTITION", S::kError, "R41", "the partition of a resource ARN is not a partition"},
     CheckInvalidPartition},
    {{"INVALID_ARN_REGION", S::kError, "R41", "the region of a resource ARN is not a region code"},
     CheckInvalidArnRegion},
    {{"INVALID_ARN_ACCOUNT", S::kError, "R41",
      "the account of a resource ARN is not a 12-digit account id"},
     CheckInvalidArnAccount},
    {{"INVALID_ARN_RESOURCE", S::kWarning, "R41, R45",
      "the resource part of an ARN matches no resource type of its service (service reference)"},
     CheckInvalidArnResource},
    {{"MISSING_ARN_REGION", S::kWarning, "R41",
      "an ARN without a region where every resource type it could name has one"},
     CheckMissingArnRegion},
    {{"ARN_REGION_NOT_ALLOWED", S::kWarning, "R41",
      "an ARN with a region where no resource type it could name has one (e.g. S3 buckets)"},
     CheckArnRegionNotAllowed},
    {{"MISSING_ARN_ACCOUNT", S::kWarning, "R41",
      "an ARN without an account where every resource type it could name has one"},
     CheckMissingArnAccount},
    {{"ARN_ACCOUNT_NOT_ALLOWED", S::kWarning, "R41",
      "an ARN with an account where no resource type it could name has one (e.g. S3 buckets)"},
     CheckArnAccountNotAllowed},
    {{"RESOURCE_ARN_NOT_MATCHING_ACTION", S::kWarning, "R41, R45",
      "a resource ARN is no resource type of any service of the statement's actions"},
     CheckResourceArnNotMatchingAction},
    {{"REDUNDANT_RESOURCE", S::kSuggestion, "R45, R50",
      "a resource covered by another of the same statement (`*`, a trailing-`*` prefix, a repeat)"},
     CheckRedundantResource},
    {{"ECR_REPO_POLICY_HAS_RESOURCE", S::kError, "R184",
      "an ECR repository policy has `Resource` or `NotResource`"},
     CheckEcrRepoPolicyHasResource},
    {{"ECR_RESOURCE_POLICY_WILDCARD_ONLY_ACTION", S::kWarning, "R185",
      "an ECR resource policy lists a wildcard-only action such as `ecr:GetAuthorizationToken`"},
     CheckEcrWildcardOnlyAction},
    {{"ECR_PRINCIPAL_STAR_UNRESTRICTED", S::kSecurityWarning, "R186",
      "`Allow` to `Principal: \"*\"` with no organization, account or ARN condition"},
     CheckEcrPrincipalStarUnrestricted},
    {{"ECR_CROSS_ACCOUNT_WRITE", S::kSecurityWarning, "R187",
      "an external account (or \"*\") may use a Write or Permissions-management ECR action"},
     CheckEcrCrossAccountWrite},
    {{"ECR_POLICY_LOCKOUT", S::kError, "R188, R118",
      "the repository policy denies the owner's root and administrators `SetRepositoryPolicy` "
      "(WARNING when only a conditional Deny does, in a typical request context)"},
     CheckEcrPolicyLockout},
    {{"ECR_UNMATCHABLE_REPOSITORY_PATTERN", S::kWarning, "R190",
      "a repository ARN pattern can never match a valid repository name"},
     CheckEcrUnmatchableRepositoryPattern},
    {{"ECR_PUSH_WITHOUT_LAYER_CHECK", S::kWarning, "R191",
      "push actions granted without `ecr:BatchCheckLayerAvailability`"},
     CheckEcrPushWithoutLayerCheck},
    {{"ECR_NOTPRINCIPAL_INCOMPLETE", S::kWarning, "R193, R58",
      "`NotPrincipal` lists a user, role or session without its account (and role) ARNs"},
     CheckEcrNotPrincipalIncomplete},
    {{"ECR_SOURCEIP_DENY_BREAKS_ENDPOINTS", S::kWarning, "R194, R89",
      "`Deny` + `NotIpAddress` on `aws:SourceIp` without a VPC-endpoint or AWS-service guard"},
     CheckEcrSourceIpDenyBreaksEndpoints},
    {{"ECR_REGISTRY_POLICY_SCOPE_V1", S::kError, "R189, R127",
      "a registry policy names an action other than ReplicateImage, BatchImportUpstreamImage, "
      "CreateRepository while the registry scope is V1"},
     CheckEcrRegistryPolicyScopeV1},
    {{"FORALLVALUES_WITH_SINGLE_VALUED_KEY", S::kSecurityWarning, "R74",
      "`ForAllValues:` on a single-valued key (true when the key is absent)"},
     CheckForAllValuesWithSingleValuedKey},
    {{"NULL_WITH_QUALIFIER", S::kSuggestion, "R73",
      "`ForAllValues:Null` / `ForAnyValue:Null` (constant true / false)"},
     CheckNullWithQualifier},
    {{"MISSING_QUALIFIER", S::kError, "R66",
      "a plain operator on a multi-valued key (WARNING when the key's type comes from the "
      "service reference)"},
     CheckMissingQualifier},
    {{"UNSUPPORTED_GLOBAL_CONDITION_KEY", S::kError, "R31",
      "`aws:ARN` is not a condition key (use `aws:PrincipalArn` or `aws:SourceArn`)"},
     CheckUnsupportedGlobalConditionKey},
    {{"MISSING_TAG_KEY_IN_CONDITION", S::kError, "R31",
      "a tag condition key without the tag name (`aws:ResourceTag/`)"},
     CheckMissingTagKeyInCondition},
    {{"INVALID_GLOBAL_CONDITION_KEY", S::kWarning, "R31",
      "an `aws:` condition key that is not a global condition key"},
     CheckInvalidGlobalConditionKey},
    {{"INVALID_SERVICE_CONDITION_KEY", S::kWarning, "R31",
      "a condition key of a known service that the service reference does not list"},
     CheckInvalidServiceConditionKey},
    {{"INVALID_CONDITION_MULTIPLE_BOOLEAN", S::kError, "R83",
      "a `Bool` condition lists more than one value"},
     CheckInvalidConditionMultipleBoolean},
    {{"WILDCARD_WITHOUT_LIKE_OPERATOR", S::kWarning, "R76",
      "a `StringEquals`-family value contains `*` or `?`"},
     CheckWildcardWithoutLikeOperator},
    {{"IMPROVE_IP_RANGE", S::kSuggestion, "R87", "an IP range has host bits set"},
     CheckImproveIpRange},
    {{"PRIVATE_IP_ADDRESS", S::kError, "R183",
      "`IpAddress` on `aws:SourceIp` lists only private ranges (WARNING with self-hosted)"},
     CheckPrivateIp<CO::kIpAddress, true>},
    {{"PRIVATE_NOT_IP_ADDRESS", S::kError, "R183",
      "`NotIpAddress` on `aws:SourceIp` lists only private ranges (WARNING with self-hosted)"},
     CheckPrivateIp<CO::kNotIpAddress, true>},
    {{"PRIVATE_IP_ADDRESS_SUBSET", S::kSuggestion, "R183",
      "`IpAddress` on `aws:SourceIp` lists some private ranges"},
     CheckPrivateIp<CO::kIpAddress, false>},
    {{"PRIVATE_NOT_IP_ADDRESS_SUBSET", S::kSuggestion, "R183",
      "`NotIpAddress` on `aws:SourceIp` lists some private ranges"},
     CheckPrivateIp<CO::kNotIpAddress, false>},
    {{"INVALID_DATE_VALUE", S::kWarning, "R81",
      "a date value is not `YYYY-MM-DD`, a full timestamp or epoch seconds"},
     CheckInvalidDateValue},
    {{"INVALID_REGION", S::kError, "R78–R91",
      "an `aws:RequestedRegion` value is not a region name"},
     CheckInvalidRegion},
    {{"INVALID_VPC_FORMAT", S::kError, "R78–R91",
      "an `aws:SourceVpc` value is not `vpc-` and 8 or 17 letters or digits"},
     CheckInvalidVpcFormat},
    {{"INVALID_VPCE_FORMAT", S::kError, "R78–R91",
      "an `aws:SourceVpce` value is not `vpce-` and 8 or 17 letters or digits"},
     CheckInvalidVpceFormat},
    {{"REDUNDANT_CONDITION_VALUE_NUM", S::kSuggestion, "R78",
      "a numeric condition lists the same number twice"},
     CheckRedundantConditionValueNum},
    {{"TYPE_MISMATCH", S::kWarning, "R94",
      "a non-string operator of the wrong type for the key (e.g. `NumericLessThan` on an IP key)"},
     CheckTypeMismatch<TypeFinding::kGeneric>},
    {{"TYPE_MISMATCH_BOOLEAN", S::kWarning, "R77", "a string operator on a `Bool` key"},
     CheckTypeMismatch<TypeFinding::kBoolean>},
    {{"TYPE_MISMATCH_DATE", S::kWarning, "R77", "a string operator on a `Date` key"},
     CheckTypeMismatch<TypeFinding::kDate>},
    {{"TYPE_MISMATCH_IP_RANGE", S::kWarning, "R77", "a string operator on an `IPAddress` key"},
     CheckTypeMismatch<TypeFinding::kIpRange>},
    {{"TYPE_MISMATCH_NUMBER", S::kWarning, "R77", "a string operator on a `Numeric` key"},
     CheckTypeMismatch<TypeFinding::kNumber>},
    {{"TYPE_MISMATCH_STRING", S::kWarning, "R77", "a non-string operator on a `String` key"},
     CheckTypeMismatch<TypeFinding::kString>},
    {{"UNSUPPORTED_ACTION_FOR_CONDITION_KEY", S::kError, "R95",
      "an ECR statement conditions on a key its actions never supply (WARNING when only some "
      "lack it)"},
     CheckUnsupportedActionForConditionKey},
    {{"MISSING_ACTION_FOR_CONDITION_KEY", S::kError, "R95",
      "an `ecr:` condition key in a statement none of whose actions supplies it"},
     CheckMissingActionForConditionKey},
    {{"ALLOW_WITH_NOT_PRINCIPAL", S::kSecurityWarning, "R24",
      "`Allow` with `NotPrincipal` (rejected outright in repository policies)"},
     CheckAllowWithNotPrincipal},
    {{"ALLOW_NOTACTION_ON_ALL_RESOURCES", S::kSecurityWarning, "R39",
      "`Allow` with `NotAction` on `Resource: \"*\"` grants every other action of every service"},
     CheckAllowNotActionOnAllResources},
    {{"DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", S::kSecurityWarning, "R95",
      "a `Deny` conditioned on a tag key that some services of its actions never supply"},
     CheckUnsupportedTagConditionKey<Effect::kDeny, false>},
    {{"DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", S::kSecurityWarning, "R95",
      "a `Deny` with `NotAction` conditioned on a tag key that some services never supply"},
     CheckUnsupportedTagConditionKey<Effect::kDeny, true>},
    {{"ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", S::kSuggestion, "R95",
      "an `Allow` conditioned on a tag key that some services of its actions never supply"},
     CheckUnsupportedTagConditionKey<Effect::kAllow, false>},
    {{"ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", S::kSuggestion, "R95",
      "an `Allow` with `NotAction` conditioned on a tag key that some services never supply"},
     CheckUnsupportedTagConditionKey<Effect::kAllow, true>},
    {{"PASS_ROLE_WITH_STAR_IN_RESOURCE", S::kSecurityWarning, "§9.2",
      "`iam:PassRole` on a resource with `*` (identity policies)"},
     CheckPassRole<PassRoleAction::kLiteral, PassRoleResource::kStar>},
    {{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", S::kSecurityWarning, "§9.2",
      "a wildcard action covering `iam:PassRole` on a resource with `*` (identity policies)"},
     CheckPassRole<PassRoleAction::kStar, PassRoleResource::kStar>},
    {{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", S::kSecurityWarning, "§9.2",
      "a `NotAction` leaving `iam:PassRole` allowed on a resource with `*` (identity policies)"},
     CheckPassRole<PassRoleAction::kNotAction, PassRoleResource::kStar>},
    {{"PASS_ROLE_WITH_NOT_RESOURCE", S::kSecurityWarning, "§9.2",
      "`iam:PassRole` with `NotResource` (identity policies)"},
     CheckPassRole<PassRoleAction::kLiteral, PassRoleResource::kNotResource>},
    {{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", S::kSecurityWarning, "§9.2",
      "a wildcard action covering `iam:PassRole` with `NotResource` (identity policies)"},
     CheckPassRole<PassRoleAction::kStar, PassRoleResource::kNotResource>},
    {{"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", S::kSecurityWarning, "§9.2",
      "a `NotAction` leaving `iam:PassRole` allowed, with `NotResource` (identity policies)"},
     CheckPassRole<PassRoleAction::kNotAction, PassRoleResource::kNotResource>},
    {{"MISSING_PAIRED_CONDITION_KEYS", S::kSecurityWarning, "§9.2",
      "`aws:VpcSourceIp` in an `Allow` without `aws:SourceVpc` or `aws:SourceVpce`"},
     CheckMissingPairedConditionKeys},
    {{"RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", S::kSecurityWarning, "§9.2",
      "a resource policy allows a service principal without `aws:SourceArn`, "
      "`aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths`"},
     CheckRestrictAccessToServicePrincipal},
    {{"UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", S::kError, "R95, R105, R146",
      "a resource policy statement whose principals are all service principals conditions on a "
      "principal key (`aws:PrincipalArn`, `aws:PrincipalAccount`, …) they never carry"},
     CheckUnsupportedConditionKeyForServicePrincipal},
    {{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", S::kWarning, "R32, R33",
      "identity, boundary or session policy over its size quota (whitespace not counted)"},
     CheckPolicySize<PolicyKind::kIdentity, PolicyKind::kPermissionsBoundary,
                     PolicyKind::kSession>},
    {{"POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", S::kWarning, "R32, R34",
      "repository, registry or resource policy over its size quota (whitespace counted)"},
     CheckPolicySize<PolicyKind::kRepository, PolicyKind::kRegistry, PolicyKind::kResource>},
    {{"POLICY_SIZE_EXCEEDS_SCP_QUOTA", S::kError, "R32", "SCP over 5,120 characters"},
     CheckPolicySize<PolicyKind::kScp>},
    {{"POLICY_SIZE_EXCEEDS_RCP_QUOTA", S::kError, "R32", "RCP over 5,120 characters"},
     CheckPolicySize<PolicyKind::kRcp>},
    {{"W_NON_LATIN1", S::kWarning, "R7",
      "a resource policy, SCP or RCP contains characters outside Latin-1 (IAM would reject them)"},
     CheckNonLatin1},
    {{"CONDITION_NEVER_TRUE", S::kWarning, "R64–R96",
      "no request context satisfies a statement's conditions on some key: it never applies"},
     CheckConditionNeverTrue},
    {{"CONDITION_ALWAYS_TRUE", S::kWarning, "R64–R96",
      "a condition clause is true for every request context: it restricts nothing"},
     CheckConditionAlwaysTrue},
    {{"ALLOW_ALWAYS_OVERRIDDEN", S::kWarning, "R106–R125",
      "every request an `Allow` matches is also denied by an unconditional `Deny` of the policy"},
     CheckAllowAlwaysOverridden},
    {{"REDUNDANT_STATEMENT", S::kSuggestion, "R106–R125",
      "an unconditional `Allow` covered by another unconditional `Allow` of the policy"},
     CheckRedundantStatement},
};

}  // namespace

const std::vector<CheckRow>& CheckTable() { return kTable; }

bool LintContext::ParserReportedAt(std::string_view pointer) const {
  return std::any_of(parser_findings.begin(), parser_findings.end(),
                     [&](const Finding& f) { return f.location.pointer == pointer; });
}

void Reporter::AtName(const json::Member& member, std::string_view text, std::string pointer,
                      std::string message, std::string hint) {
  Emit(check_.severity, member.name_offset, EndOfQuotedString(text, member.name_offset),
       std::move(pointer), std::move(message), std::move(hint));
}

void Reporter::Span(uint32_t begin, uint32_t end, std::string pointer, std::string message,
                    std::string hint) {
  Emit(check_.severity, begin, end, std::move(pointer), std::move(message), std::move(hint));
}

void Reporter::Emit(Severity severity, uint32_t begin, uint32_t end, std::string pointer,
                    std::string message, std::string hint) {
  Finding f;
  f.code = std::string(check_.code);
  f.severity = severity;
  f.message = std::move(message);
  f.hint = std::move(hint);
  f.location.pointer = std::move(pointer);
  f.location.offset = begin;
  f.end_offset = std::max(begin, end);
  out_.push_back(std::move(f));
}

void Reporter::Supersede(std::string code, std::string pointer) {
  superseded_.emplace_back(std::move(code), std::move(pointer));
}

uint32_t EndOfQuotedString(std::string_view text, uint32_t offset) {
  if (offset >= text.size() || text[offset] != '"') return offset;
  for (size_t i = offset + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return static_cast<uint32_t>(i + 1);
    }
  }
  return static_cast<uint32_t>(text.size());
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 80;
  if (s.size() > kMax) {
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    return "`" + std::string(s.substr(0, cut)) + "…`";
  }
  return "`" + std::string(s) + "`";
}

}  // namespace policy_engine::lint
