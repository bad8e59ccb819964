// The OCI error registry: every error code the registry answers, with its HTTP status, in one
// place (distribution's errcode/register.go; docs/architecture-and-style.md §5). Handlers return
// an OciError value; only ErrorResponse turns it into a status line and a JSON body.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "registry_frontend/http/message.h"

namespace registry_frontend::oci {

enum class ErrorCode {
  kBlobUnknown,
  kBlobUploadInvalid,
  kBlobUploadUnknown,
  kDigestInvalid,
  kManifestBlobUnknown,
  kManifestInvalid,
  kManifestUnknown,
  kNameInvalid,
  kNameUnknown,
  kSizeInvalid,
  kUnauthorized,
  kDenied,
  kUnsupported,
  kTagInvalid,
  kRangeInvalid,
  kNotFound,  // no route
  kInternal,
};

struct OciError {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // empty: the code's default message
  std::string detail_json = "null";
};

std::string_view ErrorCodeName(ErrorCode code);  // "BLOB_UNKNOWN", …
int ErrorStatus(ErrorCode code);                 // 404, …

// The JSON envelope {"errors":[{"code","message","detail"}]} with its status and content type.
// `head`: no body is sent, only its Content-Length.
http::HttpResponse ErrorResponse(const OciError& error, bool head = false);

// Quotes a string for JSON.
std::string JsonQuote(std::string_view text);

}  // namespace registry_frontend::oci
