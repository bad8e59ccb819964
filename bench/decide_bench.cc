// Decision benchmarks (issue #3 targets; figures in bench/README.md):
//   BM_Decide/statements:N          compiled Evaluate on prepared requests: p50/p99 ns per
//                                   decision from individually timed batches, decisions/s,
//                                   heap allocations per decision, bytes per statement
//   BM_DecideHot/statements:N       the same, cycling over 64 requests (request hot in cache)
//   BM_PrepareAndDecide/statements:N  Prepare (bind the request) + Evaluate
//   BM_EngineDecide/statements:N    the engine facade (engine.h) as front ends call it (flat
//                                   request keys, direct path; memo misses)
//   BM_EngineDecideContext/statements:N  the same through the model::Context overload
//   BM_EngineDecideRepeated/statements:N  BM_EngineDecide with 64 requests repeated (memo hits)
//   BM_DecideReference/statements:N the reference evaluator on the same requests
//   BM_Compile/statements:N         Store -> DecisionProgram
//   BM_IncrementalUpdate/statements:N  one repository policy replaced (new snapshot)
//   BM_IncrementalEntityUpdate/statements:N  one principal added or replaced (new snapshot)
// The workload is bench/workload.h; `make_workload` writes it to files for other engines.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>

#include "bench/allocation_counter.h"
#include "bench/workload.h"
#include "policy_engine/compile/program.h"
#include "policy_engine/engine/engine.h"
#include "policy_engine/store/store.h"

namespace {

using policy_engine::compile::DecisionProgram;
using policy_engine::compile::PreparedRequest;
using policy_engine::compile::Verdict;

constexpr size_t kRequests = 20000;
constexpr size_t kBatch = 256;

struct Fixture {
  size_t statements = 0;
  std::unique_ptr<policy_engine::store::Store> store;
  std::shared_ptr<const DecisionProgram> program;
  std::vector<policy_engine::store::StoreRequest> requests;
  std::vector<PreparedRequest> prepared;
  std::vector<policy_engine::eval::PolicySet> sets;
};

Fixture& Get(size_t statements) {
  static std::map<size_t, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[statements];
  if (slot) return *slot;
  slot = std::make_unique<Fixture>();
  Fixture& f = *slot;
  portcullis_bench::Workload w = portcullis_bench::MakeWorkload(statements, kRequests);
  f.statements = w.statements;
  auto store = policy_engine::store::Store::Load(w.store_json);
  if (!store) {
    fprintf(stderr, "workload store does not load: %s\n", store.error().ToString().c_str());
    std::abort();
  }
  f.store = std::make_unique<policy_engine::store::Store>(std::move(*store));
  f.program = *DecisionProgram::Compile(*f.store);
  f.requests.reserve(w.requests.size());
  for (const std::string& line : w.requests) {
    auto r = f.store->ReadRequest(line);
    if (!r) {
      fprintf(stderr, "workload request rejected: %s\n", r.error().ToString().c_str());
      std::abort();
    }
    f.store->CompleteContext(*r);
    f.requests.push_back(std::move(*r));
  }
  f.prepared.resize(f.requests.size());
  for (size_t i = 0; i < f.requests.size(); ++i) f.program->Prepare(f.requests[i], f.prepared[i]);
  for (const auto& r : f.requests) f.sets.push_back(f.store->PolicySetFor(r));
  return f;
}

void Percentiles(benchmark::State& state, std::vector<double>& per_batch) {
  if (per_batch.empty()) return;
  std::sort(per_batch.begin(), per_batch.end());
  state.counters["p50_ns"] = per_batch[per_batch.size() / 2];
  state.counters["p99_ns"] = per_batch[std::min(per_batch.size() - 1, per_batch.size() * 99 / 100)];
}

struct BatchCounts {
  size_t decisions = 0;
  size_t allows = 0;
};

// Runs `decide_one()` (one decision; true for an Allow) in timed batches of kBatch, and sets the
// counters every decision benchmark reports: items/s, p50/p99 of the per-decision batch time and
// heap allocations per decision.
template <typename DecideOne>
BatchCounts TimeBatches(benchmark::State& state, DecideOne decide_one) {
  std::vector<double> per_batch;
  per_batch.reserve(1 << 20);
  BatchCounts counts;
  uint64_t allocations_before = g_allocations.load();
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < kBatch; ++i) counts.allows += decide_one() ? 1 : 0;
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
    if (per_batch.size() < per_batch.capacity()) per_batch.push_back(ns.count() / kBatch);
    counts.decisions += kBatch;
  }
  uint64_t allocations = g_allocations.load() - allocations_before;
  state.SetItemsProcessed(static_cast<int64_t>(counts.decisions));
  Percentiles(state, per_batch);
  state.counters["allocs_per_decision"] =
      static_cast<double>(allocations) / static_cast<double>(std::max<size_t>(counts.decisions, 1));
  return counts;
}

