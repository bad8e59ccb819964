// Tag mutability (tag_mutability.h).
#include "registry_frontend/storage/tag_mutability.h"

namespace registry_frontend::storage {

using policy_engine::Result;
using policy_engine::Status;

const char* ModeName(TagMutabilityMode mode) {
  switch (mode) {
    case TagMutabilityMode::kMutable:
      return "MUTABLE";
    case TagMutabilityMode::kImmutable:
      return "IMMUTABLE";
    case TagMutabilityMode::kImmutableWithExclusion:
      return "IMMUTABLE_WITH_EXCLUSION";
    case TagMutabilityMode::kMutableWithExclusion:
      return "MUTABLE_WITH_EXCLUSION";
  }
  return "MUTABLE";
}

Result<TagMutabilityMode> ParseMode(std::string_view name) {
  for (auto mode : {TagMutabilityMode::kMutable, TagMutabilityMode::kImmutable,
                    TagMutabilityMode::kImmutableWithExclusion,
                    TagMutabilityMode::kMutableWithExclusion}) {
    if (name == ModeName(mode)) return mode;
  }
  return Status("INVALID_ARGUMENT",
                "imageTagMutability must be MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or "
                "MUTABLE_WITH_EXCLUSION, got `" + std::string(name) + "`");
}

bool IsValidWildcardFilter(std::string_view filter) {
  if (filter.empty() || filter.size() > 128) return false;
  for (char c : filter) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '_' || c == '*' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool WildcardMatch(std::string_view filter, std::string_view tag) {
  // Iterative glob with backtracking to the last `*`: O(|filter|·|tag|) worst case.
  size_t f = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < tag.size()) {
    if (f < filter.size() && filter[f] == '*') {
      star = f++;
      resume = t;
    } else if (f < filter.size() && filter[f] == tag[t]) {
      ++f;
      ++t;
    } else if (star != std::string_view::npos) {
      f = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (f < filter.size() && filter[f] == '*') ++f;
  return f == filter.size();
}

Status Validate(const TagMutability& m) {
  bool exclusion = m.mode == TagMutabilityMode::kImmutableWithExclusion ||
                   m.mode == TagMutabilityMode::kMutableWithExclusion;
  if (!exclusion) {
    if (!m.filters.empty()) {
      return Status("INVALID_ARGUMENT", std::string("exclusion filters need a *_WITH_EXCLUSION "
                                                    "mode, not ") + ModeName(m.mode));
    }
    return Status::Ok();
  }
  if (m.filters.empty() || m.filters.size() > 5) {
    return Status("INVALID_ARGUMENT", std::string(ModeName(m.mode)) + " needs 1 to 5 filters, got " +
                                          std::to_string(m.filters.size()));
  }
  for (const std::string& f : m.filters) {
    if (!IsValidWildcardFilter(f)) {
      return Status("INVALID_ARGUMENT",
                    "filter `" + f + "` does not match ^[0-9a-zA-Z._*-]{1,128}$");
    }
  }
  return Status::Ok();
}

bool IsProtected(const TagMutability& m, std::string_view tag) {
  auto any = [&] {
    for (const std::string& f : m.filters) {
      if (WildcardMatch(f, tag)) return true;
    }
    return false;
  };
  switch (m.mode) {
    case TagMutabilityMode::kMutable:
      return false;
    case TagMutabilityMode::kImmutable:
      return true;
    case TagMutabilityMode::kImmutableWithExclusion:
      return !any();
    case TagMutabilityMode::kMutableWithExclusion:
      return any();
  }
  return false;
}

}  // namespace registry_frontend::storage
