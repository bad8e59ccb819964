// DecisionProgram: a policy store compiled into an immutable, indexed snapshot that decides a
// request in tens of nanoseconds without allocating (docs/decision-program.md).
//
// Pipeline (RE2's compile-once, match-many):
//   store::Store --Compile--> DecisionProgram --Prepare(request)--> PreparedRequest
//                                            --Evaluate---------> Verdict --Explain-->
//                                            DecisionResult
//
//  * Compile interns every action the store's policies name plus the ECR catalog (the action
//    universe) and every condition key; compiles every policy once (managed policies are shared);
//    and builds, per principal, per repository and per account, an index from action id to the
//    statements that can apply. The index only narrows; the exact checks of compiled_policy.h
//    decide. With Options::use_index false every statement of each set is checked (the index-off
//    path the differential tests compare against).
//  * Prepare binds a request (already completed by store::Store::CompleteContext) to the program:
//    principal, action and repository become indexes, the context becomes views of the keys the
//    program references. It does not allocate. Requests that the compiled path does not cover —
//    more referenced context keys than PreparedContext holds, context keys that differ only in
//    case (R63), or variables that overflow the stack buffer — are flagged `needs_reference`, and
//    Engine::Decide evaluates them with the reference evaluator instead.
//  * Evaluate runs the decision procedure of §5.3 over the indexed sets; no allocation, no locks,
//    no I/O.
//  * Incremental updates (WithRepositoryPolicy, WithEntity) build a new snapshot that shares every
//    unchanged block with this one.
//
// Thread safety: a DecisionProgram is immutable; any number of threads may Prepare and Evaluate
// concurrently. Publish new snapshots behind an atomic pointer (policy_engine/engine publishes
// whole snapshots with per-thread read epochs, engine/reader_slots.h).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy_engine/common/status.h"
#include "policy_engine/compile/compiled_policy.h"
#include "policy_engine/model/decision.h"
#include "policy_engine/store/store.h"

