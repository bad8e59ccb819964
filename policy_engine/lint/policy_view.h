// Internal to policy_engine/lint: a tolerant, located view of a policy document.
//
// The linter does not work on model::Policy: the parser produces no AST for a document with an
// error, yet Access Analyzer reports warnings on invalid documents too, and every finding needs
// the byte span of the value it is about. PolicyView is built straight from the json::Node tree:
// it keeps a pointer to every element's node and its JSON pointer (spelled exactly as the parser
// spells it, so that findings of both can be merged), and skips — without complaint — whatever
// has the wrong shape (the parser reports that).
//
// Thread safety: plain values that borrow the json::Node tree; valid while the tree lives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy_engine/json/json.h"
#include "policy_engine/model/policy.h"

namespace policy_engine::lint {

// A scalar value of a string-list element (Action, Resource, principal entries, condition values).
struct ValueRef {
  const json::Node* node = nullptr;
  std::string pointer;
  std::string text;  // string value; numbers by token, booleans as true/false (R22)
};

// A string-or-array element such as Action or Resource.
struct ListElement {
  const json::Node* node = nullptr;  // nullptr when absent
  std::string pointer;
  bool negated = false;          // NotAction / NotResource / NotPrincipal
  std::vector<ValueRef> values;  // string items only
};

struct PrincipalEntry {
  std::string type;  // "AWS", "Service", ... ("*" for the lone string form)
  ValueRef value;
};

struct ConditionEntry {
  const json::Member* op_member = nullptr;
  std::string op_pointer;
  std::optional<model::ConditionOperator> op;  // nullopt: unknown operator (the parser reports it)
  model::SetQualifier qualifier = model::SetQualifier::kNone;
  bool if_exists = false;
  const json::Member* key_member = nullptr;  // nullptr: the operator block itself (see empty)
  std::string key_pointer;
  std::string key_lower;
  std::vector<ValueRef> values;
  bool empty_values = false;  // the key's value is `[]`
};

struct StatementView {
  const json::Node* node = nullptr;
  std::string pointer;
  size_t index = 0;
  std::optional<model::Effect> effect;  // nullopt: missing or invalid
  const json::Node* sid = nullptr;      // string Sid, else nullptr
  ListElement action;                   // Action or NotAction
  ListElement resource;                 // Resource or NotResource
  // Principal or NotPrincipal; `principal_star` for "*" and {"AWS": "*"}.
  const json::Node* principal = nullptr;
  std::string principal_pointer;
  bool not_principal = false;
  bool principal_star = false;
  std::vector<PrincipalEntry> principals;
  const json::Node* condition = nullptr;  // the Condition object, if an object
  std::string condition_pointer;
  std::vector<ConditionEntry> conditions;  // one per (operator, key) pair
  bool HasConditionKey(std::string_view key_lower) const;
};

struct PolicyView {
  const json::Node* root = nullptr;  // the document (an object when statements are filled)
  const json::Member* version = nullptr;
  const json::Member* id = nullptr;
  // True for a valid "2012-10-17"; false for "2008-10-17", a missing or an invalid Version.
  bool variables_enabled = false;
  bool version_valid = true;  // false: Version present but invalid (the parser reports it)
  std::vector<StatementView> statements;
};

PolicyView BuildPolicyView(const json::Node& root);

}  // namespace policy_engine::lint
