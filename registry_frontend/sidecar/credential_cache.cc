// Verified-password cache (credential_cache.h).
#include "registry_frontend/sidecar/credential_cache.h"

#include <functional>

namespace registry_frontend::sidecar {

namespace {

// Constant time in the content: a timing difference must not reveal how much of a cached (valid)
// header a guess got right.
bool SameValue(const std::string& cached, std::string_view value) {
  if (cached.size() != value.size()) return false;
  unsigned char diff = 0;
  for (size_t k = 0; k < value.size(); ++k) {
    diff |= static_cast<unsigned char>(cached[k] ^ value[k]);
  }
  return diff == 0;
}

}  // namespace

size_t CredentialCache::SetOf(std::string_view authorization) {
  return std::hash<std::string_view>{}(authorization) % kSets;
}

std::optional<auth::TokenClaims> CredentialCache::Find(std::string_view authorization,
                                                       int64_t now) const {
  if (authorization.empty() || authorization.size() > kMaxHeader) return std::nullopt;
  size_t i = SetOf(authorization);
  std::lock_guard<std::mutex> lock(mu_[i % kStripes]);
  Set& set = sets_[i];
  for (uint8_t way = 0; way < 2; ++way) {
    const Slot& slot = set.ways[way];
    if (!SameValue(slot.authorization, authorization)) continue;
    // The same time checks as TokenSigner::Verify.
    if (now >= slot.claims.expires_at || slot.claims.issued_at > now + 300) return std::nullopt;
    set.recent = way;
    return slot.claims;
  }
  return std::nullopt;
}

void CredentialCache::Insert(std::string_view authorization, const auth::TokenClaims& claims) {
  if (authorization.empty() || authorization.size() > kMaxHeader) return;
  size_t i = SetOf(authorization);
  std::lock_guard<std::mutex> lock(mu_[i % kStripes]);
  Set& set = sets_[i];
  uint8_t way = set.recent == 0 ? 1 : 0;                    // the least recently used
  if (set.ways[0].authorization == authorization) way = 0;  // refresh in place
  if (set.ways[1].authorization == authorization) way = 1;
  set.ways[way].authorization.assign(authorization);
  set.ways[way].claims = claims;
  set.recent = way;
}

void CredentialCache::Clear() {
  for (size_t i = 0; i < kSets; ++i) {
    std::lock_guard<std::mutex> lock(mu_[i % kStripes]);
    sets_[i] = Set{};
  }
}

}  // namespace registry_frontend::sidecar
