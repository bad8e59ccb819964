// Checked-request parsing and client facts (check.h).
#include "registry_frontend/sidecar/check.h"

#include <arpa/inet.h>

#include <cstring>

namespace registry_frontend::sidecar {

namespace {

constexpr size_t kMaxTarget = 8192;

Status Bad(std::string message) { return Status("BAD_REQUEST", std::move(message)); }

bool IsToken(std::string_view method) {
  if (method.empty() || method.size() > 16) return false;
  for (char c : method) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A header the HTTP layer merged from several lines contains ", ".
bool LooksRepeated(const std::string& value) { return value.find(',') != std::string::npos; }

Result<CheckedRequest> Checked(std::string_view method, std::string_view target,
                               std::string_view where) {
  if (!IsToken(method)) {
    return Bad(std::string(where) + ": method `" + std::string(method.substr(0, 32)) +
               "` is not an upper-case HTTP method");
  }
  auto checked = ParseTarget(method, target);
  if (!checked) return Bad(std::string(where) + ": " + checked.error().message());
  return checked;
}

// Alternative spellings some proxies send (Traefik forward-auth); if present they must agree.
Status Agree(const http::HttpRequest& request, std::string_view name, std::string_view value) {
  const std::string* other = request.Header(name);
  if (other != nullptr && *other != value) {
    return Bad("contradictory headers: " + std::string(name) + " `" + other->substr(0, 256) +
               "` differs from `" + std::string(value.substr(0, 256)) + "`");
  }
  return Status::Ok();
}

}  // namespace

Result<CheckedRequest> ParseTarget(std::string_view method, std::string_view target) {
  if (target.empty()) return Bad("empty request URI");
  if (target.size() > kMaxTarget) {
    return Bad("request URI longer than " + std::to_string(kMaxTarget) + " bytes");
  }
  for (size_t i = 0; i < target.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(target[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return Bad("control character, space or non-ASCII byte at offset " + std::to_string(i) +
                 " of the request URI");
    }
    if (c == '#') return Bad("fragment (`#`) at offset " + std::to_string(i) + " of the URI");
  }
  if (target.front() != '/') {
    if (target.find("://") != std::string_view::npos) {
      return Bad("absolute-form URI (scheme and host) refused; expected origin-form `/v2/…`");
    }
    return Bad("request URI does not start with `/`");
  }
  if (target.size() > 1 && target[1] == '/') return Bad("request URI starts with `//`");
  CheckedRequest out;
  out.method = std::string(method);
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') {
      return Bad("percent-encoded character at offset " + std::to_string(i) +
                 " of the path (encoded slashes, dots and names are refused)");
    }
    if (path[i] == '\\') return Bad("backslash at offset " + std::to_string(i) + " of the path");
  }
  // Segments: no `.`/`..` (a registry or router could normalise them), no empty ones inside.
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") {
      return Bad("dot segment `" + std::string(segment) + "` at offset " + std::to_string(start) +
                 " of the path");
    }
    if (segment.empty() && end != path.size()) {
      return Bad("empty path segment at offset " + std::to_string(start) + " of the path");
    }
    start = end + 1;
  }
  out.path = std::string(path);
  return out;
}

Result<CheckedRequest> FromAuthRequest(const http::HttpRequest& request) {
  const std::string* method = request.Header("x-original-method");
  const std::string* uri = request.Header("x-original-uri");
  if (method == nullptr) return Bad("missing X-Original-Method header");
  if (uri == nullptr) return Bad("missing X-Original-URI header");
  if (LooksRepeated(*method)) return Bad("X-Original-Method appears more than once");
  if (uri->find(", ") != std::string::npos) {
    return Bad("X-Original-URI appears more than once (or contains a space)");
  }
  if (Status s = Agree(request, "x-forwarded-method", *method); !s.ok()) return s;
  if (Status s = Agree(request, "x-forwarded-uri", *uri); !s.ok()) return s;
  return Checked(*method, *uri, "X-Original-URI");
}

Result<CheckedRequest> FromExtAuthz(const http::HttpRequest& request, std::string_view prefix) {
  std::string_view target = request.target;
  if (target.substr(0, prefix.size()) != prefix) return Bad("path does not start with the prefix");
  target.remove_prefix(prefix.size());
  if (target.empty() || target.front() != '/') {
    return Bad("ext_authz: no checked path after `" + std::string(prefix) + "`");
  }
  if (const std::string* m = request.Header("x-original-method")) {
    if (*m != request.method) {
      return Bad("contradictory headers: X-Original-Method `" + m->substr(0, 32) +
                 "` differs from the checked method `" + request.method + "`");
    }
  }
  if (Status s = Agree(request, "x-original-uri", target); !s.ok()) return s;
  return Checked(request.method, target, "ext_authz path");
}

