// In-process cost of one `portcullis sidecar` check, without sockets (bench/README.md "Sidecar"),
// to split the load test's time between HTTP/kernel and the check itself:
//   BM_SidecarCheck/statements:N     Sidecar::Handle on /auth requests (the load script's mix:
//                                    manifest GET/HEAD, blob GET/HEAD, upload steps, manifest
//                                    PUT; 300 principals, 3 in 4 on their own team's repositories)
//   BM_PasswordVerify                AuthenticateBasic (base64 + HMAC-SHA256) alone
//   BM_EngineDecideOneRecord/statements:N  Engine::Decide for the check's first access record
// Single-threaded; checks/s per core = 1e9 / ns per check.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <random>

#include "bench/allocation_counter.h"
#include "bench/workload.h"
#include "registry_frontend/sidecar/sidecar.h"

namespace {

namespace rf = registry_frontend;
using rf::http::HttpRequest;

constexpr int64_t kNow = 1'800'000'000;

struct Fixture {
  std::unique_ptr<rf::sidecar::Sidecar> sidecar;
  std::vector<HttpRequest> requests;
  std::vector<std::string> principals;  // per request
};

Fixture& Get(size_t statements) {
  static std::map<size_t, std::unique_ptr<Fixture>> cache;
  auto& f = cache[statements];
  if (f) return *f;
  f = std::make_unique<Fixture>();
  std::string store = portcullis_bench::MakeWorkload(statements, 1).store_json;
  auto engine = policy_engine::engine::Engine::Create(store);
  if (!engine) std::abort();
  rf::auth::TokenSigner signer(std::string(32, 'k'));
  rf::sidecar::SidecarOptions options;
  options.clock = [] { return kNow; };
  options.trusted = rf::sidecar::TrustedProxies({*rf::sidecar::ParseCidr("127.0.0.1")});
  f->sidecar = std::make_unique<rf::sidecar::Sidecar>(std::move(*engine), signer, nullptr,
                                                      std::move(options));
  auto doc = nlohmann::json::parse(store);
  std::mt19937_64 rng(7);
  std::vector<std::pair<std::string, std::string>> people;  // arn, team
  for (const auto& p : doc["principals"]) {
    std::string team = p.contains("tags") && p["tags"].contains("team") ? p["tags"]["team"] : "";
    people.emplace_back(p["arn"], team);
  }
  std::shuffle(people.begin(), people.end(), rng);
  people.resize(std::min<size_t>(people.size(), 300));
  std::vector<std::string> repos;
  std::map<std::string, std::vector<std::string>> by_team;
  for (const auto& r : doc["repositories"]) {
    std::string arn = r["arn"];
    std::string name = arn.substr(arn.find(":repository/") + 12);
    repos.push_back(name);
    by_team[name.substr(0, name.find('/'))].push_back(name);
  }
  auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  auto digest = [&] {
    char hex[65];
    for (int i = 0; i < 64; ++i) hex[i] = "0123456789abcdef"[rng() % 16];
    hex[64] = 0;
    return std::string("sha256:") + hex;
  };
  for (int i = 0; i < 20000; ++i) {
    const auto& [arn, team] = pick(people);
    const auto& own = by_team["team-" + team];
    std::string repo = !own.empty() && rng() % 4 != 0 ? pick(own) : pick(repos);
    int roll = static_cast<int>(rng() % 100);
    std::string method = "GET", uri;
    std::string tag = "v" + std::to_string(1 + rng() % 9);
    if (roll < 30) {
      uri = "/v2/" + repo + "/manifests/" + tag;
    } else if (roll < 45) {
      method = "HEAD", uri = "/v2/" + repo + "/manifests/" + tag;
    } else if (roll < 75) {
      uri = "/v2/" + repo + "/blobs/" + digest();
    } else if (roll < 85) {
      method = "HEAD", uri = "/v2/" + repo + "/blobs/" + digest();
    } else if (roll < 89) {
      method = "POST", uri = "/v2/" + repo + "/blobs/uploads/";
    } else if (roll < 93) {
      method = "PATCH", uri = "/v2/" + repo + "/blobs/uploads/0123456789abcdef";
    } else if (roll < 97) {
      method = "PUT", uri = "/v2/" + repo + "/blobs/uploads/0123456789abcdef?digest=" + digest();
    } else {
      method = "PUT", uri = "/v2/" + repo + "/manifests/" + tag;
    }
    HttpRequest r;
    r.method = "GET";
    r.target = r.path = "/auth";
    r.remote_ip = "127.0.0.1";
    r.headers = {
        {"host", "sidecar"},
        {"authorization", "Basic " + rf::auth::Base64Encode("AWS:" + signer.Issue(arn, kNow - 60))},
        {"x-original-method", method},
        {"x-original-uri", uri},
        {"x-forwarded-for", "10." + std::to_string(rng() % 256) + ".1.7"},
        {"x-forwarded-proto", "https"},
        {"user-agent", "skopeo/1.9.3"}};
    f->requests.push_back(std::move(r));
    f->principals.push_back(arn);
  }
  return *f;
}

void BM_SidecarCheck(benchmark::State& state) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  size_t i = 0, allowed = 0;
  uint64_t allocations_before = g_allocations.load();
  for (auto _ : state) {
    auto r = f.sidecar->Handle(f.requests[i]);
    allowed += r.status == 200;
    benchmark::DoNotOptimize(r);
    if (++i == f.requests.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["allow_share"] =
      static_cast<double>(allowed) / static_cast<double>(state.iterations());
  state.counters["allocs_per_check"] =
      static_cast<double>(g_allocations.load() - allocations_before) /
      static_cast<double>(state.iterations());
}
BENCHMARK(BM_SidecarCheck)->ArgName("statements")->Arg(1000)->Arg(10000);

void BM_PasswordVerify(benchmark::State& state) {
  Fixture& f = Get(1000);
  rf::auth::TokenSigner signer(std::string(32, 'k'));
  size_t i = 0;
  for (auto _ : state) {
    auto claims = rf::auth::AuthenticateBasic(f.requests[i].Header("authorization"), signer, kNow);
    benchmark::DoNotOptimize(claims);
    if (++i == f.requests.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PasswordVerify);

void BM_EngineDecideOneRecord(benchmark::State& state) {
  Fixture& f = Get(static_cast<size_t>(state.range(0)));
  const auto& engine = f.sidecar->engine();
  rf::auth::RequestFacts facts{"10.1.1.7", true, kNow, "skopeo/1.9.3"};
  std::vector<std::string> resources;
  for (const auto& r : f.requests) {
    std::string uri = *r.Header("x-original-uri");
    std::string name = uri.substr(4, uri.find("/", uri.find('/', 4) + 1) - 4);
    resources.push_back("arn:aws:ecr:us-east-1:111122223333:repository/" + name);
  }
  size_t i = 0;
  for (auto _ : state) {
    auto d = engine.Decide(f.principals[i], "ecr:BatchGetImage", resources[i],
                           rf::auth::RequestKeys(facts).keys());
    benchmark::DoNotOptimize(d);
    if (++i == f.requests.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EngineDecideOneRecord)->ArgName("statements")->Arg(1000)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
