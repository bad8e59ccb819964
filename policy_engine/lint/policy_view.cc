// This file's external interface is BuildPolicyView.
#include "policy_engine/lint/policy_view.h"

#include "policy_engine/match/match.h"

namespace policy_engine::lint {
namespace {

using json::Node;
using json::Type;

std::string Child(const std::string& ptr, std::string_view name) {
  return ptr + "/" + json::EscapePointerToken(name);
}

// Scalar text of a condition value or list item; nullopt for arrays, objects and null.
std::optional<std::string> ScalarText(const Node& n, bool strings_only) {
  switch (n.type) {
    case Type::kString:
      return n.text;
    case Type::kNumber:
      if (!strings_only) return n.text;
      return std::nullopt;
    case Type::kBool:
      if (!strings_only) return std::string(n.boolean ? "true" : "false");
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

void FillList(const Node* node, const std::string& ptr, bool strings_only,
              std::vector<ValueRef>& out) {
  if (node == nullptr) return;
  if (node->is_array()) {
    for (size_t i = 0; i < node->items.size(); ++i) {
      if (auto t = ScalarText(node->items[i], strings_only)) {
        out.push_back({&node->items[i], ptr + "/" + std::to_string(i), std::move(*t)});
      }
    }
    return;
  }
  if (auto t = ScalarText(*node, strings_only)) out.push_back({node, ptr, std::move(*t)});
}

// Element `name` or its negated twin `not_name`; the first present one wins (both present is a
// parser error).
void FillListElement(const Node& st, const std::string& ptr, std::string_view name,
                     std::string_view not_name, ListElement& out) {
  const Node* plain = st.Find(name);
  const Node* negated = st.Find(not_name);
  const Node* use = plain != nullptr ? plain : negated;
  if (use == nullptr || use->type == Type::kNull) return;
  out.node = use;
  out.negated = plain == nullptr;
  out.pointer = Child(ptr, plain != nullptr ? name : not_name);
  FillList(use, out.pointer, /*strings_only=*/true, out.values);
}

void FillPrincipal(const Node& st, const std::string& ptr, StatementView& sv) {
  const Node* pr = st.Find("Principal");
  const Node* not_pr = st.Find("NotPrincipal");
  const Node* use = pr != nullptr ? pr : not_pr;
  if (use == nullptr || use->type == Type::kNull) return;
  sv.principal = use;
  sv.not_principal = pr == nullptr;
  sv.principal_pointer = Child(ptr, pr != nullptr ? "Principal" : "NotPrincipal");
  if (use->is_string()) {
    sv.principal_star = use->text == "*";
    sv.principals.push_back({"*", {use, sv.principal_pointer, use->text}});
    return;
  }
  if (!use->is_object()) return;
  for (const json::Member& m : use->members) {
    std::vector<ValueRef> values;
    FillList(&m.value, Child(sv.principal_pointer, m.name), true, values);
    for (ValueRef& v : values) {
      if (m.name == "AWS" && v.text == "*") sv.principal_star = true;
      sv.principals.push_back({m.name, std::move(v)});
    }
  }
}

void FillConditions(const Node& st, const std::string& ptr, StatementView& sv) {
  const Node* cond = st.Find("Condition");
  if (cond == nullptr || !cond->is_object()) return;
  sv.condition = cond;
  sv.condition_pointer = Child(ptr, "Condition");
  for (const json::Member& om : cond->members) {
    ConditionEntry base;
    base.op_member = &om;
    base.op_pointer = Child(sv.condition_pointer, om.name);
    std::string_view name = om.name;
    if (name.starts_with("ForAllValues:")) {
      base.qualifier = model::SetQualifier::kForAllValues;
      name.remove_prefix(13);
    } else if (name.starts_with("ForAnyValue:")) {
      base.qualifier = model::SetQualifier::kForAnyValue;
      name.remove_prefix(12);
    }
    base.op = model::ConditionOperatorFromName(name);
    if (!base.op && name.ends_with("IfExists")) {
      base.op = model::ConditionOperatorFromName(name.substr(0, name.size() - 8));
      base.if_exists = base.op.has_value();
    }
    if (!om.value.is_object()) continue;
    for (const json::Member& km : om.value.members) {
      ConditionEntry e = base;
      e.key_member = &km;
      e.key_pointer = Child(e.op_pointer, km.name);
      e.key_lower = match::AsciiLower(km.name);
      e.empty_values = km.value.is_array() && km.value.items.empty();
      FillList(&km.value, e.key_pointer, /*strings_only=*/false, e.values);
      sv.conditions.push_back(std::move(e));
    }
  }
}

StatementView BuildStatement(const Node& st, size_t index, std::string ptr) {
  StatementView sv;
  sv.node = &st;
  sv.index = index;
  sv.pointer = std::move(ptr);
  if (const Node* e = st.Find("Effect"); e != nullptr && e->is_string()) {
    if (e->text == "Allow") sv.effect = model::Effect::kAllow;
    if (e->text == "Deny") sv.effect = model::Effect::kDeny;
  }
  if (const Node* sid = st.Find("Sid"); sid != nullptr && sid->is_string()) sv.sid = sid;
  FillListElement(st, sv.pointer, "Action", "NotAction", sv.action);
  FillListElement(st, sv.pointer, "Resource", "NotResource", sv.resource);
  FillPrincipal(st, sv.pointer, sv);
  FillConditions(st, sv.pointer, sv);
  return sv;
}

}  // namespace

bool StatementView::HasConditionKey(std::string_view key_lower) const {
  for (const ConditionEntry& c : conditions) {
    if (c.key_lower == key_lower) return true;
  }
  return false;
}

PolicyView BuildPolicyView(const json::Node& root) {
  PolicyView view;
  view.root = &root;
  if (!root.is_object()) return view;
  for (const json::Member& m : root.members) {
    if (m.name == "Version" && view.version == nullptr) view.version = &m;
    if (m.name == "Id" && view.id == nullptr) view.id = &m;
  }
  if (view.version != nullptr) {
    const Node& v = view.version->value;
    bool v2012 = v.is_string() && v.text == "2012-10-17";
    bool v2008 = v.is_string() && v.text == "2008-10-17";
    view.variables_enabled = v2012;
    view.version_valid = v2012 || v2008;
  }
  const Node* st = root.Find("Statement");
  if (st == nullptr) return view;
  if (st->is_object()) {
    view.statements.push_back(BuildStatement(*st, 0, "/Statement"));
  } else if (st->is_array()) {
    for (size_t i = 0; i < st->items.size(); ++i) {
      if (!st->items[i].is_object()) continue;
      view.statements.push_back(BuildStatement(st->items[i], i, "/Statement/" + std::to_string(i)));
    }
  }
  return view;
}

}  // namespace policy_engine::lint
