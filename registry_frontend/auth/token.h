// Registry passwords equivalent to ECR's GetAuthorizationToken (policy-semantics.md R148, R149).
//
// Format: `PCT1.<base64url(payload)>.<base64url(HMAC-SHA256(key, payload))>`, payload
// `<issued epoch s>|<expiry epoch s>|<principal ARN>`. base64url has no `:`, so the password
// survives `aws ecr get-login-password`'s `user, password = token.split(':')` and Basic auth with
// user `AWS`. The token names the principal only; its permissions are those in force at each
// request (R147). Tokens cannot be revoked individually: rotate the key.
//
// The key lives in the data directory (auth/token.key, 32 random bytes, mode 0600), so
// `portcullis login-password` and `portcullis serve` on the same --data agree.
//
// Thread safety: a TokenSigner is immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "policy_engine/common/status.h"

namespace registry_frontend::auth {

using policy_engine::Result;
using policy_engine::Status;

inline constexpr int64_t kTokenLifetimeSeconds = 12 * 3600;

std::string Base64Encode(std::string_view data);
std::optional<std::string> Base64Decode(std::string_view text);  // standard alphabet, padded
std::string Base64UrlEncode(std::string_view data);              // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);

struct TokenClaims {
  std::string principal_arn;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

class TokenSigner {
 public:
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}
  // Reads `path`, or creates it with a fresh random key (parent directories too).
  static Result<TokenSigner> LoadOrCreate(const std::string& path);

  std::string Issue(std::string_view principal_arn, int64_t now) const;
  // UNAUTHORIZED with a reason (malformed, bad signature, expired, not yet valid).
  Result<TokenClaims> Verify(std::string_view token, int64_t now) const;

 private:
  std::string Mac(std::string_view payload) const;
  std::string key_;
};

// `Authorization: Basic base64(user:password)` → (user, password). UNAUTHORIZED when missing,
// not Basic, or malformed.
Result<std::pair<std::string, std::string>> ParseBasic(const std::string* authorization);

// Reads `Authorization: Basic base64(AWS:<token>)` and verifies the token. UNAUTHORIZED when the
// header is missing, not Basic, malformed, names another user, or the token does not verify.
Result<TokenClaims> AuthenticateBasic(const std::string* authorization, const TokenSigner& signer,
                                      int64_t now);

}  // namespace registry_frontend::auth
