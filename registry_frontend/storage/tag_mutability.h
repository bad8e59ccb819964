// Tag mutability of a repository (policy-semantics.md §8.1, R161–R165): the mode, its exclusion
// filters, and whether a tag is protected. Pure functions; the check against the tag's current
// digest happens inside Metadata::PutManifest's transaction (so two concurrent pushes of the same
// protected tag cannot both win).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/common/status.h"

namespace registry_frontend::storage {

enum class TagMutabilityMode { kMutable, kImmutable, kImmutableWithExclusion, kMutableWithExclusion };

struct TagMutability {
  TagMutabilityMode mode = TagMutabilityMode::kMutable;  // R161: MUTABLE when omitted
  std::vector<std::string> filters;                      // WILDCARD filters (exclusion modes)
};

// "MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION".
const char* ModeName(TagMutabilityMode mode);
// INVALID_ARGUMENT for an unknown name.
policy_engine::Result<TagMutabilityMode> ParseMode(std::string_view name);

// R161: a filter matches ^[0-9a-zA-Z._*-]{1,128}$.
bool IsValidWildcardFilter(std::string_view filter);
// R161: `*` matches any run of characters (possibly empty); the filter must match the whole tag.
bool WildcardMatch(std::string_view filter, std::string_view tag);
// R161: exclusion modes need 1–5 valid filters; the other modes none.
policy_engine::Status Validate(const TagMutability& mutability);
// R162.
bool IsProtected(const TagMutability& mutability, std::string_view tag);

}  // namespace registry_frontend::storage
