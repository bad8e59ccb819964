// The OCI referrers API (distribution spec v1.1 "Listing Referrers"): manifests whose `subject`
// names a digest, listed as an image index of descriptors, optionally filtered by artifactType.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry_frontend/http/message.h"
#include "registry_frontend/storage/metadata.h"

namespace registry_frontend::registry {

// The `subject` of a manifest body: nullopt when it has none; "" when it is present but not a
// descriptor with a valid digest (the caller answers MANIFEST_INVALID).
std::optional<std::string> ManifestSubject(std::string_view body);

// 200 with the index of `referrers` (those whose artifactType equals `artifact_type`, when that
// is non-empty; then `OCI-Filters-Applied: artifactType`). A descriptor's artifactType is the
// manifest's `artifactType`, else its config's mediaType (spec: image manifests without one).
http::HttpResponse ReferrersIndex(const std::vector<storage::ManifestRecord>& referrers,
                                  std::string_view artifact_type);

}  // namespace registry_frontend::registry
