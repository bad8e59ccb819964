// The route table: method + path → RouteId + captures (distribution's routes.go), as data, tested
// without a server. Names may contain `/`; the path is matched undecoded, so `%2F` or `..` never
// become part of a name.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "registry_frontend/oci/errors.h"

namespace registry_frontend::oci {

enum class RouteId {
  kBase,            // GET/HEAD /v2/
  kCatalog,         // GET /v2/_catalog
  kGetManifest,     // GET /v2/<name>/manifests/<ref>
  kHeadManifest,    // HEAD
  kPutManifest,     // PUT
  kDeleteManifest,  // DELETE
  kGetBlob,         // GET /v2/<name>/blobs/<digest>
  kHeadBlob,        // HEAD
  kDeleteBlob,      // DELETE
  kStartUpload,     // POST /v2/<name>/blobs/uploads/
  kPatchUpload,     // PATCH /v2/<name>/blobs/uploads/<uuid>
  kPutUpload,       // PUT
  kGetUpload,       // GET (status)
  kDeleteUpload,    // DELETE (cancel)
  kTagsList,        // GET /v2/<name>/tags/list
  kReferrers,       // GET /v2/<name>/referrers/<digest>
};
std::string_view RouteName(RouteId id);

struct RouteMatch {
  RouteId id = RouteId::kBase;
  std::string name;       // repository
  std::string reference;  // tag or digest (manifests), digest (blobs, referrers)
  std::string uuid;       // upload id
};

// Matches a request. Errors: NAME_INVALID, DIGEST_INVALID / TAG_INVALID (malformed reference),
// NOT_FOUND (no route), UNSUPPORTED (known path, wrong method).
std::variant<RouteMatch, OciError> MatchRoute(std::string_view method, std::string_view path);

// Grammar checks of the OCI distribution spec.
bool IsValidRepositoryName(std::string_view name);  // [a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/…)*
bool IsValidTag(std::string_view tag);              // [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool IsDigest(std::string_view text);               // any `algorithm:encoded`
bool IsSha256Digest(std::string_view text);         // sha256:[a-f0-9]{64}

}  // namespace registry_frontend::oci
