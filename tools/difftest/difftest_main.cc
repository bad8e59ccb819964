// portcullis-difftest: long differential runs of the compiled engine against the reference
// evaluator over seeded random stores (tests/differential/README.md).
//
//   portcullis-difftest --seeds A..B --requests N [--threads T] [--artifacts DIR] [--max-reports K]
//   portcullis-difftest --dump SEED [--requests N]   # print a seed's store and request lines
//
// Every seed in A..B (inclusive) is one random store; N request lines are drawn per seed, so a run
// checks (B - A + 1) * N requests. Progress goes to stderr about every ten seconds; the last line
// on stdout is "N passed, N failed". Exit status: 0 when nothing failed, 1 on mismatches or store
// load errors, 2 on bad usage.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/differential/differential.h"
#include "tests/differential/random_store.h"

namespace {

using policy_engine::differential::DiffStats;
using policy_engine::differential::MismatchReport;

struct Options {
  uint64_t first_seed = 1;
  uint64_t last_seed = 100;
  uint64_t requests = 500;
  unsigned threads = 1;
  std::string artifacts = std::filesystem::temp_directory_path().string();
  uint64_t max_reports = 20;
  std::optional<uint64_t> dump_seed;
};

int Usage(const std::string& problem) {
  std::cerr << "portcullis-difftest: " << problem << "\n"
            << "usage: portcullis-difftest --seeds A..B --requests N [--threads T] "
               "[--artifacts DIR] [--max-reports K]\n"
               "       portcullis-difftest --dump SEED [--requests N]\n";
  return 2;
}

std::optional<uint64_t> ParseNumber(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::optional<Options> ParseArgs(int argc, char** argv, std::string& problem) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    std::optional<std::string_view> v = value();
    if (!v) {
      problem = std::string(arg) + " needs a value";
      return std::nullopt;
    }
    if (arg == "--seeds") {
      size_t dots = v->find("..");
      auto a = ParseNumber(v->substr(0, dots));
      auto b = dots == std::string_view::npos ? a : ParseNumber(v->substr(dots + 2));
      if (!a || !b || *b < *a) {
        problem = "--seeds wants A..B with A <= B";
        return std::nullopt;
      }
      o.first_seed = *a;
      o.last_seed = *b;
    } else if (arg == "--requests" || arg == "--threads" || arg == "--max-reports" ||
               arg == "--dump") {
      auto n = ParseNumber(*v);
      if (!n) {
        problem = std::string(arg) + " wants a number";
        return std::nullopt;
      }
      if (arg == "--requests") o.requests = *n;
      if (arg == "--threads") o.threads = static_cast<unsigned>(std::max<uint64_t>(1, *n));
      if (arg == "--max-reports") o.max_reports = *n;
      if (arg == "--dump") o.dump_seed = *n;
    } else if (arg == "--artifacts") {
      o.artifacts = std::string(*v);
    } else {
      problem = "unknown option " + std::string(arg);
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::string problem;
  std::optional<Options> parsed = ParseArgs(argc, argv, problem);
  if (!parsed) return Usage(problem);
  const Options& opt = *parsed;

  if (opt.dump_seed) {
    policy_engine::differential::RandomWorld world(*opt.dump_seed);
    std::cout << world.store_json() << "\n";
    for (uint64_t i = 0; i < opt.requests; ++i) std::cout << world.NextRequest() << "\n";
    return 0;
  }

  const uint64_t seeds = opt.last_seed - opt.first_seed + 1;
  std::cerr << "portcullis-difftest: seeds " << opt.first_seed << ".." << opt.last_seed << ", "
            << opt.requests << " requests per seed (" << seeds * opt.requests << " in all), "
            << opt.threads << " thread(s), artifacts in " << opt.artifacts << "\n";

  std::atomic<uint64_t> next_seed{opt.first_seed};
  std::atomic<uint64_t> seeds_done{0};
  std::atomic<uint64_t> reports{0};
  std::mutex mu;  // guards total and the report output
  DiffStats total;
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;

  auto report = [&](const MismatchReport& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (reports.fetch_add(1) >= opt.max_reports) return;
    std::cout << "MISMATCH seed " << r.seed << " request " << r.request_index << " store "
              << (r.store_path.empty() ? "(not written)" : r.store_path) << "\n"
              << r.detail << std::flush;
  };
  auto worker = [&] {
    while (true) {
      uint64_t seed = next_seed.fetch_add(1);
      if (seed > opt.last_seed) return;
      DiffStats s = policy_engine::differential::RunSeed(seed, opt.requests, opt.artifacts, report);
      std::lock_guard<std::mutex> lock(mu);
      total.Add(s);
      uint64_t done = seeds_done.fetch_add(1) + 1;
      auto now = std::chrono::steady_clock::now();
      if (now - last_progress >= std::chrono::seconds(10) || done == seeds) {
        last_progress = now;
        double secs = std::chrono::duration<double>(now - start).count();
        std::fprintf(stderr,
                     "[%7.0fs] seeds %llu/%llu, requests %llu (%.0f/s), compared %llu, "
                     "mismatches %llu\n",
                     secs, static_cast<unsigned long long>(done),
                     static_cast<unsigned long long>(seeds),
                     static_cast<unsigned long long>(total.requests), total.requests / secs,
                     static_cast<unsigned long long>(total.compared),
                     static_cast<unsigned long long>(total.mismatches));
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < opt.threads; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << total.Summary();
  std::printf("elapsed: %.1f s\n", secs);
  uint64_t failed = total.mismatches + total.store_errors;
  std::printf(
      "%llu passed, %llu failed\n",
      static_cast<unsigned long long>(total.compared - std::min(total.compared, total.mismatches)),
      static_cast<unsigned long long>(failed));
  return failed == 0 ? 0 : 1;
}
