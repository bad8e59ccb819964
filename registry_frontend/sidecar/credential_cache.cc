// Verified-password cache (credential_cache.h).
#include "registry_frontend/sidecar/credential_cache.h"

#include <functional>

namespace registry_frontend::sidecar {

size_t CredentialCache::SlotOf(std::string_view authorization) {
  return std::hash<std::string_view>{}(authorization) % kSlots;
}

std::optional<auth::TokenClaims> CredentialCache::Find(std::string_view authorization,
                                                       int64_t now) const {
  if (authorization.empty() || authorization.size() > kMaxHeader) return std::nullopt;
  size_t i = SlotOf(authorization);
  std::lock_guard<std::mutex> lock(mu_[i % kStripes]);
  const Slot& slot = slots_[i];
  // Constant time in the content: a timing difference must not reveal how much of a cached
  // (valid) header a guess got right.
  if (slot.authorization.size() != authorization.size()) return std::nullopt;
  unsigned char diff = 0;
  for (size_t k = 0; k < authorization.size(); ++k) {
    diff |= static_cast<unsigned char>(slot.authorization[k] ^ authorization[k]);
  }
  if (diff != 0) return std::nullopt;
  // The same time checks as TokenSigner::Verify.
  if (now >= slot.claims.expires_at || slot.claims.issued_at > now + 300) return std::nullopt;
  return slot.claims;
}

void CredentialCache::Insert(std::string_view authorization, const auth::TokenClaims& claims) {
  if (authorization.empty() || authorization.size() > kMaxHeader) return;
  size_t i = SlotOf(authorization);
  std::lock_guard<std::mutex> lock(mu_[i % kStripes]);
  slots_[i].authorization.assign(authorization);
  slots_[i].claims = claims;
}

void CredentialCache::Clear() {
  for (size_t i = 0; i < kSlots; ++i) {
    std::lock_guard<std::mutex> lock(mu_[i % kStripes]);
    slots_[i] = Slot{};
  }
}

}  // namespace registry_frontend::sidecar
