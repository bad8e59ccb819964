// Our own HTTP value types. Beast stops at http/ (docs/architecture-and-style.md §2): handlers in
// oci/ and registry/ see only these, so they are unit-tested without sockets.
//
// Header names are stored lower-case; repeated header lines are merged into one value joined with
// ", " (RFC 9110 §5.3), which is how skopeo's six separate `Accept` lines arrive.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace registry_frontend::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Lower-cases ASCII.
std::string ToLower(std::string_view text);

// Case-insensitive lookup; nullptr when absent.
const std::string* FindHeader(const Headers& headers, std::string_view name);

// Adds `value` under `name`, merging with an existing header of the same name.
void AddMergedHeader(Headers& headers, std::string_view name, std::string_view value);

// Decodes %XX escapes (query values). nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// `a=1&b=2` → pairs, values percent-decoded; a malformed pair is dropped.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);
// The first value of `key` in a parsed query; "" when absent.
std::string QueryValue(const std::vector<std::pair<std::string, std::string>>& query,
                       std::string_view key);

// Where a request body goes. Handlers that expect large bodies (blob uploads) give the HTTP layer
// a sink; everything else is buffered in memory up to the server's small-body limit.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Appends `size` bytes; false stops the read (the connection is then closed).
  virtual bool Write(const char* data, size_t size) = 0;
};

struct HttpRequest {
  std::string method;  // upper case as sent: GET, HEAD, …
  std::string target;  // raw request target
  std::string path;    // target before `?` (not decoded: encoded slashes stay visible)
  std::string query;   // target after `?`, raw
  Headers headers;     // merged, lower-case names
  std::string body;    // in-memory bodies only
  std::string remote_ip;
  bool secure = false;  // arrived over TLS (never, today: plain HTTP only)
  // Bytes written to the sink by the HTTP layer, when a sink was used.
  uint64_t sink_bytes = 0;
  bool body_in_sink = false;

  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
};

// Whether the request announces a body: a Content-Length other than 0, or a Transfer-Encoding
// (HTTP/1.1 requires chunked as its last coding, so any Transfer-Encoding means a body).
bool AnnouncesBody(const HttpRequest& request);

struct HttpResponse {
  int status = 200;
  Headers headers;  // as sent (names keep their spelling)
  std::string body;
  // When set, the body is this file (streamed from disk), and `body` is ignored.
  std::string file_path;
  // HEAD: the Content-Length of the body a GET would have sent (no body is written).
  std::optional<uint64_t> head_length;
  // The error code the response carries (e.g. the OCI code), for the audit log; not sent.
  std::string error_code;
  // When set, the server calls it on its blocking-work thread instead of sending this response,
  // and sends what it returns: for slow work (a reload compiling a large configuration) that
  // would otherwise stall every connection of the I/O thread it ran on.
  std::function<HttpResponse()> deferred = {};

  HttpResponse& Set(std::string name, std::string value) {
    // Room for a typical response's headers at once instead of growing 1, 2, 4, 8.
    if (headers.capacity() == 0) headers.reserve(8);
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
};

// The bytes of `response` (whose body is in memory: file_path empty) as an HTTP/1.`version % 10`
// response, into `out` (cleared first, its capacity reused). The serializer owns the framing:
// handler-set Content-Length, Transfer-Encoding and Connection headers are dropped and written
// from `head_length`/`body` and `keep_alive` (none for 1xx, 204 and 304, which have no body). CR,
// LF and NUL in a header name or value become spaces: a value can never start a new header.
void SerializeResponse(const HttpResponse& response, unsigned version, bool keep_alive,
                       std::string& out);

// What the handler wants done with the body of a request whose header has been read.
struct BodyPlan {
  // Set: reply with this at once (authentication or authorization failed, unknown route…); the
  // body is not read and the connection is closed afterwards if a body was announced.
  std::optional<HttpResponse> early;
  // Set: stream the body here; otherwise it is buffered up to the small-body limit.
  std::shared_ptr<BodySink> sink;
  // Opaque per-request state carried from OnHeader to OnRequest (e.g. the authenticated caller).
  std::shared_ptr<void> state;
};

// The application side of the server. Both calls happen on the connection's strand; different
// connections call concurrently, so implementations must be thread-safe.
class Handler {
 public:
  virtual ~Handler() = default;
  // The request line and headers are in; `request.body` is empty.
  virtual BodyPlan OnHeader(const HttpRequest& request) = 0;
  // The whole request is in (body in `request.body` or in the plan's sink).
  virtual HttpResponse OnRequest(HttpRequest& request, BodyPlan& plan) = 0;
};

}  // namespace registry_frontend::http
