// The route table (routes.h). Paths are split into `/` segments and matched from the end, because
// the repository name in front may itself contain `/`.
#include "registry_frontend/oci/routes.h"

#include <array>
#include <boost/container/small_vector.hpp>
#include <vector>

namespace registry_frontend::oci {

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool IsValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// The methods each kind of path accepts, as data.
enum class PathKind { kBase, kCatalog, kManifest, kBlob, kUploads, kUpload, kTags, kReferrers };
struct Row {
  PathKind kind;
  std::string_view method;
  RouteId id;
};
constexpr std::array<Row, 17> kTable = {{
    {PathKind::kBase, "GET", RouteId::kBase},
    {PathKind::kBase, "HEAD", RouteId::kBase},
    {PathKind::kCatalog, "GET", RouteId::kCatalog},
    {PathKind::kManifest, "GET", RouteId::kGetManifest},
    {PathKind::kManifest, "HEAD", RouteId::kHeadManifest},
    {PathKind::kManifest, "PUT", RouteId::kPutManifest},
    {PathKind::kManifest, "DELETE", RouteId::kDeleteManifest},
    {PathKind::kBlob, "GET", RouteId::kGetBlob},
    {PathKind::kBlob, "HEAD", RouteId::kHeadBlob},
    {PathKind::kBlob, "DELETE", RouteId::kDeleteBlob},
    {PathKind::kUploads, "POST", RouteId::kStartUpload},
    {PathKind::kUpload, "PATCH", RouteId::kPatchUpload},
    {PathKind::kUpload, "PUT", RouteId::kPutUpload},
    {PathKind::kUpload, "GET", RouteId::kGetUpload},
    {PathKind::kUpload, "DELETE", RouteId::kDeleteUpload},
    {PathKind::kTags, "GET", RouteId::kTagsList},
    {PathKind::kReferrers, "GET", RouteId::kReferrers},
}};

bool IsUploadId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(IsLowerAlnum(c) || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string_view RouteName(RouteId id) {
  switch (id) {
    case RouteId::kBase:
      return "base";
    case RouteId::kCatalog:
      return "catalog";
    case RouteId::kGetManifest:
      return "get-manifest";
    case RouteId::kHeadManifest:
      return "head-manifest";
    case RouteId::kPutManifest:
      return "put-manifest";
    case RouteId::kDeleteManifest:
      return "delete-manifest";
    case RouteId::kGetBlob:
      return "get-blob";
    case RouteId::kHeadBlob:
      return "head-blob";
    case RouteId::kDeleteBlob:
      return "delete-blob";
    case RouteId::kStartUpload:
      return "start-upload";
    case RouteId::kPatchUpload:
      return "patch-upload";
    case RouteId::kPutUpload:
      return "put-upload";
    case RouteId::kGetUpload:
      return "get-upload";
    case RouteId::kDeleteUpload:
      return "delete-upload";
    case RouteId::kTagsList:
      return "tags-list";
    case RouteId::kReferrers:
      return "referrers";
  }
  return "unknown";
}

bool IsValidRepositoryName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  while (true) {
    size_t slash = name.find('/');
    if (!IsValidComponent(name.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    name = name.substr(slash + 1);
  }
}

bool IsValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!word(tag[0])) return false;
  for (char c : tag.substr(1)) {
    if (!(word(c) || c == '.' || c == '-')) return false;
  }
  return true;
}

bool IsDigest(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == text.size()) return false;
  for (char c : text.substr(0, colon)) {
    if (!(IsLowerAlnum(c) || c == '+' || c == '.' || c == '_' || c == '-')) return false;
  }
  for (char c : text.substr(colon + 1)) {
    bool ok = IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '=' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsSha256Digest(std::string_view text) {
  if (text.size() != 71 || text.substr(0, 7) != "sha256:") return false;
  for (char c : text.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::variant<RouteMatch, OciError> MatchRoute(std::string_view method, std::string_view path) {
  auto not_found = [] { return OciError{ErrorCode::kNotFound, "", "null"}; };
  if (path == "/v2" || path == "/v2/") path = "/v2/";
  if (path.substr(0, 4) != "/v2/") return not_found();
  std::string_view rest = path.substr(4);
  RouteMatch m;
  PathKind kind;
  // Inline for the usual depth: no allocation per request (the sidecar and registry path).
  boost::container::small_vector<std::string_view, 16> parts;
  for (size_t start = 0;;) {
    size_t slash = rest.find('/', start);
    parts.push_back(rest.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  size_t n = parts.size();
  // The name is everything before the last `suffix` segments.
  auto name_before = [&](size_t suffix) {
    size_t length = 0;
    for (size_t i = 0; i + suffix < n; ++i) length += parts[i].size() + 1;
    return length == 0 ? std::string_view() : rest.substr(0, length - 1);
  };
  size_t suffix = 0;
  if (rest.empty()) {
    kind = PathKind::kBase;
  } else if (rest == "_catalog") {
    kind = PathKind::kCatalog;
  } else if (n >= 3 && parts[n - 3] == "blobs" && parts[n - 2] == "uploads") {
    kind = parts[n - 1].empty() ? PathKind::kUploads : PathKind::kUpload;
    m.uuid = std::string(parts[n - 1]);
    suffix = 3;
  } else if (n >= 2 && parts[n - 2] == "blobs" && parts[n - 1] == "uploads") {
    kind = PathKind::kUploads;
    suffix = 2;
  } else if (n >= 2 && parts[n - 2] == "tags" && parts[n - 1] == "list") {
    kind = PathKind::kTags;
    suffix = 2;
  } else if (n >= 2 && parts[n - 2] == "manifests") {
    kind = PathKind::kManifest;
    suffix = 2;
  } else if (n >= 2 && parts[n - 2] == "blobs") {
    kind = PathKind::kBlob;
    suffix = 2;
  } else if (n >= 2 && parts[n - 2] == "referrers") {
    kind = PathKind::kReferrers;
    suffix = 2;
  } else {
    return not_found();
  }
  if (suffix > 0) {
    std::string_view name = name_before(suffix);
    if (!IsValidRepositoryName(name)) {
      return OciError{ErrorCode::kNameInvalid, "invalid repository name", "null"};
    }
    m.name = std::string(name);
    if (kind == PathKind::kManifest || kind == PathKind::kBlob || kind == PathKind::kReferrers) {
      m.reference = std::string(parts[n - 1]);
    }
  }
  switch (kind) {
    case PathKind::kManifest:
      if (!IsValidTag(m.reference) && !IsDigest(m.reference)) {
        return OciError{ErrorCode::kTagInvalid, "invalid tag or digest", "null"};
      }
      break;
    case PathKind::kBlob:
    case PathKind::kReferrers:
      if (!IsDigest(m.reference)) return OciError{ErrorCode::kDigestInvalid, "", "null"};
      break;
    case PathKind::kUpload:
      if (!IsUploadId(m.uuid)) return OciError{ErrorCode::kBlobUploadUnknown, "", "null"};
      break;
    default:
      break;
  }
  for (const Row& row : kTable) {
    if (row.kind == kind && row.method == method) {
      m.id = row.id;
      return m;
    }
  }
  return OciError{ErrorCode::kUnsupported, "method not allowed", "null"};
}

}  // namespace registry_frontend::oci
