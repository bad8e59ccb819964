// Semantic lints (docs/lint.md "Semantic checks"): findings about what a statement can do, proved
// with the engine's own matchers and the reference evaluator's clause semantics rather than
// guessed from the text. Every check here is conservative: it reports only what is certain, and
// stays silent whenever the argument needs something it does not model (policy variables in
// condition values, multi-valued keys, ARN or IP conditions, NotPrincipal, …).
//
//  * CONDITION_NEVER_TRUE — a statement whose conditions no request context satisfies.
//  * CONDITION_ALWAYS_TRUE — a condition clause every request context satisfies.
//  * ALLOW_ALWAYS_OVERRIDDEN — an Allow every request of which an unconditional Deny of the same
//    policy also matches.
//  * REDUNDANT_STATEMENT — an unconditional Allow covered by another unconditional Allow.
//  * REDUNDANT_RESOURCE — a resource covered by another of the same statement.
//
// The condition checks evaluate clauses with eval::EvaluateClauseReference over a finite set of
// witness contexts per condition key; see WitnessValues for why the set is exhaustive.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "policy_engine/eval/reference_evaluator.h"
#include "policy_engine/lint/checks.h"
#include "policy_engine/lint/service_reference.h"
#include "policy_engine/match/match.h"

namespace policy_engine::lint {
namespace {

using model::ConditionClause;
using model::ConditionOperator;
using model::OperatorFamily;
using model::SetQualifier;

// ---------------------------------------------------------------------------------------------
// Coverage of actions, resources and principals (ALLOW_ALWAYS_OVERRIDDEN, REDUNDANT_*)
// ---------------------------------------------------------------------------------------------

bool HasWildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// Does every action `small` names also match pattern `big` (R36–R38)? Certain only: `big` is
// star-only, or both have the same service prefix (no wildcard in it; a `*` there is literal,
// R37) and `big`'s name pattern covers `small`'s as a glob (ASCII case ignored).
bool ActionPatternCovers(std::string_view big, std::string_view small) {
  if (match::IsStarOnly(big)) return true;
  size_t bc = big.find(':');
  size_t sc = small.find(':');
  if (bc == std::string_view::npos || sc == std::string_view::npos || bc != sc) return false;
  if (HasWildcard(big.substr(0, bc)) ||
      !match::AsciiEqualsIgnoreCase(big.substr(0, bc), small.substr(0, sc))) {
    return false;
  }
  std::string_view bn = big.substr(bc + 1);
  std::string_view sn = small.substr(sc + 1);
  if (!HasWildcard(sn)) return match::ActionMatch(big, small);
  if (match::AsciiEqualsIgnoreCase(bn, sn)) return true;
  // Pattern containment: only a trailing-`*` prefix pattern is decided (`get*` covers `getx*`).
  size_t star = bn.find_first_of("*?");
  if (star + 1 != bn.size() || bn[star] != '*') return false;
  std::string_view lit = sn.substr(0, std::min(sn.find_first_of("*?"), sn.size()));
  return lit.size() >= star && match::AsciiEqualsIgnoreCase(lit.substr(0, star), bn.substr(0, star));
}

// Literal prefix of a resource pattern: up to its first wildcard or (with variables) `${`.
std::string_view LiteralPrefix(std::string_view r, bool variables) {
  size_t cut = r.find_first_of("*?");
  if (variables) cut = std::min(cut, r.find("${"));
  return r.substr(0, std::min(cut, r.size()));
}

// Does every resource `small` matches also match pattern `big` (R45–R50)? Certain only:
//  * `big` is star-only (matches everything, R50);
//  * identical text (same pattern, same meaning);
//  * `big` is `P*` with no other wildcard or variable: a trailing `*` matches any run, colons
//    included, whichever ARN segment it ends (match::ResourceMatch), so `big` matches exactly the
//    strings starting with P; every string `small` matches starts with `small`'s literal prefix,
//    so P being a prefix of that suffices. `small` star-only is excluded (it also matches `*`).
bool ResourcePatternCovers(std::string_view big, std::string_view small, bool variables) {
  if (match::IsStarOnly(big)) return true;
  if (big == small) return true;
  if (match::IsStarOnly(small)) return false;
  if (big.empty() || big.back() != '*') return false;
  std::string_view p = big.substr(0, big.size() - 1);
  if (HasWildcard(p) || p.find("${") != std::string_view::npos) return false;
  return LiteralPrefix(small, variables).starts_with(p);
}

bool ActionsCovered(const StatementView& big, const StatementView& small) {
  if (big.action.node == nullptr || small.action.node == nullptr) return false;
  if (small.action.values.empty()) return false;  // matches nothing: EMPTY_ARRAY_ACTION's case
  if (big.action.negated) {
    // `big` matches every action none of its patterns match; decided for literal actions only.
    if (small.action.negated) return false;
    for (const ValueRef& a : small.action.values) {
      if (HasWildcard(a.text)) return false;
      for (const ValueRef& p : big.action.values) {
        if (match::ActionMatch(p.text, a.text)) return false;
      }
    }
    return true;
  }
  for (const ValueRef& p : big.action.values) {
    if (match::IsStarOnly(p.text)) return true;
  }
  if (small.action.negated) return false;
  for (const ValueRef& a : small.action.values) {
    bool covered = false;
    for (const ValueRef& p : big.action.values) {
      if (ActionPatternCovers(p.text, a.text)) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

bool ResourcesCovered(const StatementView& big, const StatementView& small, bool variables) {
  // Repository policies have neither (R25: the repository itself).
  if (big.resource.node == nullptr && small.resource.node == nullptr) return true;
  if (big.resource.node == nullptr || small.resource.node == nullptr) return false;
  if (big.resource.negated) return false;
  for (const ValueRef& p : big.resource.values) {
    if (match::IsStarOnly(p.text)) return true;
  }
  if (small.resource.negated || small.resource.values.empty()) return false;
  for (const ValueRef& r : small.resource.values) {
    bool covered = false;
    for (const ValueRef& p : big.resource.values) {
      if (ResourcePatternCovers(p.text, r.text, variables)) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

bool PrincipalsCovered(const StatementView& big, const StatementView& small) {
  if (big.principal == nullptr && small.principal == nullptr) return true;  // identity kinds
  if (big.principal == nullptr || small.principal == nullptr) return false;
  if (big.not_principal || small.not_principal) return false;
  for (const PrincipalEntry& e : big.principals) {
    if (e.type == "*") return true;  // "Principal": "*" — everyone
  }
  if (small.principals.empty()) return false;
  for (const PrincipalEntry& e : small.principals) {
    bool covered = false;
    for (const PrincipalEntry& b : big.principals) {
      // {"AWS": "*"} covers every AWS principal, not service or federated ones.
      if (b.type == e.type && (b.value.text == e.value.text || (b.type == "AWS" &&
                                                                b.value.text == "*"))) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

// Every request `small` matches (ignoring its conditions) is matched by the unconditional `big`.
bool StatementCovers(const StatementView& big, const StatementView& small, bool variables) {
  // Cheapest tests first: actions are the long lists.
  return big.conditions.empty() && big.condition == nullptr && PrincipalsCovered(big, small) &&
         ResourcesCovered(big, small, variables) && ActionsCovered(big, small);
}

std::string StatementName(const StatementView& st) {
  std::string out = "statement " + std::to_string(st.index);
  if (st.sid != nullptr && !st.sid->text.empty()) out += " (" + Quote(st.sid->text) + ")";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Witness contexts for condition keys
// ---------------------------------------------------------------------------------------------

// A context value for one key: absent, single-valued, or multi-valued.
struct Witness {
  bool present = false;
  model::ContextValue value;
};

bool IsExactString(ConditionOperator op) {
  return op == ConditionOperator::kStringEquals || op == ConditionOperator::kStringNotEquals;
}
bool IsLike(ConditionOperator op) {
  return op == ConditionOperator::kStringLike || op == ConditionOperator::kStringNotLike;
}

// A decimal integer of at most 15 digits, as int64.
std::optional<int64_t> SmallInteger(std::string_view text) {
  auto d = match::ParseDecimal(text);
  if (!d || !d->frac_digits.empty() || d->int_digits.size() > 15) return std::nullopt;
  int64_t v = 0;
  for (char ch : d->int_digits) v = v * 10 + (ch - '0');
  return d->negative ? -v : v;
}

// x + 0.5 as decimal text.
std::string PlusHalf(int64_t x) {
  // snprintf rather than string concatenation: GCC 12 -O3 warns falsely (-Wrestrict) on
  // `"-" + std::to_string(…)`.
  char buf[32];
  if (x >= 0) {
    std::snprintf(buf, sizeof buf, "%lld.5", static_cast<long long>(x));
  } else {
    std::snprintf(buf, sizeof buf, "-%lld.5", static_cast<long long>(-x - 1));
  }
  return buf;
}

// Epoch milliseconds as `YYYY-MM-DDThh:mm:ss.fffZ`; nullopt outside years 0001–9999.
std::optional<std::string> FormatMillis(int64_t ms) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds{ms}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  int y = static_cast<int>(ymd.year());
  if (!ymd.ok() || y < 1 || y > 9999) return std::nullopt;
  int64_t rest = (tp - day).count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(rest / 3600000), static_cast<int>(rest / 60000 % 60),
                static_cast<int>(rest / 1000 % 60), static_cast<int>(rest % 1000));
  return std::string(buf);
}

// The witness values of one condition key for the clauses `group` (all on that key, same
// statement), or nullopt when exhaustiveness cannot be argued. The statement's conditions on
// this key are satisfiable iff some witness satisfies every clause of the group, because every
// clause's truth is constant on each class below and the witnesses hit every class:
//
//  * Absent key: one class (always a witness). `Null` and `…IfExists` depend only on presence.
//  * Only plain (unqualified) operators on a single-valued key (type known, not ArrayOf…), so a
//    present key has exactly one value x. Families:
//    - String, exact (`StringEquals`/`StringNotEquals`, case-sensitive, no variables): truth
//      depends only on which policy value x equals, if any → each policy value + one fresh
//      string. `StringLike`/`StringNotLike` are admitted only with a star-only value, which
//      matches every x (truth constant on present values).
//    - Numeric with integer values v1<…<vn (R78): a comparison with constants is constant on
//      (−∞,v1), {v1}, (v1,v2), …, {vn}, (vn,∞) → vi−1, vi, vi+0.5, vi+1 hit every interval (an
//      interval (a,b) of integers contains a+1 or a+0.5); plus a non-number (R79).
//    - Date (R80, millisecond resolution, so a context date is an integer m): the intervals
//      between policy instants are hit by vi−1, vi, vi+1; plus a non-date.
//    - Bool (R83): `true`, `false` (any letter case parses the same) and a non-boolean.
//  * `ForAnyValue:Null` / `ForAllValues:Null` (R73): constant by definition; witnesses absent,
//    one value, an empty set and a two-value set confirm it.
// Anything else (IgnoreCase, general Like patterns, ARN, IP, Binary, other qualifiers, mixed
// families, variables, unknown or multi-valued keys) is not judged.
std::optional<std::vector<Witness>> WitnessValues(const std::vector<const ConditionClause*>& group) {
  std::vector<Witness> out;
  out.push_back({});  // absent
  bool qualified_null = false;
  std::optional<OperatorFamily> family;
  for (const ConditionClause* cl : group) {
    for (const model::PatternValue& v : cl->values) {
      if (v.tmpl.has_variables() || v.raw.find("${") != std::string::npos) return std::nullopt;
    }
    if (cl->op == ConditionOperator::kNull) {
      if (cl->qualifier != SetQualifier::kNone) qualified_null = true;
      continue;
    }
    if (cl->qualifier != SetQualifier::kNone) return std::nullopt;
    OperatorFamily f = model::FamilyOf(cl->op);
    if (family && *family != f) return std::nullopt;
    family = f;
    if (f == OperatorFamily::kString && !IsExactString(cl->op)) {
      if (!IsLike(cl->op)) return std::nullopt;
      bool star = false;
      for (const model::PatternValue& v : cl->values) star = star || match::IsStarOnly(v.raw);
      if (!star) return std::nullopt;
    }
  }
  if (qualified_null) {
    if (group.size() != 1) return std::nullopt;
    out.push_back({true, {false, {"portcullis-lint"}}});
    out.push_back({true, {true, {}}});
    out.push_back({true, {true, {"a", "b"}}});
    return out;
  }
  auto single = [&](std::string v) { out.push_back({true, {false, {std::move(v)}}}); };
  if (!family) {  // Null only
    single("portcullis-lint");
    return out;
  }
  auto type = ServiceReference::Get().KeyType(group.front()->key_lower);
  if (!type) {
    if (auto g = GlobalKeyType(group.front()->key_lower)) type = std::string(*g);
  }
  if (!type || type->starts_with("ArrayOf") || model::IsMultiValuedKey(group.front()->key_lower)) {
    return std::nullopt;
  }
  switch (*family) {
    case OperatorFamily::kString: {
      std::set<std::string> values;
      for (const ConditionClause* cl : group) {
        if (!IsExactString(cl->op)) continue;
        for (const model::PatternValue& v : cl->values) values.insert(v.raw);
      }
      std::string fresh = "portcullis-lint-witness";
      while (values.count(fresh)) fresh += '#';
      for (const std::string& v : values) single(v);
      single(fresh);
      return out;
    }
    case OperatorFamily::kNumeric: {
      for (const ConditionClause* cl : group) {
        for (const model::PatternValue& v : cl->values) {
          auto x = SmallInteger(v.raw);
          if (!x) return std::nullopt;
          single(std::to_string(*x - 1));
          single(std::to_string(*x));
          single(PlusHalf(*x));
          single(std::to_string(*x + 1));
        }
      }
      single("not-a-number");
      return out;
    }
    case OperatorFamily::kDate: {
      for (const ConditionClause* cl : group) {
        for (const model::PatternValue& v : cl->values) {
          auto ms = match::ParseDateMillis(v.raw);
          if (!ms) return std::nullopt;
          for (int64_t w : {*ms - 1, *ms, *ms + 1}) {
            auto text = FormatMillis(w);
            // A witness must land in its class; otherwise the argument fails.
            if (!text || match::ParseDateMillis(*text) != w) return std::nullopt;
            single(std::move(*text));
          }
        }
      }
      single("not-a-date");
      return out;
    }
    case OperatorFamily::kBool:
      single("true");
      single("false");
      single("not-a-boolean");
      return out;
    default:
      return std::nullopt;
  }
}

bool Satisfies(const std::vector<const ConditionClause*>& group, const Witness& w) {
  model::Context ctx;
  if (w.present) ctx.Set(group.front()->key, w.value);
  for (const ConditionClause* cl : group) {
    if (!eval::EvaluateClauseReference(*cl, ctx, nullptr)) return false;
  }
  return true;
}

// The statement's condition clauses as the evaluator's model, built from the view (no second
// parse of the document): only for documents without parser errors, whose view is exact.
std::optional<std::vector<ConditionClause>> Clauses(const LintContext& c, const StatementView& st) {
  if (!c.parser_findings.empty() || st.conditions.empty()) return std::nullopt;
  std::vector<ConditionClause> out;
  for (const ConditionEntry& e : st.conditions) {
    if (!e.op || e.key_member == nullptr || e.op_member == nullptr) return std::nullopt;
    ConditionClause cl;
    cl.qualifier = e.qualifier;
    cl.op = *e.op;
    cl.if_exists = e.if_exists;
    cl.operator_text = e.op_member->name;
    cl.key = e.key_member->name;
    cl.key_lower = e.key_lower;
    cl.pointer = e.key_pointer;
    for (const ValueRef& v : e.values) {
      auto tmpl = match::ParseTemplate(v.text, c.policy.variables_enabled);
      if (!tmpl) return std::nullopt;
      cl.values.push_back({v.text, std::move(*tmpl)});
    }
    out.push_back(std::move(cl));
  }
  return out;
}

const ConditionEntry* EntryOf(const StatementView& st, std::string_view pointer) {
  for (const ConditionEntry& e : st.conditions) {
    if (e.key_member != nullptr && e.key_pointer == pointer) return &e;
  }
  return nullptr;
}

std::string ClauseText(const ConditionClause& cl) {
  std::vector<std::string> values;
  for (const model::PatternValue& v : cl.values) values.push_back(v.raw);
  std::string out = "`" + cl.operator_text + "` ";
  for (size_t i = 0; i < values.size() && i < 3; ++i) out += (i ? ", " : "") + Quote(values[i]);
  if (values.size() > 3) out += ", …";
  return out;
}

}  // namespace

void CheckConditionNeverTrue(const LintContext& c, Reporter& r) {
  for (const StatementView& sv : c.policy.statements) {
    auto clauses = Clauses(c, sv);
    if (!clauses || !sv.effect) continue;
    std::map<std::string, std::vector<const ConditionClause*>> by_key;
    for (const ConditionClause& cl : *clauses) by_key[cl.key_lower].push_back(&cl);
    for (const auto& [key, group] : by_key) {
      auto witnesses = WitnessValues(group);
      if (!witnesses) continue;
      bool sat = false;
      for (const Witness& w : *witnesses) {
        if (Satisfies(group, w)) {
          sat = true;
          break;
        }
      }
      if (sat) continue;
      const StatementView* view = &sv;
      const ConditionEntry* entry = EntryOf(sv, group.front()->pointer);
      if (entry == nullptr) continue;
      std::string text;
      for (size_t i = 0; i < group.size(); ++i) {
        text += (i ? (i + 1 == group.size() ? " and " : ", ") : "") + ClauseText(*group[i]);
      }
      bool allow = sv.effect == model::Effect::kAllow;
      r.AtName(*entry->key_member, c.text, entry->key_pointer,
               StatementName(*view) + " can never apply: no value of " +
                   Quote(group.front()->key) + (group.size() > 1 ? " satisfies " : " makes ") +
                   text + (group.size() > 1 ? " together" : " true") +
                   (allow ? ", so it allows nothing" : ", so it denies nothing"),
               "fix or remove the contradictory condition" +
                   std::string(allow ? "" : " (as written the Deny protects nothing)"));
      break;  // one finding per statement
    }
  }
}

void CheckConditionAlwaysTrue(const LintContext& c, Reporter& r) {
  for (const StatementView& sv : c.policy.statements) {
    auto clauses = Clauses(c, sv);
    if (!clauses) continue;
    for (const ConditionClause& cl : *clauses) {
      std::vector<const ConditionClause*> group{&cl};
      auto witnesses = WitnessValues(group);
      if (!witnesses) continue;
      bool all = true;
      for (const Witness& w : *witnesses) {
        if (!Satisfies(group, w)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      const StatementView* view = &sv;
      const ConditionEntry* entry = EntryOf(sv, cl.pointer);
      if (entry == nullptr) continue;
      r.AtName(*entry->key_member, c.text, entry->key_pointer,
               ClauseText(cl) + "on " + Quote(cl.key) + " is true for every request (absent key " +
                   "included): it does not restrict " + StatementName(*view),
               "remove the condition, or write the restriction you meant");
    }
  }
}

void CheckAllowAlwaysOverridden(const LintContext& c, Reporter& r) {
  if (!c.parser_findings.empty()) return;
  const auto& sts = c.policy.statements;
  for (const StatementView& allow : sts) {
    if (allow.effect != model::Effect::kAllow) continue;
    for (const StatementView& deny : sts) {
      if (deny.effect != model::Effect::kDeny) continue;
      if (!StatementCovers(deny, allow, c.policy.variables_enabled)) continue;
      r.At(*allow.node, allow.pointer,
           StatementName(allow) + " never takes effect: every request it allows is denied by " +
               StatementName(deny) + " of the same policy, which has no condition",
           "remove the `Allow`, or narrow the `Deny`");
      break;
    }
  }
}

void CheckRedundantStatement(const LintContext& c, Reporter& r) {
  if (!c.parser_findings.empty()) return;
  const auto& sts = c.policy.statements;
  for (size_t i = 0; i < sts.size(); ++i) {
    const StatementView& small = sts[i];
    if (small.effect != model::Effect::kAllow || small.condition != nullptr) continue;
    for (size_t j = 0; j < sts.size(); ++j) {
      const StatementView& big = sts[j];
      if (i == j || big.effect != model::Effect::kAllow) continue;
      if (!StatementCovers(big, small, c.policy.variables_enabled)) continue;
      // Equivalent statements: report the later one only.
      if (j > i && StatementCovers(small, big, c.policy.variables_enabled)) continue;
      r.At(*small.node, small.pointer,
           StatementName(small) + " is redundant: " + StatementName(big) +
               " already allows every action on every resource it names, without a condition",
           "remove " + StatementName(small));
      break;
    }
  }
}

void CheckRedundantResource(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    const auto& values = st.resource.values;
    for (size_t j = 0; j < values.size(); ++j) {
      for (size_t i = 0; i < values.size(); ++i) {
        if (i == j) continue;
        if (!ResourcePatternCovers(values[i].text, values[j].text, c.policy.variables_enabled)) {
          continue;
        }
        bool same = values[i].text == values[j].text;
        bool mutual =
            ResourcePatternCovers(values[j].text, values[i].text, c.policy.variables_enabled);
        if (mutual && i > j) continue;  // equivalent: report the later one
        r.At(*values[j].node, values[j].pointer,
             Quote(values[j].text) +
                 (same ? " repeats " + Quote(values[i].text)
                       : " is already covered by " + Quote(values[i].text)) +
                 " in the same statement",
             "remove " + Quote(values[j].text));
        break;
      }
    }
  }
}

void CheckAllowNotActionOnAllResources(const LintContext& c, Reporter& r) {
  for (const StatementView& st : c.policy.statements) {
    if (st.effect != model::Effect::kAllow || !st.action.negated || st.action.node == nullptr) {
      continue;
    }
    if (st.resource.node == nullptr || st.resource.negated) continue;
    const ValueRef* star = nullptr;
    for (const ValueRef& v : st.resource.values) {
      if (match::IsStarOnly(v.text)) star = &v;
    }
    if (star == nullptr) continue;
    r.At(*st.action.node, st.action.pointer,
         StatementName(st) +
             " allows every action of every service except those listed in `NotAction`, on "
             "every resource (R39)" +
             (st.condition != nullptr ? ", subject to its condition" : ""),
         "list the actions to allow in `Action`, or narrow `Resource`");
  }
}

void CheckNonLatin1(const LintContext& c, Reporter& r) {
  using model::PolicyKind;
  if (!(c.IsKind(PolicyKind::kResource) || c.IsKind(PolicyKind::kRepository) ||
        c.IsKind(PolicyKind::kRegistry) || c.IsKind(PolicyKind::kScp) ||
        c.IsKind(PolicyKind::kRcp))) {
    return;
  }
  std::string_view t = c.text;
  size_t count = 0;
  uint32_t first = 0;
  uint32_t first_end = 0;
  uint32_t first_cp = 0;
  auto note = [&](uint32_t cp, size_t begin, size_t end) {
    if (cp <= 0xFF) return;
    if (count++ == 0) {
      first = static_cast<uint32_t>(begin);
      first_end = static_cast<uint32_t>(end);
      first_cp = cp;
    }
  };
  for (size_t i = 0; i < t.size();) {
    auto b = static_cast<unsigned char>(t[i]);
    if (b == '\\' && i + 1 < t.size()) {
      if (t[i + 1] == 'u' && i + 6 <= t.size()) {  // \uXXXX (surrogates count as > U+00FF)
        uint32_t cp = 0;
        bool ok = true;
        for (size_t k = i + 2; k < i + 6; ++k) {
          char h = t[k];
          int d = h >= '0' && h <= '9'   ? h - '0'
                  : h >= 'a' && h <= 'f' ? h - 'a' + 10
                  : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                         : -1;
          if (d < 0) ok = false;
          cp = cp * 16 + static_cast<uint32_t>(d < 0 ? 0 : d);
        }
        if (ok) note(cp, i, i + 6);
        i += ok ? 6 : 2;
      } else {
        i += 2;
      }
      continue;
    }
    size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (i + len > t.size()) len = 1;
    uint32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(t[i + k]) & 0x3F);
    note(cp, i, i + len);
    i += len;
  }
  if (count == 0) return;
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", first_cp);
  r.Span(first, first_end, "",
         "the document contains " + std::to_string(count) + " character" +
             (count == 1 ? "" : "s") + " outside Latin-1 (U+0000–U+00FF), the first " + hex +
             "; policies stored by IAM reject them (R7)",
         "use Latin-1 text if the policy may ever be used as an IAM policy");
}

}  // namespace policy_engine::lint
