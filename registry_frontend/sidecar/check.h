// What a sidecar check is about: the original request (method, path, query) named by the proxy
// that asks, and the client facts (source IP, TLS) it may vouch for. Pure functions, tested
// without a server (docs/sidecar.md "Bad input").
//
// Why so strict: the sidecar decides on a URI that the proxy will forward to the registry. Any
// URI that the registry could read differently from the sidecar (percent-encoding, `..`, an
// absolute form naming another host, two contradicting copies of a header) is refused, never
// allowed.
//
// Thread safety: pure functions; TrustedProxies is immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/common/status.h"
#include "registry_frontend/http/message.h"

namespace registry_frontend::sidecar {

using policy_engine::Result;
using policy_engine::Status;

struct CheckedRequest {
  std::string method;  // GET, HEAD, PUT, …
  std::string path;    // origin-form path, validated (no `%`, no `.`/`..` segments)
  std::string query;   // after `?`, raw
};

// Splits and validates an origin-form request target ("/v2/x/manifests/v1?a=b"). Errors
// (BAD_REQUEST) name the problem: absolute-form, encoded characters, dot segments, control
// characters or spaces, fragments, empty, too long.
Result<CheckedRequest> ParseTarget(std::string_view method, std::string_view target);

// nginx auth_request: `X-Original-Method` and `X-Original-URI`. Missing, repeated (merged with
// ", " by the HTTP layer) or disagreeing headers are errors.
Result<CheckedRequest> FromAuthRequest(const http::HttpRequest& request);

// Envoy ext_authz HTTP service: the checked request's method, and its path after `prefix`
// (e.g. "/ext_authz/v2/…" → "/v2/…"). An `X-Original-URI`/`X-Original-Method` that contradicts
// them is an error.
Result<CheckedRequest> FromExtAuthz(const http::HttpRequest& request, std::string_view prefix);

// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped to ::ffff:a.b.c.d).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
};
bool ParseIp(std::string_view text, IpAddress& out);

struct Cidr {
  IpAddress base;
  int prefix = 0;  // over the 128-bit (mapped) form
};
// "10.0.0.0/8", "::1/128", or a bare address (a single host).
Result<Cidr> ParseCidr(std::string_view text);

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}
  bool Contains(std::string_view ip) const;
  bool Contains(const IpAddress& ip) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<Cidr> ranges_;
};

struct ClientFacts {
  std::string source_ip;
  bool secure = false;
  bool from_headers = false;  // the forwarding headers were used (the peer is trusted)
};

// aws:SourceIp and aws:SecureTransport. Only when the TCP peer (`remote_ip`) is a trusted proxy
// are `X-Forwarded-For` (its rightmost hop that is not itself a trusted proxy), then
// `X-Real-IP`, and `X-Forwarded-Proto` used; otherwise the connection decides and those headers
// are ignored. A trusted peer sending an unparsable hop is an error (BAD_REQUEST).
Result<ClientFacts> ResolveClient(const http::HttpRequest& request, const TrustedProxies& trusted);

}  // namespace registry_frontend::sidecar
