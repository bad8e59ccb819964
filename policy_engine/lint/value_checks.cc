// Condition-value checks of docs/policy-semantics.md §9.2 (R78–R91): region and VPC id formats,
// repeated numeric values; and the service-principal key check (R95, R105, R146).
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "policy_engine/lint/checks.h"
#include "policy_engine/match/match.h"

namespace policy_engine::lint {
namespace {

using model::ConditionOperator;
using model::OperatorFamily;
using model::PolicyKind;

bool IsLower(char ch) { return ch >= 'a' && ch <= 'z'; }
bool IsDigit(char ch) { return ch >= '0' && ch <= '9'; }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// ^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$ (§9.2), plus the European Sovereign Cloud's
// `eusc-de-east-1` shape, which INVALID_ARN_REGION accepts too.
bool IsRegionName(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '-') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 3 || parts.size() > 4 || !AllOf(parts.back(), IsDigit)) return false;
  for (size_t k = 0; k + 1 < parts.size(); ++k) {
    if (!AllOf(parts[k], IsLower)) return false;
  }
  if (parts.size() == 3) return parts[0].size() == 2;
  if (parts[0] == "eusc") return parts[1].size() == 2;
  return parts[0].size() == 2 && (parts[1] == "gov" || parts[1].starts_with("iso"));
}

// `prefix` + 8 or 17 lowercase letters or digits (§9.2).
bool IsIdWithPrefix(std::string_view s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  std::string_view rest = s.substr(prefix.size());
  return (rest.size() == 8 || rest.size() == 17) &&
         std::all_of(rest.begin(), rest.end(), [](char ch) { return IsLower(ch) || IsDigit(ch); });
}

bool IsLikeOperator(ConditionOperator op) {
  ConditionOperator pos = model::PositiveCounterpart(op);
  return pos == ConditionOperator::kStringLike;
}
bool IsIgnoreCaseOperator(ConditionOperator op) {
  return model::PositiveCounterpart(op) == ConditionOperator::kStringEqualsIgnoreCase;
}

// Reports every string-operator value of a key in `keys_lower` that `valid` rejects. Values with a
// policy variable are not judged; wildcards are only meaningful with `StringLike` (a wildcard
// under `StringEquals` is WILDCARD_WITHOUT_LIKE_OPERATOR's finding, not reported twice).
template <typename Valid>
void CheckValueFormat(const LintContext& c, Reporter& r,
                      std::initializer_list<std::string_view> keys, Valid valid,
                      std::string_view what, std::string_view example) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op || e.key_member == nullptr || model::FamilyOf(*e.op) != OperatorFamily::kString) {
        continue;
      }
      if (std::find(keys.begin(), keys.end(), e.key_lower) == keys.end()) continue;
      for (const ValueRef& v : e.values) {
        if (!v.node->is_string() || v.text.find("${") != std::string::npos) continue;
        if (HasWildcard(v.text)) continue;  // a pattern (Like) or WILDCARD_WITHOUT_LIKE_OPERATOR
        std::string text = IsIgnoreCaseOperator(*e.op) ? match::AsciiLower(v.text) : v.text;
        if (valid(text)) continue;
        r.At(*v.node, v.pointer,
             Quote(v.text) + " is not " + std::string(what) + ", so " + Quote(e.key_member->name) +
                 " never equals it",
             "write " + std::string(what) + " such as `" + std::string(example) + "`" +
                 (IsLikeOperator(*e.op) ? "" : ", or use `StringLike` for a pattern"));
      }
    }
  }
}

// A numeric condition value as a double; nullopt when it is not a plain decimal number.
std::optional<double> NumericValue(std::string_view s) {
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return d;
}

}  // namespace

void CheckInvalidRegion(const LintContext& c, Reporter& r) {
  CheckValueFormat(c, r, {"aws:requestedregion"}, IsRegionName, "a region name", "us-east-1");
}

void CheckInvalidVpcFormat(const LintContext& c, Reporter& r) {
  CheckValueFormat(
      c, r, {"aws:sourcevpc"}, [](std::string_view s) { return IsIdWithPrefix(s, "vpc-"); },
      "a VPC id (`vpc-` and 8 or 17 lowercase letters or digits)", "vpc-1a2b3c4d");
}

void CheckInvalidVpceFormat(const LintContext& c, Reporter& r) {
  CheckValueFormat(
      c, r, {"aws:sourcevpce"}, [](std::string_view s) { return IsIdWithPrefix(s, "vpce-"); },
      "a VPC endpoint id (`vpce-` and 8 or 17 lowercase letters or digits)", "vpce-1a2b3c4d");
}

void CheckRedundantConditionValueNum(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    for (const ConditionEntry& e : st.conditions) {
      if (!e.op || model::FamilyOf(*e.op) != OperatorFamily::kNumeric || e.values.size() < 2) {
        continue;
      }
      std::vector<std::pair<double, const ValueRef*>> seen;
      for (const ValueRef& v : e.values) {
        auto d = NumericValue(v.text);
        if (!d) continue;  // not a number: the parser's INVALID_CONDITION_DATA_TYPE
        auto it =
            std::find_if(seen.begin(), seen.end(), [&](const auto& p) { return p.first == *d; });
        if (it != seen.end()) {
          r.At(*v.node, v.pointer,
               Quote(v.text) + " repeats the value " + Quote(it->second->text) + " of " +
                   Quote(e.op_member->name) + " on " + Quote(e.key_member->name),
               "remove the repeated value");
          continue;
        }
        seen.emplace_back(*d, &v);
      }
    }
  }
}

// R105/R146: a request made by a service principal carries no principal ARN, account,
// organization, tags, user id or user name, so a condition on them never matches as intended
// (Null aside, which tests exactly that absence).
void CheckUnsupportedConditionKeyForServicePrincipal(const LintContext& c, Reporter& r) {
  if (!c.IsEcrResourceKind() && !c.IsKind(PolicyKind::kResource)) return;
  auto principal_key = [](std::string_view k) {
    return k == "aws:principalarn" || k == "aws:principalaccount" || k == "aws:principalorgid" ||
           k == "aws:principalorgpaths" || k == "aws:userid" || k == "aws:username" ||
           (k.starts_with("aws:principaltag/") && k.size() > 17);
  };
  for (const StatementView& st : c.policy.statements) {
    if (st.not_principal || st.principal_star || st.principals.empty()) continue;
    bool only_services = std::all_of(st.principals.begin(), st.principals.end(),
                                     [](const PrincipalEntry& p) { return p.type == "Service"; });
    if (!only_services) continue;
    for (const ConditionEntry& e : st.conditions) {
      if (e.key_member == nullptr || !e.op || *e.op == ConditionOperator::kNull) continue;
      if (!principal_key(e.key_lower)) continue;
      r.AtName(*e.key_member, c.text, e.key_pointer,
               "condition key " + Quote(e.key_member->name) +
                   " is never present in a request made by a service principal, and this "
                   "statement's principals are all service principals",
               "restrict the service with `aws:SourceAccount`, `aws:SourceArn` or "
               "`aws:SourceOrgID` instead");
    }
  }
}

}  // namespace policy_engine::lint
