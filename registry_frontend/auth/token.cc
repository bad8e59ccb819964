// TokenSigner and Basic authentication (token.h). OpenSSL for HMAC, randomness and constant-time
// comparison.
#include "registry_frontend/auth/token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace registry_frontend::auth {

namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kPrefix = "PCT1.";

std::string Encode(std::string_view data, std::string_view alphabet, bool pad) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) |
                 uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(data[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(data[i + 1])) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(3 - rest, '=');
  }
  return out;
}

std::optional<std::string> Decode(std::string_view text, std::string_view alphabet, bool pad) {
  if (pad) {
    if (text.size() % 4 != 0) return std::nullopt;
    size_t strip = 0;
    while (strip < 2 && !text.empty() && text[text.size() - 1 - strip] == '=') ++strip;
    text = text.substr(0, text.size() - strip);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t v = 0;
  int bits = 0;
  for (char c : text) {
    size_t idx = alphabet.find(c);
    if (idx == std::string_view::npos) return std::nullopt;
    v = (v << 6) | static_cast<uint32_t>(idx);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  if (bits > 0 && (v & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical
  return out;
}

Status Unauthorized(std::string message) { return Status("UNAUTHORIZED", std::move(message)); }

bool ParseInt(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::string Base64Encode(std::string_view data) { return Encode(data, kStd, true); }
std::optional<std::string> Base64Decode(std::string_view text) { return Decode(text, kStd, true); }
std::string Base64UrlEncode(std::string_view data) { return Encode(data, kUrl, false); }
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return Decode(text, kUrl, false);
}

Result<TokenSigner> TokenSigner::LoadOrCreate(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    unsigned char key[32];
    bool ok = RAND_bytes(key, sizeof key) == 1 && ::write(fd, key, sizeof key) == sizeof key &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return Status("UNKNOWN", "cannot write the token key `" + path + "`");
    }
  } else if (errno != EEXIST) {
    return Status("UNKNOWN", "cannot create the token key `" + path + "`: " + std::strerror(errno));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string key = s.str();
  if (key.size() < 32) return Status("UNKNOWN", "token key `" + path + "` is too short");
  return TokenSigner(std::move(key));
}

std::string TokenSigner::Mac(std::string_view payload) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), md, &length);
  return std::string(reinterpret_cast<const char*>(md), length);
}

std::string TokenSigner::Issue(std::string_view principal_arn, int64_t now) const {
  std::string payload = std::to_string(now) + "|" + std::to_string(now + kTokenLifetimeSeconds) +
                        "|" + std::string(principal_arn);
  return std::string(kPrefix) + Base64UrlEncode(payload) + "." + Base64UrlEncode(Mac(payload));
}

Result<TokenClaims> TokenSigner::Verify(std::string_view token, int64_t now) const {
  if (token.substr(0, kPrefix.size()) != kPrefix) return Unauthorized("malformed token");
  token.remove_prefix(kPrefix.size());
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return Unauthorized("malformed token");
  auto payload = Base64UrlDecode(token.substr(0, dot));
  auto mac = Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !mac) return Unauthorized("malformed token");
  std::string expected = Mac(*payload);
  if (mac->size() != expected.size() ||
      CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
    return Unauthorized("token signature does not verify");
  }
  size_t a = payload->find('|');
  size_t b = a == std::string::npos ? a : payload->find('|', a + 1);
  TokenClaims claims;
  if (b == std::string::npos ||
      !ParseInt(std::string_view(*payload).substr(0, a), claims.issued_at) ||
      !ParseInt(std::string_view(*payload).substr(a + 1, b - a - 1), claims.expires_at)) {
    return Unauthorized("malformed token");
  }
  claims.principal_arn = payload->substr(b + 1);
  if (now >= claims.expires_at) return Unauthorized("token expired");
  if (claims.issued_at > now + 300) return Unauthorized("token not yet valid");
  return claims;
}

Result<std::pair<std::string, std::string>> ParseBasic(const std::string* authorization) {
  if (authorization == nullptr) return Unauthorized("authentication required");
  std::string_view value = *authorization;
  if (value.size() < 6 || (value.substr(0, 6) != "Basic " && value.substr(0, 6) != "basic ")) {
    return Unauthorized("basic authentication required");
  }
  value.remove_prefix(6);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  auto decoded = Base64Decode(value);
  if (!decoded) return Unauthorized("malformed basic credentials");
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return Unauthorized("malformed basic credentials");
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

Result<TokenClaims> AuthenticateBasic(const std::string* authorization, const TokenSigner& signer,
                                      int64_t now) {
  auto basic = ParseBasic(authorization);
  if (!basic) return basic.error();
  if (basic->first != "AWS") return Unauthorized("user must be `AWS`");
  return signer.Verify(basic->second, now);
}

}  // namespace registry_frontend::auth
