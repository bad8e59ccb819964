// The registry's own per-repository settings (docs/registry.md "Repository settings"): tag
// mutability (R161, R162). They come from the store document's repositories
// (`imageTagMutability`, `imageTagMutabilityExclusionFilters`, ECR's CreateRepository names,
// carried by the engine as RepositoryInfo::settings) and from `--repository-settings FILE`, whose
// entries win. They are registry state, not authorization input (R166 runs after authorization).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "policy_engine/common/status.h"
#include "registry_frontend/storage/tag_mutability.h"

namespace registry_frontend::registry {

struct RepositorySettings {
  std::map<std::string, storage::TagMutability> tag_mutability;  // by repository name
};

// `--repository-settings` file: {"repositories": [{"name": N, "imageTagMutability": M,
// "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": F}, …]}]}.
// Strict: unknown fields, duplicate names and invalid modes/filters (R161) are errors.
policy_engine::Result<RepositorySettings> ParseRepositorySettings(std::string_view json_text);

// One repository's settings object from the store ({"imageTagMutability": …, …}); `where`
// names it in errors (e.g. the repository ARN).
policy_engine::Result<storage::TagMutability> ParseStoreSettings(std::string_view json_text,
                                                                 std::string_view where);

}  // namespace registry_frontend::registry
