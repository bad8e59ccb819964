// The differential check: one request line decided by the reference evaluator
// (store::Store::EvaluateReference, the gold standard) and by the compiled engine
// (compile::DecisionProgram) with its action index on and off, and the results compared.
//
// Compared per request: the decision, the reason code (the step of §5.3 that decided) and its
// text, and the decisive statements (policy name, statement index, Sid, effect, policy-set role
// and principal-match strength). When the compiled verdict is truncated (more than
// Verdict::kMaxMatched decisive statements) the total count and the listed prefix are compared.
//
// Not compared, but counted: lines that Store::ReadRequest rejects (an engine must never see them)
// and requests the compiled engine flags `needs_reference` (session policies, context keys in two
// spellings, buffer overflows), which Engine::Decide sends to the reference evaluator anyway.
//
// Used by tests/differential/differential_test.cc (bounded run in ctest) and by
// tools/difftest/difftest_main.cc (long runs).
//
// Thread safety: a DifferentialChecker is immutable after Create and may be shared; DiffStats is a
// plain value (one per thread, merged with Add).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "policy_engine/common/status.h"
#include "policy_engine/compile/program.h"
#include "policy_engine/engine/engine.h"
#include "policy_engine/model/decision.h"
#include "policy_engine/store/store.h"

namespace policy_engine::differential {

inline constexpr size_t kReasonCount = 16;  // model::Reason enumerators

struct DiffStats {
  uint64_t stores = 0;           // stores loaded and compiled
  uint64_t store_errors = 0;     // generated stores the loader rejected (always a bug)
  uint64_t requests = 0;         // request lines checked
  uint64_t rejected = 0;         // lines Store::ReadRequest rejected: counted, not compared
  uint64_t needs_reference = 0;  // compiled engine deferred to the reference: not compared
  uint64_t compared = 0;         // decisions compared (index on and index off)
  uint64_t truncated = 0;        // of those, with a truncated matched list
  uint64_t mismatches = 0;       // compared requests where some field differed
  // Requests also decided through engine::Engine's flat-key Decide (every request a front end
  // could send: no session policy or tags, single-valued keys), and of those, how many its
  // direct path decided (the rest took the general path). Compared with the reference too.
  uint64_t engine_checked = 0;
  uint64_t engine_direct = 0;
  std::array<uint64_t, 3> decisions{};           // compared requests by model::Decision
  std::array<uint64_t, kReasonCount> reasons{};  // compared requests by model::Reason

  void Add(const DiffStats& other);
  // Multi-line human summary: counts, shares, decision and reason mix.
  std::string Summary() const;
};

// One store under test: loaded once, compiled twice (index on and off), and loaded into an
// engine::Engine (the facade the front ends call, whose direct path binds requests without
// Store::MakeRequest).
class DifferentialChecker {
 public:
  // Loads `store_json` with store::Store::Load and compiles it. Errors are the loader's.
  static Result<std::unique_ptr<DifferentialChecker>> Create(std::string store_json);

  // Prepared-request storage reused across Check calls, as a serving loop reuses it:
  // DecisionProgram::Prepare does not clear what it overwrites, so reuse is what finds state
  // leaking from one request into the next. One per thread.
  struct Scratch {
    compile::PreparedRequest indexed;
    compile::PreparedRequest unindexed;
    compile::Verdict verdict;  // reused through DecisionProgram::Evaluate(request, out)
  };

  // Checks one request line and updates `stats`. Returns "" when the evaluators agree (or the
  // line was rejected or deferred; `stats` says which), else a multi-line description of the
  // disagreement: the request line and both results. With `scratch` null, fresh
  // PreparedRequests are used.
  std::string Check(std::string_view line, DiffStats& stats, Scratch* scratch = nullptr) const;

  const std::string& store_json() const { return store_json_; }
  const store::Store& store() const { return *store_; }

 private:
  DifferentialChecker() = default;

  std::string store_json_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const compile::DecisionProgram> indexed_;
  std::shared_ptr<const compile::DecisionProgram> unindexed_;
  std::unique_ptr<engine::Engine> engine_;  // the facade, memo off
};

// One line per result: decision, reason code and text, matched statements.
std::string FormatResult(const model::DecisionResult& result);

struct MismatchReport {
  uint64_t seed = 0;
  uint64_t request_index = 0;  // position in the seed's request stream (0-based)
  std::string store_path;      // where the store document was written ("" if it could not be)
  std::string detail;          // request line and both results, or the store load error
};

// Draws RandomWorld(seed), checks its first `requests` request lines (reusing one Scratch, so
// every request after the first is prepared over the previous one) and returns the counts. On
// a store load error or a mismatch, writes the store document to
// `artifact_dir`/portcullis-diff-<seed>.json (once per seed) and calls `report`.
DiffStats RunSeed(uint64_t seed, size_t requests, const std::string& artifact_dir,
                  const std::function<void(const MismatchReport&)>& report);

}  // namespace policy_engine::differential
