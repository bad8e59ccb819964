// Verified registry passwords, so a keep-alive client (nginx, Envoy) does not pay base64 + HMAC
// on every check (bench/README.md "Sidecar": 3.8 µs of a ~25 µs check).
//
// Why it is safe: a hit needs the byte-identical `Authorization` value that verified before with
// the same (process-constant) key, and the cached expiry and not-before are checked again at the
// hit's time exactly as TokenSigner::Verify does, so a hit answers what verification would.
// Only verified values are inserted (a forged header never occupies a slot). Bounded memory:
// kSlots direct-mapped slots, values above kMaxHeader bytes are not cached; a colliding insert
// replaces the slot. If passwords ever become revocable or the key reloadable, Clear() on that.
//
// Thread safety: all methods may be called concurrently (slots are guarded by striped mutexes).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "registry_frontend/auth/token.h"

namespace registry_frontend::sidecar {

class CredentialCache {
 public:
  static constexpr size_t kSlots = 1024;
  static constexpr size_t kMaxHeader = 8192;

  // The claims cached for exactly `authorization`, if still valid at `now`.
  std::optional<auth::TokenClaims> Find(std::string_view authorization, int64_t now) const;
  void Insert(std::string_view authorization, const auth::TokenClaims& claims);
  void Clear();

 private:
  static constexpr size_t kStripes = 64;
  struct Slot {
    std::string authorization;
    auth::TokenClaims claims;
  };
  static size_t SlotOf(std::string_view authorization);

  mutable std::array<std::mutex, kStripes> mu_;  // slot i is guarded by mu_[i % kStripes]
  std::array<Slot, kSlots> slots_;
};

}  // namespace registry_frontend::sidecar