namespace {
// Dotted-quad IPv4 without inet_pton, which was 2 % of a check: X-Forwarded-For almost always
// carries this form. The grammar is inet_pton(AF_INET)'s: four decimal parts 0–255 without
// leading zeros; anything else goes to inet_pton.
bool ParseDottedQuad(std::string_view text, uint8_t out[4]) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
    size_t start = i;
    unsigned value = 0;
    while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    if (i == start || value > 255 || (text[start] == '0' && i - start > 1)) return false;
    out[part] = static_cast<uint8_t>(value);
  }
  return i == text.size();
}
}  // namespace

bool ParseIp(std::string_view text, IpAddress& out) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 45) return false;
  uint8_t quad[4];
  if (ParseDottedQuad(text, quad)) {
    out = IpAddress{};
    out.bytes[10] = 0xff;
    out.bytes[11] = 0xff;
    std::memcpy(&out.bytes[12], quad, 4);
    return true;
  }
  char buffer[46];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  out = IpAddress{};
  in_addr v4{};
  if (inet_pton(AF_INET, buffer, &v4) == 1) {
    out.bytes[10] = 0xff;
    out.bytes[11] = 0xff;
    std::memcpy(&out.bytes[12], &v4, 4);
    return true;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, buffer, &v6) == 1) {
    std::memcpy(out.bytes.data(), &v6, 16);
    return true;
  }
  return false;
}

Result<Cidr> ParseCidr(std::string_view text) {
  Cidr out;
  size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  if (!ParseIp(address, out.base)) {
    return Bad("`" + std::string(text) + "`: not an IP address or CIDR range");
  }
  bool v4 = address.find(':') == std::string_view::npos;
  int max = v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return Bad("`" + std::string(text) + "`: bad prefix");
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return Bad("`" + std::string(text) + "`: bad prefix");
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > max) return Bad("`" + std::string(text) + "`: prefix longer than the address");
  }
  out.prefix = v4 ? prefix + 96 : prefix;
  // Clear host bits so Contains compares whole bytes.
  for (int bit = out.prefix; bit < 128; ++bit) {
    out.base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view ip) const {
  IpAddress a;
  return ParseIp(ip, a) && Contains(a);
}

bool TrustedProxies::Contains(const IpAddress& a) const {
  for (const Cidr& r : ranges_) {
    bool match = true;
    for (int bit = 0; bit < r.prefix && match; bit += 8) {
      int n = r.prefix - bit >= 8 ? 8 : r.prefix - bit;
      uint8_t mask = static_cast<uint8_t>(0xff00u >> n);
      match = (a.bytes[bit / 8] & mask) == (r.base.bytes[bit / 8] & mask);
    }
    if (match) return true;
  }
  return false;
}

Result<ClientFacts> ResolveClient(const http::HttpRequest& request, const TrustedProxies& trusted) {
  ClientFacts out;
  out.source_ip = request.remote_ip;
  out.secure = request.secure;
  if (!trusted.Contains(request.remote_ip)) return out;
  if (const std::string* xff = request.Header("x-forwarded-for")) {
    std::string_view rest = *xff;
    std::string_view client;
    while (true) {
      size_t comma = rest.rfind(',');
      std::string_view hop = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      IpAddress parsed;
      if (!ParseIp(hop, parsed)) {
        return Bad("X-Forwarded-For: `" + std::string(hop.substr(0, 64)) +
                   "` is not an IP address");
      }
      client = hop;
      if (!trusted.Contains(parsed) || comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
    if (client.front() == '[') client = client.substr(1, client.size() - 2);
    out.source_ip = std::string(client);
    out.from_headers = true;
  } else if (const std::string* real = request.Header("x-real-ip")) {
    IpAddress parsed;
    if (!ParseIp(Trim(*real), parsed)) {
      return Bad("X-Real-IP: `" + real->substr(0, 64) + "` is not an IP address");
    }
    out.source_ip = std::string(Trim(*real));
    out.from_headers = true;
  }
  if (const std::string* proto = request.Header("x-forwarded-proto")) {
    std::string_view value = *proto;
    if (size_t comma = value.rfind(','); comma != std::string_view::npos) {
      value = value.substr(comma + 1);
    }
    std::string lower = http::ToLower(Trim(value));
    if (lower == "https") {
      out.secure = true;
    } else if (lower == "http") {
      out.secure = false;
    } else {
      return Bad("X-Forwarded-Proto: `" + proto->substr(0, 32) + "` is neither http nor https");
    }
    out.from_headers = true;
  }
  return out;
}

}  // namespace registry_frontend::sidecar
