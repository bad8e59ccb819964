// The engine's direct path (internal to the engine module): a request given in parts with flat
// request keys is bound to the compiled program without building a model::Context or a
// store::StoreRequest.
//
// Why: through the general path a decision costs several times the compiled evaluation, almost
// all of it Store::MakeRequest and CompleteContext building the principal's and the resource's
// ~15 keys as strings in a map of maps (bench/README.md, BM_EngineDecide). Those keys are a
// function of the snapshot: they are computed here once per principal and per repository, by the
// store's own code (Store::MakeRequest, PrincipalKeys, ResourceKeys), and kept only for keys some
// policy references (DecisionProgram::FindKey).
//
// Exactness: the direct path covers the common requests (a user, role, role session, account
// root or `anonymous` caller; a catalog action on a known repository, or on `*` when wildcard-only;
// no key in two spellings) and says "not covered" for everything else, which Engine::Decide then
// sends down the general path. tests/differential compares both paths with the reference
// evaluator.
//
// Thread safety: immutable after construction.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "policy_engine/compile/program.h"
#include "policy_engine/engine/engine.h"
#include "policy_engine/store/store.h"

namespace policy_engine::engine {

// Lower-cases an ASCII key name into `buffer` for the program's and the memo's lookups (no
// allocation); nullopt when it is longer than the buffer (such a request takes the general path
// and stays out of the memo).
inline std::optional<std::string_view> LowerKeyName(std::string_view name, char (&buffer)[128]) {
  if (name.size() > sizeof buffer) return std::nullopt;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buffer[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buffer, name.size());
}

class DirectTables {
 public:
  DirectTables(const store::Store& store, const compile::DecisionProgram& program);

  // Decides on `program` (the one these tables were built for) into `out`; false when the
  // request is not covered (nothing is written then).
  bool Decide(const compile::DecisionProgram& program, std::string_view principal,
              std::string_view action, std::string_view resource, std::span<const RequestKey> keys,
              model::DecisionResult& out) const;

  size_t principals() const { return principals_.size(); }
  size_t repositories() const { return repositories_.size(); }

 private:
  struct Derived {
    compile::KeyId id;
    model::ContextValue value;
  };
  struct PrincipalEntry {
    model::Principal principal;  // as Store::MakeRequest resolves it
    std::vector<Derived> keys;   // Store::PrincipalKeys, referenced keys only
    compile::PrincipalBlocks blocks;
    bool covered = true;  // false: a key in two spellings (R63)
  };
  // A role's sessions (`arn:PART:sts::ACCT:assumed-role/ROLE/SESSION`): everything but the
  // session name, which only the session ARN and aws:userid carry.
  struct SessionEntry {
    model::Principal principal;  // resolved for a placeholder session name
    std::vector<Derived> keys;   // without aws:userid
    compile::PrincipalBlocks blocks;
    compile::KeyId userid = compile::kNoKey;
    std::string userid_prefix;  // the role's unique id and `:`
    bool covered = true;
  };
  struct RepositoryEntry {
    std::string account;        // the ARN's account (StoreRequest resource_account)
    std::vector<Derived> keys;  // Store::ResourceKeys, referenced keys only
    compile::ResourceBlocks blocks;
    bool covered = true;
  };
  static bool Collect(const model::Context& context, const compile::DecisionProgram& program,
                      std::vector<Derived>& out);

  // The session entry and session name of `principal`, when it is a well-formed session ARN of
  // a role these tables know.
  const SessionEntry* FindSession(std::string_view principal, std::string_view* session) const;

  compile::StringMap<PrincipalEntry> principals_;     // by the exact principal string
  compile::StringMap<SessionEntry> sessions_;         // by "PARTITION:ACCT:lower-case role name"
  compile::StringMap<RepositoryEntry> repositories_;  // by ARN
  struct ActionEntry {
    bool wildcard_only = false;
    compile::ActionId id = compile::kUnknownAction;
  };
  compile::StringMap<ActionEntry> actions_;  // catalog actions by exact name
};

}  // namespace policy_engine::engine
