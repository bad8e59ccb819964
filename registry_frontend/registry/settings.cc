#include "registry_frontend/registry/settings.h"

#include <nlohmann/json.hpp>

#include "registry_frontend/oci/routes.h"

namespace registry_frontend::registry {

using policy_engine::Result;
using policy_engine::Status;

namespace {

Status Bad(const std::string& what) {
  return Status("INVALID_ARGUMENT", "repository settings: " + what);
}

// The mutability fields of one entry (`name` is the caller's business).
Result<storage::TagMutability> ParseMutability(const nlohmann::json& entry,
                                               const std::string& where) {
  storage::TagMutability m;
  if (auto mode = entry.find("imageTagMutability"); mode != entry.end()) {
    if (!mode->is_string()) return Bad(where + ".imageTagMutability must be a string");
    auto parsed = storage::ParseMode(mode->get<std::string>());
    if (!parsed) return Bad(where + ": " + parsed.error().message());
    m.mode = *parsed;
  }
  if (auto filters = entry.find("imageTagMutabilityExclusionFilters"); filters != entry.end()) {
    if (!filters->is_array())
      return Bad(where + ".imageTagMutabilityExclusionFilters: not an array");
    for (const auto& f : *filters) {
      if (!f.is_object()) return Bad(where + ": a filter must be an object");
      for (const auto& [key, value] : f.items()) {
        if (key != "filterType" && key != "filter") {
          return Bad("unknown field `" + key + "` in a filter of " + where);
        }
      }
      auto type = f.find("filterType");
      auto text = f.find("filter");
      if (type == f.end() || *type != "WILDCARD") {
        return Bad(where + ": filterType must be \"WILDCARD\"");
      }
      if (text == f.end() || !text->is_string()) return Bad(where + ": a filter needs `filter`");
      m.filters.push_back(text->get<std::string>());
    }
  }
  Status valid = storage::Validate(m);
  if (!valid.ok()) return Bad(where + ": " + valid.message());
  return m;
}

}  // namespace

Result<RepositorySettings> ParseRepositorySettings(std::string_view json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Bad("not a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "repositories") return Bad("unknown field `" + key + "`");
  }
  RepositorySettings out;
  auto repos = doc.find("repositories");
  if (repos == doc.end()) return out;
  if (!repos->is_array()) return Bad("`repositories` must be an array");
  for (size_t i = 0; i < repos->size(); ++i) {
    const auto& entry = (*repos)[i];
    std::string where = "repositories[" + std::to_string(i) + "]";
    if (!entry.is_object()) return Bad(where + " must be an object");
    for (const auto& [key, value] : entry.items()) {
      if (key != "name" && key != "imageTagMutability" &&
          key != "imageTagMutabilityExclusionFilters") {
        return Bad("unknown field `" + key + "` in " + where);
      }
    }
    auto name = entry.find("name");
    if (name == entry.end() || !name->is_string() ||
        !oci::IsValidRepositoryName(name->get<std::string>())) {
      return Bad(where + " needs a valid `name`");
    }
    auto m = ParseMutability(entry, where);
    if (!m) return m.error();
    if (!out.tag_mutability.emplace(name->get<std::string>(), std::move(*m)).second) {
      return Bad("repository `" + name->get<std::string>() + "` appears twice");
    }
  }
  return out;
}

Result<storage::TagMutability> ParseStoreSettings(std::string_view json_text,
                                                  std::string_view where) {
  if (json_text.empty()) return storage::TagMutability{};
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Bad(std::string(where) + ": not an object");
  return ParseMutability(doc, std::string(where));
}

}  // namespace registry_frontend::registry