// `working_set` requests are cycled through: 20,000 (every request of the workload, so each
// decision reads a request that is cold in the cache) or 64 (the request hot, as when a front end
// decides the request it has just built).
void DecideLoop(benchmark::State& state, size_t working_set) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  working_set = std::min(working_set, f.prepared.size());
  size_t next = 0;
  BatchCounts counts = TimeBatches(state, [&] {
    Verdict v = f.program->Evaluate(f.prepared[next]);
    benchmark::DoNotOptimize(v);
    if (++next == working_set) next = 0;
    return v.decision == policy_engine::model::Decision::kAllow;
  });
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(counts.decisions), benchmark::Counter::kIsRate);
  state.counters["allow_share"] =
      static_cast<double>(counts.allows) / static_cast<double>(counts.decisions);
  state.counters["statements"] = static_cast<double>(f.program->stats().statements);
  state.counters["bytes_per_statement"] =
      static_cast<double>(f.program->stats().approximate_bytes) /
      static_cast<double>(std::max<size_t>(f.program->stats().statements, 1));
  size_t reference_path = 0;
  for (const PreparedRequest& p : f.prepared) reference_path += p.needs_reference;
  state.counters["reference_path_share"] =
      static_cast<double>(reference_path) / static_cast<double>(f.prepared.size());
}

void BM_Decide(benchmark::State& state) { DecideLoop(state, kRequests); }
void BM_DecideHot(benchmark::State& state) { DecideLoop(state, 64); }

void BM_PrepareAndDecide(benchmark::State& state) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  size_t next = 0;
  PreparedRequest scratch;
  TimeBatches(state, [&] {
    f.program->Prepare(f.requests[next], scratch);
    Verdict v = f.program->Evaluate(scratch);
    benchmark::DoNotOptimize(v);
    if (++next == f.requests.size()) next = 0;
    return false;
  });
}

// What a front end pays per decision through the engine facade (engine.h): principal, action and
// resource strings plus the request keys the registry supplies; the facade resolves, completes
// the context, decides and explains. Compare with BM_PrepareAndDecide for the facade's cost.
// `flat`: the span-of-RequestKey overload (the registry's and the sidecar's, direct path); else
// the model::Context overload (general path).
void EngineDecideLoop(benchmark::State& state, size_t distinct, bool flat) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  static std::map<int64_t, std::unique_ptr<policy_engine::engine::Engine>> engines;
  auto& engine = engines[state.range(0)];
  if (!engine) {
    auto created = policy_engine::engine::Engine::Create(
        portcullis_bench::MakeWorkload(static_cast<size_t>(state.range(0)), 1).store_json);
    if (!created) std::abort();
    engine = std::move(*created);
  }
  policy_engine::model::Context context;
  context.SetSingle("aws:SourceIp", "10.1.2.3");
  context.SetSingle("aws:SecureTransport", "true");
  context.SetSingle("aws:CurrentTime", "2026-11-28T01:00:00Z");
  context.SetSingle("aws:EpochTime", "1795827600");
  context.SetSingle("aws:UserAgent", "skopeo/1.9.3");
  const policy_engine::engine::RequestKey keys[] = {{"aws:SourceIp", "10.1.2.3"},
                                                    {"aws:SecureTransport", "true"},
                                                    {"aws:CurrentTime", "2026-11-28T01:00:00Z"},
                                                    {"aws:EpochTime", "1795827600"},
                                                    {"aws:UserAgent", "skopeo/1.9.3"}};
  size_t next = 0;
  uint64_t memo_hits_before = engine->memo_hits();
  uint64_t direct_before = engine->direct_count();
  uint64_t reference_before = engine->reference_count();
  BatchCounts counts = TimeBatches(state, [&] {
    const auto& r = f.requests[next].request;
    auto result = flat ? engine->Decide(r.principal.arn, r.action, r.resource, keys)
                       : engine->Decide(r.principal.arn, r.action, r.resource, context);
    benchmark::DoNotOptimize(result);
    if (++next == std::min(distinct, f.requests.size())) next = 0;
    return result.decision == policy_engine::model::Decision::kAllow;
  });
  const size_t decisions = counts.decisions;
  const size_t allows = counts.allows;
  state.counters["allow_share"] = static_cast<double>(allows) / static_cast<double>(decisions);
  state.counters["error_share"] =
      static_cast<double>(engine->error_count()) / static_cast<double>(decisions);
  state.counters["memo_hit_share"] =
      static_cast<double>(engine->memo_hits() - memo_hits_before) / static_cast<double>(decisions);
  state.counters["reference_path_share"] =
      static_cast<double>(engine->reference_count() - reference_before) /
      static_cast<double>(decisions);
  state.counters["direct_path_share"] =
      static_cast<double>(engine->direct_count() - direct_before) / static_cast<double>(decisions);
}

