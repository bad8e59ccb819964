#include "registry_frontend/registry/referrers.h"

#include <nlohmann/json.hpp>

#include "registry_frontend/oci/routes.h"

namespace registry_frontend::registry {

namespace {
constexpr std::string_view kIndexType = "application/vnd.oci.image.index.v1+json";

std::string StringField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

std::optional<std::string> ManifestSubject(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  auto subject = doc.find("subject");
  if (subject == doc.end()) return std::nullopt;
  if (!subject->is_object()) return std::string();
  std::string digest = StringField(*subject, "digest");
  return oci::IsSha256Digest(digest) ? digest : std::string();
}

http::HttpResponse ReferrersIndex(const std::vector<storage::ManifestRecord>& referrers,
                                  std::string_view artifact_type) {
  nlohmann::ordered_json index;
  index["schemaVersion"] = 2;
  index["mediaType"] = kIndexType;
  index["manifests"] = nlohmann::ordered_json::array();
  for (const storage::ManifestRecord& m : referrers) {
    nlohmann::json doc = nlohmann::json::parse(m.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) continue;
    std::string type = StringField(doc, "artifactType");
    if (type.empty()) {
      auto config = doc.find("config");
      if (config != doc.end() && config->is_object()) type = StringField(*config, "mediaType");
    }
    if (!artifact_type.empty() && type != artifact_type) continue;
    nlohmann::ordered_json d;
    d["mediaType"] = m.media_type;
    d["digest"] = m.digest;
    d["size"] = m.body.size();
    if (!type.empty()) d["artifactType"] = type;
    auto annotations = doc.find("annotations");
    if (annotations != doc.end() && annotations->is_object()) d["annotations"] = *annotations;
    index["manifests"].push_back(std::move(d));
  }
  http::HttpResponse r;
  r.status = 200;
  r.Set("Content-Type", std::string(kIndexType));
  if (!artifact_type.empty()) r.Set("OCI-Filters-Applied", "artifactType");
  r.body = index.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

}  // namespace registry_frontend::registry
