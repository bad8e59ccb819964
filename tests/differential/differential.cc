// Comparison of reference and compiled results, plus the per-seed driver.
#include "tests/differential/differential.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "tests/differential/random_store.h"

namespace policy_engine::differential {
namespace {

std::string FormatMatched(const model::MatchedStatement& m) {
  std::string out = m.policy + "#" + std::to_string(m.statement);
  if (!m.sid.empty()) out += "(" + m.sid + ")";
  out += " ";
  out += model::PolicySetRoleName(m.role);
  out += m.effect == model::Effect::kAllow ? " Allow" : " Deny";
  if (m.strength != model::PrincipalStrength::kNone) {
    out += " ";
    out += model::PrincipalStrengthName(m.strength);
  }
  return out;
}

bool SameMatched(const model::MatchedStatement& a, const model::MatchedStatement& b) {
  return a.policy == b.policy && a.statement == b.statement && a.role == b.role &&
         a.strength == b.strength && a.effect == b.effect && a.sid == b.sid;
}

// "" when `got` (the compiled verdict `v`, explained) agrees with `want` (the reference).
std::string Compare(const model::DecisionResult& want, const compile::Verdict& v,
                    const model::DecisionResult& got) {
  std::string diff;
  if (got.decision != want.decision) diff += " decision";
  if (got.reason_code != want.reason_code) diff += " reason_code";
  if (got.reason != want.reason) diff += " reason";
  if (v.matched_total != want.matched.size()) {
    diff += " matched_count(" + std::to_string(v.matched_total) + " vs " +
            std::to_string(want.matched.size()) + ")";
  } else {
    // Truncated verdicts list a prefix of the reference's decisive statements.
    size_t n = std::min(got.matched.size(), want.matched.size());
    for (size_t i = 0; i < n; ++i) {
      if (!SameMatched(got.matched[i], want.matched[i])) {
        diff += " matched[" + std::to_string(i) + "]";
        break;
      }
    }
  }
  return diff;
}

// The same for a result of engine::Engine::Decide: its direct path explains a verdict, whose
// decisive statements are truncated to Verdict::kMaxMatched.
std::string CompareResults(const model::DecisionResult& want, const model::DecisionResult& got) {
  std::string diff;
  if (got.decision != want.decision) diff += " decision";
  if (got.reason_code != want.reason_code) diff += " reason_code";
  if (got.reason != want.reason) diff += " reason";
  bool truncated = got.matched.size() == compile::Verdict::kMaxMatched &&
                   want.matched.size() > compile::Verdict::kMaxMatched;
  if (got.matched.size() != want.matched.size() && !truncated) {
    diff += " matched_count(" + std::to_string(got.matched.size()) + " vs " +
            std::to_string(want.matched.size()) + ")";
  } else {
    for (size_t i = 0; i < got.matched.size(); ++i) {
      if (!SameMatched(got.matched[i], want.matched[i])) {
        diff += " matched[" + std::to_string(i) + "]";
        break;
      }
    }
  }
  return diff;
}

// The request as flat keys, when a front end could send it (engine::RequestKey is
// single-valued and carries no session policy or session tags).
std::optional<std::vector<engine::RequestKey>> FlatKeys(const store::StoreRequest& request) {
  if (request.session_policies || !request.session_tags.empty()) return std::nullopt;
  std::vector<engine::RequestKey> keys;
  for (const auto& [lower, spellings] : request.request.context.entries()) {
    for (const auto& [spelling, value] : spellings) {
      if (value.multi || value.values.size() != 1) return std::nullopt;
      keys.push_back({spelling, value.values[0]});
    }
  }
  return keys;
}

}  // namespace

void DiffStats::Add(const DiffStats& o) {
  stores += o.stores;
  store_errors += o.store_errors;
  requests += o.requests;
  rejected += o.rejected;
  needs_reference += o.needs_reference;
  compared += o.compared;
  truncated += o.truncated;
  mismatches += o.mismatches;
  engine_checked += o.engine_checked;
  engine_direct += o.engine_direct;
  for (size_t i = 0; i < decisions.size(); ++i) decisions[i] += o.decisions[i];
  for (size_t i = 0; i < reasons.size(); ++i) reasons[i] += o.reasons[i];
}

std::string DiffStats::Summary() const {
  auto pct = [](uint64_t part, uint64_t whole) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
    return std::string(buf);
  };
  std::string out;
  out += "stores: " + std::to_string(stores) + " (load errors: " + std::to_string(store_errors) +
         ")\n";
  out += "requests: " + std::to_string(requests) + "; compared " + std::to_string(compared) + " (" +
         pct(compared, requests) + "), rejected " + std::to_string(rejected) + " (" +
         pct(rejected, requests) + "), needs_reference " + std::to_string(needs_reference) + " (" +
         pct(needs_reference, requests) + "), truncated " + std::to_string(truncated) +
         ", mismatches " + std::to_string(mismatches) + "\n";
  out += "engine facade: " + std::to_string(engine_checked) + " requests, " +
         std::to_string(engine_direct) + " (" + pct(engine_direct, engine_checked) +
         ") by its direct path\n";
  out += "decisions:";
  for (size_t i = 0; i < decisions.size(); ++i) {
    out += " " + std::string(model::DecisionName(static_cast<model::Decision>(i))) + "=" +
           std::to_string(decisions[i]) + " (" + pct(decisions[i], compared) + ")";
  }
  out += "\nreasons:";
  for (size_t i = 0; i < reasons.size(); ++i) {
    if (reasons[i] == 0) continue;
    std::string text =
        model::ReasonText(static_cast<model::Reason>(i), model::PolicySetRole::kIdentity, 0);
    out += "\n  " + text.substr(0, text.find(':')) + " " + std::to_string(i) + ": " +
           std::to_string(reasons[i]);
  }
  return out + "\n";
}