// 20,000 distinct requests cycling through a 4,096-slot memo: nearly every decision is a miss
// (the memo's cost is paid, its benefit is not).
void BM_EngineDecide(benchmark::State& state) { EngineDecideLoop(state, kRequests, true); }
// The same through the model::Context overload: MakeRequest, CompleteContext, Prepare.
void BM_EngineDecideContext(benchmark::State& state) { EngineDecideLoop(state, kRequests, false); }
// 64 requests repeated with the same context (a client fetching the layers of one image within a
// second): nearly every decision is a memo hit.
void BM_EngineDecideRepeated(benchmark::State& state) { EngineDecideLoop(state, 64, true); }

void BM_DecideReference(benchmark::State& state) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  size_t next = 0, decisions = 0;
  for (auto _ : state) {
    auto r = policy_engine::eval::EvaluateReference(f.sets[next], f.requests[next].request);
    benchmark::DoNotOptimize(r);
    if (++next == f.requests.size()) next = 0;
    ++decisions;
  }
  state.SetItemsProcessed(static_cast<int64_t>(decisions));
}

void BM_Compile(benchmark::State& state) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto p = DecisionProgram::Compile(*f.store);
    benchmark::DoNotOptimize(p);
  }
  state.counters["statements"] = static_cast<double>(f.statements);
}

// Applies `update(program, item)` to each item of `items` in turn, chained as a server applies
// them: the overlays grow and are folded every 256 updates, so the figure is the amortised cost.
template <typename Map, typename Items, typename Update>
void ChainedUpdates(benchmark::State& state, Items items, Update update) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  std::vector<const typename Map::mapped_type*> list;
  for (const auto& [key, item] : items(f)) list.push_back(&item);
  size_t next = 0;
  std::shared_ptr<const DecisionProgram> current = f.program;
  for (auto _ : state) {
    current = *update(*current, *list[next], *f.store);
    if (++next == list.size()) next = 0;
  }
}

void BM_IncrementalUpdate(benchmark::State& state) {
  ChainedUpdates<std::map<std::string, policy_engine::store::Repository>>(
      state, [](Fixture & f) -> const auto& { return f.store->repositories(); },
      [](const DecisionProgram& p, const auto& repo, const auto& store) {
        return p.WithRepositoryPolicy(repo, store);
      });
}

void BM_IncrementalEntityUpdate(benchmark::State& state) {
  ChainedUpdates<std::map<std::string, policy_engine::store::Entity>>(
      state, [](Fixture & f) -> const auto& { return f.store->entities(); },
      [](const DecisionProgram& p, const auto& entity, const auto& store) {
        return p.WithEntity(entity, store);
      });
}

void Sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("statements");
  for (int64_t n : {10, 1000, 10000, 100000}) b->Arg(n);
}

BENCHMARK(BM_Decide)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_DecideHot)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_PrepareAndDecide)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_EngineDecide)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_EngineDecideContext)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_EngineDecideRepeated)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_DecideReference)->Apply(Sizes)->UseRealTime();
BENCHMARK(BM_Compile)->Apply(Sizes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IncrementalUpdate)->Apply(Sizes)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_IncrementalEntityUpdate)->Apply(Sizes)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
