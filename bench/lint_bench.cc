// Linter throughput (docs/lint.md, bench/README.md "Lint"): all 1,594 AWS managed policies of
// corpus/policies/aws-managed linted as identity policies (size quota off, as for the corpus test)
// and rendered, in one benchmark iteration. Files are read before timing starts; the embedded
// service reference is loaded before timing too (a one-time cost per process, measured separately
// in bench/README.md).
//
// Target (issue 6): one iteration <= 0.5 s on one core.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy_engine/lint/lint.h"
#include "policy_engine/lint/report.h"

namespace {

namespace fs = std::filesystem;
namespace lint = policy_engine::lint;

struct Corpus {
  std::vector<std::string> paths;
  std::vector<std::string> texts;
  size_t bytes = 0;
};

const Corpus& ManagedPolicies() {
  static const Corpus corpus = [] {
    Corpus c;
    fs::path dir = fs::path(PE_SOURCE_DIR) / "corpus" / "policies" / "aws-managed";
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      c.paths.push_back("aws-managed/" + p.filename().string());
      c.texts.push_back(ss.str());
      c.bytes += c.texts.back().size();
    }
    return c;
  }();
  return corpus;
}

lint::LintOptions ManagedOptions() {
  lint::LintOptions o;
  o.kind = policy_engine::model::PolicyKind::kIdentity;
  o.enforce_size_limit = false;
  return o;
}

// Lints every policy and renders the findings in `format` (0 text, 1 JSON, 2 SARIF).
void LintAll(benchmark::State& state, int format) {
  const Corpus& c = ManagedPolicies();
  if (c.texts.size() != 1594) state.SkipWithError("corpus/policies/aws-managed is incomplete");
  lint::LintOptions options = ManagedOptions();
  (void)lint::LintPolicy(c.texts.front(), options);  // loads the service reference
  size_t findings = 0, output = 0;
  for (auto _ : state) {
    std::vector<lint::FileResult> results;
    results.reserve(c.texts.size());
    std::string text_out;
    findings = 0;
    for (size_t i = 0; i < c.texts.size(); ++i) {
      lint::FileResult r;
      r.path = c.paths[i];
      r.findings = lint::LintPolicy(c.texts[i], options);
      findings += r.findings.size();
      if (format == 0) {
        text_out += lint::RenderText(r);
      } else {
        if (format == 2) r.text = c.texts[i];
        results.push_back(std::move(r));
      }
    }
    if (format == 1) text_out = lint::RenderJson(results);
    if (format == 2) text_out = lint::RenderSarif(results, "0.1.0");
    output = text_out.size();
    benchmark::DoNotOptimize(text_out);
  }
  state.counters["policies"] = static_cast<double>(c.texts.size());
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["output_bytes"] = static_cast<double>(output);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}

void BM_LintManagedPoliciesText(benchmark::State& state) { LintAll(state, 0); }
void BM_LintManagedPoliciesJson(benchmark::State& state) { LintAll(state, 1); }
void BM_LintManagedPoliciesSarif(benchmark::State& state) { LintAll(state, 2); }

// Latency of one small ECR identity policy (the service reference is already loaded).
void BM_LintOneSmallPolicy(benchmark::State& state) {
  std::string p = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/app"}]})";
  lint::LintOptions options = ManagedOptions();
  for (auto _ : state) benchmark::DoNotOptimize(lint::LintPolicy(p, options));
}

BENCHMARK(BM_LintManagedPoliciesText)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LintManagedPoliciesJson)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LintManagedPoliciesSarif)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LintOneSmallPolicy)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