namespace policy_engine::compile {

using ActionId = uint32_t;
inline constexpr ActionId kUnknownAction = UINT32_MAX;
inline constexpr uint32_t kNone = UINT32_MAX;

// A statement reference inside an indexed set. Trivial (no initializers): arrays of them are
// built on every decision and must not be zeroed.
struct StmtRef {
  const CompiledStatement* statement;
  const CompiledPolicy* policy;
};

// Portable popcount: the baseline x86-64 target has no POPCNT instruction, and GCC's fallback is
// a libgcc call that showed up at 3 % of decide_bench's profile.
inline uint32_t PopCount(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<uint32_t>((x * 0x0101010101010101ull) >> 56);
}

// The statements of one policy set (e.g. a principal's identity policies), indexed by action.
// The index is a bitmap over action ids with per-word rank bases: finding an action's group is
// two loads and a popcount, and the index costs a few bytes per present action.
struct IndexedSet {
  std::vector<std::shared_ptr<const CompiledPolicy>> policies;  // owners
  std::vector<StmtRef> all;                                     // every statement, in order
  std::vector<StmtRef> by_action;                               // grouped by action id
  std::vector<uint64_t> action_bits;                            // bit a: action a has a group
  std::vector<uint32_t> rank_base;                              // set bits before each word
  std::vector<uint32_t> group_begin;                            // by rank; one extra end entry
  std::vector<ActionId> group_action;                           // by rank (for Dump)
  bool empty() const { return all.empty(); }
  // The group of `action`: [*begin, *end) in by_action; false when there is none.
  bool Group(ActionId action, uint32_t* begin, uint32_t* end) const {
    size_t word = action >> 6;
    if (word >= action_bits.size()) return false;
    uint64_t bits = action_bits[word];
    uint64_t bit = uint64_t{1} << (action & 63);
    if ((bits & bit) == 0) return false;
    uint32_t rank = rank_base[word] + PopCount(bits & (bit - 1));
    *begin = group_begin[rank];
    *end = group_begin[rank + 1];
    return true;
  }
};

// Heterogeneous lookup (find by string_view without allocating).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Identity side of a user or role (R107 ID and PB).
struct EntityBlock {
  std::string arn;
  std::string account;
  IndexedSet identity;
  IndexedSet boundary;
  bool has_boundary = false;
};

// Resource side of a repository: its policy plus its registry's policy (R128), and the registry
// policy alone for CreateRepository (R129).
struct RepositoryBlock {
  std::string arn;
  IndexedSet resource;
  IndexedSet registry_only;
};

// SCP and RCP levels of an account (empty for the management account, R107).
struct AccountBlock {
  std::string id;
  std::vector<IndexedSet> scp_levels;
  std::vector<IndexedSet> rcp_levels;
};

// The decisive statements of a verdict (fixed capacity: no allocation).
struct Verdict {
  static constexpr size_t kMaxMatched = 16;
  model::Decision decision = model::Decision::kImplicitDeny;
  model::Reason reason = model::Reason::kNoIdentityAllow;
  uint32_t level = 0;            // failing SCP level for kScpGate
  bool needs_reference = false;  // the request must be decided by the reference evaluator
  // No default member initializers: a Verdict is built on every decision and its array is only
  // read up to matched_count.
  struct Match {
    StmtRef ref;
    model::PolicySetRole role;
    model::PrincipalStrength strength;
  };
  std::array<Match, kMaxMatched> matched;
  uint32_t matched_count = 0;  // entries filled
  uint32_t matched_total = 0;  // entries found (> kMaxMatched when truncated)
};

struct PreparedRequest {
  PreparedPrincipal principal;
  std::string_view action;
  std::string_view resource;
  ArnView resource_arn;  // `resource` split once for segment matchers
  ActionId action_id = kUnknownAction;
  bool wildcard_only = false;            // resource `*` (R43, R117)
  bool same_account = false;             // R115 vs R116
  bool needs_reference = false;          // decided by the reference evaluator (see above)
  const IndexedSet* identity = nullptr;  // null: no identity policies (service, root, anonymous)
  const IndexedSet* boundary = nullptr;  // null: no permissions boundary
  const std::vector<IndexedSet>* scp_levels = nullptr;
  const std::vector<IndexedSet>* rcp_levels = nullptr;
  const IndexedSet* resource_set = nullptr;  // RP; null when not consulted
  PreparedContext context;
};

// A context key of a request given in parts rather than as a store::StoreRequest: what
// engine::Engine's direct path passes, with the principal- and resource-derived keys it keeps per
// snapshot (docs/decision-program.md, "Direct requests").
struct DirectKey {
  KeyId key = kNoKey;                   // a key this program references (FindKey)
  bool multi = false;                   // R60, as model::ContextValue::multi
  std::string_view single;              // the value when !multi
  const std::string* values = nullptr;  // every value when multi
  uint32_t count = 1;                   // values (1 when !multi)
};

// What binding a request looks up by string (DecisionProgram::FindPrincipalBlocks,
// FindResourceBlocks), resolved once: the engine's direct path keeps them per principal and per
// repository of a snapshot (they live as long as the program).
struct PrincipalBlocks {
  const IndexedSet* identity = nullptr;
  const IndexedSet* boundary = nullptr;
  const std::vector<IndexedSet>* scp_levels = nullptr;
};
struct ResourceBlocks {
  std::string_view account;  // the resource ARN's account ("" for `*`)
  const std::vector<IndexedSet>* rcp_levels = nullptr;
  const IndexedSet* resource_set = nullptr;
};
// Optional shortcuts for binding; each null (or kUnknownAction) is looked up as usual.
struct BindHints {
  const PrincipalBlocks* principal = nullptr;
  const ResourceBlocks* resource = nullptr;
  ActionId action_id = kUnknownAction;
};

// A request in parts, resolved as store::Store::MakeRequest and CompleteContext would: the
// principal complete, action and resource checked against the catalog, and `keys` holding every
// referenced context key once (distinct KeyIds; the caller's keys already won over derived ones).
struct DirectRequest {
  const model::Principal* principal = nullptr;
  std::string_view action;
  std::string_view resource;
  std::string_view resource_account;  // the resource ARN's account; "" for `*`
  const DirectKey* keys = nullptr;
  size_t key_count = 0;
  BindHints hints;  // blocks and action id found earlier by this program
};

class DecisionProgram {
 public:
  struct Options {
    bool use_index = true;  // false: check every statement of each set (index-off path)
  };

  static Result<std::shared_ptr<const DecisionProgram>> Compile(const store::Store& store,
                                                                const Options& options);
  static Result<std::shared_ptr<const DecisionProgram>> Compile(const store::Store& store) {
    return Compile(store, Options{});
  }

