// Seeded random policy stores and request lines for the differential tests: the compiled engine
// (compile::DecisionProgram) against the reference evaluator (eval::EvaluateReference).
//
// A RandomWorld is one small universe drawn from a seed: 2–3 accounts (organization members with
// 1–3 SCP levels and RCP levels, sometimes a management account), users with paths, tags, groups,
// inline and shared managed policies and permissions boundaries, roles (called through assumed-role
// sessions, sometimes with the role name in another letter case), repositories with tags (keys
// sometimes differing only in case, R63) and repository policies, and registry policies. Its store
// is emitted as JSON text in the format of store::Store::Load (corpus/stores/demo-store.json), so
// every generated document goes through the real loader and the real policy parser.
//
// Statements cover every condition operator of model::ConditionOperator with and without
// ForAllValues/ForAnyValue and IfExists, typed values that parse (decimals, dates in ISO and epoch
// form, IPv4/IPv6 ranges, booleans, base64, ARNs), policy variables with and without defaults,
// `${*}`-style special variables, 2008-10-17 and version-less documents, Action/NotAction with
// wildcards and mixed case, Resource/NotResource of every shape (exact, prefix, glob, short ARNs,
// variables, star), every Principal form and NotPrincipal with full and partial layer lists.
// Request lines draw principals, actions, resources and context keys from the same small pools
// the policies use, so conditions and patterns hit as often as they miss.
//
// Universes are deliberately tiny: a mismatch needs a policy, a request and a context that meet,
// and small pools make those meetings frequent.
//
// Determinism: everything is a function of the seed, through the SplitMix64 generator below, which
// (unlike std::uniform_int_distribution, whose algorithm differs between standard libraries) gives
// the same stream on every platform. A failing (seed, request index) therefore reproduces anywhere.
//
// Thread safety: a RandomWorld is a single-threaded object; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace policy_engine::differential {

// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, full period, passes BigCrush; plenty for
// test-input generation and trivially portable.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n); n must be > 0. Modulo bias is irrelevant for test generation.
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  // True with probability percent/100.
  bool Percent(int percent) { return static_cast<int>(Below(100)) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

class RandomWorld {
 public:
  // Draws the universe and its store document. The request stream starts at index 0.
  explicit RandomWorld(uint64_t seed);

  uint64_t seed() const { return seed_; }
  // The store document (store::Store::Load input), compact JSON.
  const std::string& store_json() const { return store_json_; }

  // The next request line of this world's stream (store request format: principal, action,
  // resource, context, sometimes sessionTags or sessionPolicy). Deterministic: the i-th call
  // returns the same line for the same seed. A small share of lines is meant to be rejected by
  // Store::ReadRequest (unknown principal, wrong resource type); callers count those.
  std::string NextRequest();

  // Universe description, public so that the generator's helpers in random_store.cc can build on
  // it; tests do not need it.
  struct Entity {
    bool user = true;  // else a role
    std::string account;
    std::string name;  // as written in the ARN
    std::string path;  // "" or "engineering/" (with trailing slash)
    std::string arn;
    std::string unique_id;  // explicit uniqueId, or "" (the store then generates one)
    std::vector<std::pair<std::string, std::string>> tags;
  };
  struct Account {
    std::string id;
    std::string org_id;  // "" = not an organization member
    bool management = false;
  };
  struct Repository {
    std::string account;
    std::string region;
    std::string name;
    std::string arn;
  };

 private:
  std::string BuildStore();

  uint64_t seed_;
  Rng store_rng_;    // drives the store
  Rng request_rng_;  // drives the request stream (independent of how much the store consumed)
  std::vector<Account> accounts_;
  std::vector<Entity> entities_;
  std::vector<Repository> repositories_;
  std::vector<std::pair<std::string, std::string>> registries_;  // (account, region)
  std::string store_json_;
};

}  // namespace policy_engine::differential
