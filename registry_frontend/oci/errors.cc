// The OCI error table (errors.h). Statuses follow the OCI distribution spec's error codes and
// docs policy-semantics.md §7.3.
#include "registry_frontend/oci/errors.h"

#include <array>

namespace registry_frontend::oci {

namespace {
struct Entry {
  ErrorCode code;
  std::string_view name;
  int status;
  std::string_view message;
};
constexpr std::array<Entry, 17> kErrors = {{
    {ErrorCode::kBlobUnknown, "BLOB_UNKNOWN", 404, "blob unknown to registry"},
    {ErrorCode::kBlobUploadInvalid, "BLOB_UPLOAD_INVALID", 404, "blob upload invalid"},
    {ErrorCode::kBlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry"},
    {ErrorCode::kDigestInvalid, "DIGEST_INVALID", 400,
     "provided digest did not match uploaded content"},
    {ErrorCode::kManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN", 400,
     "manifest references a manifest or blob unknown to registry"},
    {ErrorCode::kManifestInvalid, "MANIFEST_INVALID", 400, "manifest invalid"},
    {ErrorCode::kManifestUnknown, "MANIFEST_UNKNOWN", 404, "manifest unknown"},
    {ErrorCode::kNameInvalid, "NAME_INVALID", 400, "invalid repository name"},
    {ErrorCode::kNameUnknown, "NAME_UNKNOWN", 404, "repository name not known to registry"},
    {ErrorCode::kSizeInvalid, "SIZE_INVALID", 400, "provided length did not match content length"},
    {ErrorCode::kUnauthorized, "UNAUTHORIZED", 401, "authentication required"},
    {ErrorCode::kDenied, "DENIED", 403, "requested access to the resource is denied"},
    {ErrorCode::kUnsupported, "UNSUPPORTED", 405, "the operation is unsupported"},
    {ErrorCode::kTagInvalid, "TAG_INVALID", 400, "manifest tag did not match URI"},
    {ErrorCode::kRangeInvalid, "RANGE_INVALID", 416, "invalid content range"},
    {ErrorCode::kNotFound, "NOT_FOUND", 404, "not found"},
    {ErrorCode::kInternal, "UNKNOWN", 500, "internal error"},
}};

const Entry& Find(ErrorCode code) {
  for (const Entry& e : kErrors) {
    if (e.code == code) return e;
  }
  return kErrors.back();
}
}  // namespace

std::string_view ErrorCodeName(ErrorCode code) { return Find(code).name; }
int ErrorStatus(ErrorCode code) { return Find(code).status; }

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out.append(text, run, i - run);
    run = i + 1;
    if (u == '"' || u == '\\') {
      out += '\\';
      out += text[i];
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  out.append(text, run, text.size() - run);
  out += '"';
  return out;
}

http::HttpResponse ErrorResponse(const OciError& error, bool head) {
  const Entry& e = Find(error.code);
  http::HttpResponse r;
  r.status = e.status;
  r.error_code = e.name;
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.Set("Docker-Distribution-Api-Version", "registry/2.0");
  std::string message = JsonQuote(error.message.empty() ? e.message : error.message);
  std::string body;
  body.reserve(64 + e.name.size() + message.size() + error.detail_json.size());
  body.append(R"({"errors":[{"code":")").append(e.name).append(R"(","message":)");
  body.append(message).append(R"(,"detail":)").append(error.detail_json).append("}]}\n");
  if (head) {
    r.head_length = body.size();
  } else {
    r.body = std::move(body);
  }
  return r;
}

}  // namespace registry_frontend::oci