std::string FormatResult(const model::DecisionResult& r) {
  std::string out = std::string(model::DecisionName(r.decision)) + " [" +
                    std::to_string(static_cast<int>(r.reason_code)) + "] " + r.reason + " {";
  for (size_t i = 0; i < r.matched.size(); ++i) {
    out += (i == 0 ? "" : "; ") + FormatMatched(r.matched[i]);
  }
  out += "}";
  return out;
}

Result<std::unique_ptr<DifferentialChecker>> DifferentialChecker::Create(std::string store_json) {
  auto store = store::Store::Load(store_json);
  if (!store) return store.error();
  std::unique_ptr<DifferentialChecker> c(new DifferentialChecker());
  c->store_json_ = std::move(store_json);
  c->store_ = std::make_unique<store::Store>(std::move(*store));
  auto indexed = compile::DecisionProgram::Compile(*c->store_, {/*use_index=*/true});
  if (!indexed) return indexed.error();
  auto unindexed = compile::DecisionProgram::Compile(*c->store_, {/*use_index=*/false});
  if (!unindexed) return unindexed.error();
  c->indexed_ = std::move(*indexed);
  c->unindexed_ = std::move(*unindexed);
  auto engine = engine::Engine::Create(c->store_json_, engine::EngineOptions{0});
  if (!engine) return engine.error();
  c->engine_ = std::move(*engine);
  return c;
}

std::string DifferentialChecker::Check(std::string_view line, DiffStats& stats,
                                       Scratch* scratch) const {
  ++stats.requests;
  auto request = store_->ReadRequest(line);
  if (!request) {
    ++stats.rejected;
    return "";
  }
  auto flat = FlatKeys(*request);  // before CompleteContext: what the caller supplies
  store_->CompleteContext(*request);
  model::DecisionResult want = store_->EvaluateReference(*request);

  std::string report;
  bool deferred = false;
  bool truncated = false;
  for (const auto* program : {&indexed_, &unindexed_}) {
    compile::PreparedRequest fresh;
    compile::PreparedRequest& prepared =
        scratch == nullptr ? fresh : (program == &indexed_ ? scratch->indexed : scratch->unindexed);
    (*program)->Prepare(*request, prepared);
    compile::Verdict fresh_verdict;
    compile::Verdict& v = scratch == nullptr ? fresh_verdict : scratch->verdict;
    (*program)->Evaluate(prepared, v);
    if (v.needs_reference) {
      // Both programs see the same request; a deferral by one is a deferral of the request.
      deferred = true;
      continue;
    }
    truncated = truncated || v.matched_total > compile::Verdict::kMaxMatched;
    model::DecisionResult got = (*program)->Explain(v);
    std::string diff = Compare(want, v, got);
    if (diff.empty()) continue;
    const char* which = program == &indexed_ ? "index on" : "index off";
    report += std::string("  compiled (") + which + ") differs in:" + diff +
              "\n    compiled:  " + FormatResult(got) + "\n";
  }
  if (flat) {
    const model::Principal& p = request->request.principal;
    std::string principal = p.kind == model::PrincipalKind::kAnonymous ? "anonymous" : p.arn;
    uint64_t direct_before = engine_->direct_count();
    model::DecisionResult got =
        engine_->Decide(principal, request->request.action, request->request.resource, *flat);
    ++stats.engine_checked;
    if (engine_->direct_count() != direct_before) ++stats.engine_direct;
    std::string diff = CompareResults(want, got);
    if (!diff.empty()) {
      report += "  engine (flat keys) differs in:" + diff +
                "\n    engine:    " + FormatResult(got) + "\n";
    }
  }
  if (deferred) {
    ++stats.needs_reference;
  } else {
    ++stats.compared;
    if (truncated) ++stats.truncated;
    ++stats.decisions[static_cast<size_t>(want.decision)];
    ++stats.reasons[static_cast<size_t>(want.reason_code)];
  }
  if (report.empty()) return "";
  ++stats.mismatches;
  return "  request:   " + std::string(line) + "\n    reference: " + FormatResult(want) + "\n" +
         report;
}

DiffStats RunSeed(uint64_t seed, size_t requests, const std::string& artifact_dir,
                  const std::function<void(const MismatchReport&)>& report) {
  DiffStats stats;
  RandomWorld world(seed);
  std::string store_path;
  auto save_store = [&] {
    if (!store_path.empty()) return;
    std::filesystem::path p =
        std::filesystem::path(artifact_dir) / ("portcullis-diff-" + std::to_string(seed) + ".json");
    std::ofstream out(p);
    out << world.store_json() << "\n";
    if (out.good()) store_path = p.string();
  };
  auto checker = DifferentialChecker::Create(world.store_json());
  if (!checker) {
    ++stats.store_errors;
    save_store();
    report({seed, 0, store_path, "  store rejected: " + checker.error().ToString() + "\n"});
    return stats;
  }
  ++stats.stores;
  auto scratch = std::make_unique<DifferentialChecker::Scratch>();
  for (size_t i = 0; i < requests; ++i) {
    std::string line = world.NextRequest();
    std::string diff = (*checker)->Check(line, stats, scratch.get());
    if (diff.empty()) continue;
    save_store();
    report({seed, i, store_path, diff});
  }
  return stats;
}

}  // namespace policy_engine::differential