  // Binds `request` (which must outlive `out`) to this program. No allocation.
  void Prepare(const store::StoreRequest& request, PreparedRequest& out) const;
  // The same for a request in parts (what `request` points to must outlive `out`). Binds exactly
  // what Prepare binds for the StoreRequest the parts stand for. No allocation.
  void PrepareDirect(const DirectRequest& request, PreparedRequest& out) const;
  // The id of a case-folded context key, kNoKey when no policy of the program references it.
  KeyId FindKey(std::string_view lower_name) const { return keys_.Find(lower_name); }
  // The id of an action (any case), kUnknownAction when outside the action universe.
  ActionId FindAction(std::string_view action) const;
  // The blocks Prepare binds for a principal and for an action on a resource (BindHints).
  using PrincipalBlocks = compile::PrincipalBlocks;
  using ResourceBlocks = compile::ResourceBlocks;
  PrincipalBlocks FindPrincipalBlocks(const model::Principal& principal) const;
  ResourceBlocks FindResourceBlocks(std::string_view action, std::string_view resource) const;

  // The decision procedure of §5.3. No allocation, no locks, no I/O.
  void Evaluate(const PreparedRequest& request, Verdict& out) const;
  Verdict Evaluate(const PreparedRequest& request) const {
    Verdict v;
    Evaluate(request, v);
    return v;
  }

  // Names, roles and the reason line for a verdict (allocates; off the hot path).
  model::DecisionResult Explain(const Verdict& verdict) const;

  // Incremental updates: a new snapshot sharing every other block with this one.
  // Sets (or with nullopt removes) the policy of a repository; the repository is created when the
  // store did not know it.
  Result<std::shared_ptr<const DecisionProgram>> WithRepositoryPolicy(
      const store::Repository& repository, const store::Store& store) const;
  // Adds or replaces a principal (user or role): its identity policies, groups and boundary as
  // `store` defines them (the entity must be in `store`, which resolves its groups and managed
  // policies).
  Result<std::shared_ptr<const DecisionProgram>> WithEntity(const store::Entity& entity,
                                                            const store::Store& store) const;

  // Human-readable listing of the program (sizes, action universe, per-block indexes).
  std::string Dump() const;

  struct Stats {
    size_t statements = 0;  // compiled statements (shared policies counted once)
    size_t policies = 0;
    size_t entities = 0, repositories = 0, accounts = 0;
    size_t actions = 0, keys = 0;
    size_t index_entries = 0;  // StmtRefs in all indexes
    size_t approximate_bytes = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  friend class Compiler;
  // Everything Prepare binds except the context (which it resets).
  using Hints = BindHints;
  void BindParts(const model::Principal& p, std::string_view action, std::string_view resource,
                 std::string_view resource_account, const Hints& hints, PreparedRequest& out) const;

  // Built once by Compile and shared, unchanged, by every snapshot derived from it: copying a
  // DecisionProgram (for an incremental update) copies pointers, the key table and the overlay.
  struct Tables {
    std::vector<std::string> actions;  // lower-case "service:name" by id
    StringMap<ActionId> action_ids;
    StringMap<std::shared_ptr<const EntityBlock>> entities;          // by ARN
    StringMap<std::shared_ptr<const RepositoryBlock>> repositories;  // by ARN, as compiled
    StringMap<std::shared_ptr<const AccountBlock>> accounts;         // by id
    // Registry-only resource sets for repositories the store does not know (R130), by
    // "account:region".
    StringMap<std::shared_ptr<const RepositoryBlock>> registries;
  };
  using RepositoryMap = StringMap<std::shared_ptr<const RepositoryBlock>>;
  using EntityMap = StringMap<std::shared_ptr<const EntityBlock>>;
  const RepositoryBlock* FindRepository(std::string_view arn) const;
  const EntityBlock* FindEntity(std::string_view arn) const;

  Options options_;
  std::shared_ptr<const Tables> tables_;
  // Repositories changed since Compile; consulted before tables_->repositories. Folded back into
  // a new Tables when it grows past kMaxOverlay, so an update costs O(overlay), amortised O(1).
  static constexpr size_t kMaxOverlay = 256;
  std::shared_ptr<const RepositoryMap> overlay_;
  std::shared_ptr<const EntityMap> entity_overlay_;  // the same for principals
  KeyTable keys_;
  Stats stats_;
};

}  // namespace policy_engine::compile
