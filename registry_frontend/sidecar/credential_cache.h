// Verified registry passwords, so a keep-alive client (nginx, Envoy) does not pay base64 + HMAC
// on every check (bench/README.md "Sidecar": 3.8 µs of a ~25 µs check).
//
// Why it is safe: a hit needs the byte-identical `Authorization` value that verified before with
// the same (process-constant) key, and the cached expiry and not-before are checked again at the
// hit's time exactly as TokenSigner::Verify does, so a hit answers what verification would.
// Only verified values are inserted (a forged header never occupies a slot). Bounded memory:
// kSlots slots in sets of two (a value may sit in either slot of its set; an insert replaces the
// set's least recently used one), values above kMaxHeader bytes are not cached. Two ways, not one:
// with 300 clients in 1,024 direct-mapped slots a quarter of them shared a slot with another and
// both re-verified on every check (bench/README.md "Sidecar"). If passwords ever become
// revocable or the key reloadable, Clear() on that.
//
// Thread safety: all methods may be called concurrently (slots are guarded by striped mutexes).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry_frontend/auth/token.h"

namespace registry_frontend::sidecar {

class CredentialCache {
 public:
  static constexpr size_t kSlots = 4096;  // 2,048 sets of two
  static constexpr size_t kMaxHeader = 8192;

  // The claims cached for exactly `authorization`, if still valid at `now`.
  std::optional<auth::TokenClaims> Find(std::string_view authorization, int64_t now) const;
  void Insert(std::string_view authorization, const auth::TokenClaims& claims);
  void Clear();

  // The set a value maps to (two slots); public for tests.
  static size_t SetOf(std::string_view authorization);

 private:
  static constexpr size_t kStripes = 64;
  static constexpr size_t kSets = kSlots / 2;
  struct Slot {
    std::string authorization;
    auth::TokenClaims claims;
  };
  struct Set {
    std::array<Slot, 2> ways;
    uint8_t recent = 0;  // the way hit or filled last
  };
  mutable std::array<std::mutex, kStripes> mu_;  // set i is guarded by mu_[i % kStripes]
  mutable std::vector<Set> sets_ = std::vector<Set>(kSets);
};

}  // namespace registry_frontend::sidecar
