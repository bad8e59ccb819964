#include "policy_engine/catalog/catalog.h"

#include "policy_engine/json/json.h"
#include "policy_engine/match/match.h"

namespace policy_engine::catalog {

extern const char kEcrServiceReferenceJson[];

namespace {

struct Catalog {
  std::vector<ActionInfo> actions;
  std::vector<ConditionKeyInfo> keys;
};

// The embedded document is ours and checked by catalog_test; a malformed one yields an empty
// catalog (every action "unknown"), which fails closed nowhere because the catalog only narrows
// what the front end asks.
Catalog Load() {
  Catalog c;
  auto doc = json::Parse(kEcrServiceReferenceJson);
  if (!doc || !doc->is_object()) return c;
  std::string prefix = "ecr";
  if (const json::Node* p = doc->Find("servicePrefix"); p && p->is_string()) prefix = p->text;
  if (const json::Node* actions = doc->Find("actions"); actions && actions->is_array()) {
    for (const json::Node& a : actions->items) {
      const json::Node* name = a.Find("name");
      if (name == nullptr || !name->is_string()) continue;
      ActionInfo info;
      info.service = prefix;
      info.name = name->text;
      if (const json::Node* level = a.Find("accessLevel"); level && level->is_string()) {
        info.access_level = level->text;
      }
      const json::Node* types = a.Find("resourceTypes");
      info.wildcard_only = types == nullptr || !types->is_array() || types->items.empty();
      if (const json::Node* keys = a.Find("conditionKeys"); keys && keys->is_array()) {
        for (const json::Node& k : keys->items) {
          if (k.is_string()) info.condition_keys.push_back(k.text);
        }
      }
      c.actions.push_back(std::move(info));
    }
  }
  if (const json::Node* keys = doc->Find("conditionKeys"); keys && keys->is_array()) {
    for (const json::Node& k : keys->items) {
      const json::Node* name = k.Find("name");
      const json::Node* type = k.Find("type");
      if (name && name->is_string() && type && type->is_string()) {
        c.keys.push_back({name->text, type->text});
      }
    }
  }
  return c;
}

const Catalog& Get() {
  static const Catalog catalog = Load();
  return catalog;
}

}  // namespace

const std::vector<ActionInfo>& Actions() { return Get().actions; }
const std::vector<ConditionKeyInfo>& ConditionKeys() { return Get().keys; }

const ActionInfo* FindAction(std::string_view action) {
  size_t colon = action.find(':');
  if (colon == std::string_view::npos) return nullptr;
  std::string_view service = action.substr(0, colon);
  std::string_view name = action.substr(colon + 1);
  for (const ActionInfo& a : Get().actions) {
    if (match::AsciiEqualsIgnoreCase(a.service, service) &&
        match::AsciiEqualsIgnoreCase(a.name, name)) {
      return &a;
    }
  }
  return nullptr;
}

bool KnowsService(std::string_view service) {
  for (const ActionInfo& a : Get().actions) {
    if (match::AsciiEqualsIgnoreCase(a.service, service)) return true;
  }
  return false;
}

bool IsWildcardOnlyAction(std::string_view action) {
  const ActionInfo* a = FindAction(action);
  return a != nullptr && a->wildcard_only;
}

}  // namespace policy_engine::catalog
