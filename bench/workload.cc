#include "bench/workload.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace portcullis_bench {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kA = "111122223333";
constexpr const char* kB = "444455556666";
const std::vector<std::string> kTeams = {"red",  "blue", "green", "gold",
                                         "teal", "plum", "onyx",  "sand"};
const std::vector<std::string> kEnvs = {"prod", "dev", "staging"};
const std::vector<std::string> kPull = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                        "ecr:BatchCheckLayerAvailability"};
const std::vector<std::string> kPush = {"ecr:PutImage", "ecr:InitiateLayerUpload",
                                        "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"};

// splitmix64: small, fast, deterministic everywhere.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t Int(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(double p) { return static_cast<double>(Next() % 1000000) < p * 1000000.0; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Int(v.size())];
  }
};

Json List(const std::vector<std::string>& v) { return Json(v); }

struct Principal {
  std::string arn, caller, account, team;
  bool role = false;
};

}  // namespace

Workload MakeWorkload(size_t statements, size_t request_count, uint64_t seed) {
  Rng rng{seed * 7919 + statements};
  // About 4 statements per repository policy and per identity policy.
  size_t units = std::max<size_t>(1, statements / 8);
  size_t repo_count = units, principal_count = std::max<size_t>(1, units);
  Workload w;

  std::vector<Principal> principals;
  for (size_t i = 0; i < principal_count; ++i) {
    Principal p;
    p.account = (i % 10 == 9) ? kB : kA;  // a tenth of the callers are cross-account
    p.team = rng.Pick(kTeams);
    p.role = rng.Chance(0.3);
    if (p.role) {
      std::string name = (rng.Chance(0.5) ? "ci-" : "svc-") + std::to_string(i);
      p.arn = "arn:aws:iam::" + p.account + ":role/" + name;
      p.caller =
          "arn:aws:sts::" + p.account + ":assumed-role/" + name + "/session-" + std::to_string(i);
    } else {
      p.arn = "arn:aws:iam::" + p.account + ":user/u" + std::to_string(i);
      p.caller = p.arn;
    }
    principals.push_back(p);
  }

  Json store;
  store["accounts"] = Json::array();
  Json scp_all = {
      {"Version", "2012-10-17"},
      {"Statement",
       Json::array({{{"Effect", "Allow"}, {"Action", "*"}, {"Resource", "*"}},
                    {{"Sid", "NoRegistryPolicyChanges"},
                     {"Effect", "Deny"},
                     {"Action", List({"ecr:PutRegistryPolicy", "ecr:DeleteRegistryPolicy"})},
                     {"Resource", "*"}}})}};
  store["accounts"].push_back(
      {{"id", kA}, {"orgId", "o-a1b2c3d4e5"}, {"scps", Json::array({Json::array({scp_all})})}});
  store["accounts"].push_back({{"id", kB}});
  store["managedPolicies"] = Json::array();
  store["managedPolicies"].push_back(
      {{"arn", std::string("arn:aws:iam::") + kA + ":policy/ecr-boundary"},
       {"policy",
        {{"Version", "2012-10-17"},
         {"Statement",
          Json::array(
              {{{"Effect", "Allow"}, {"Action", List({"ecr:*"})}, {"Resource", "*"}},
               {{"Effect", "Deny"}, {"Action", "ecr:DeleteRepository"}, {"Resource", "*"}}})}}}});
  size_t total = 2;

  store["principals"] = Json::array();
  for (const Principal& p : principals) {
    std::string team_pull =
        std::string("arn:aws:ecr:*:") + kA + ":repository/team-" + p.team + "/*";
    Json st = Json::array();
    st.push_back({{"Sid", "PullTeam"},
                  {"Effect", "Allow"},
                  {"Action", List(kPull)},
                  {"Resource", team_pull}});
    st.push_back({{"Sid", "Browse"},
                  {"Effect", "Allow"},
                  {"Action", List({"ecr:Describe*", "ecr:List*", "ecr:GetAuthorizationToken"})},
                  {"Resource", "*"}});
    st.push_back({{"Sid", "PushOwnTeam"},
                  {"Effect", "Allow"},
                  {"Action", List(kPush)},
                  {"Resource", std::string("arn:aws:ecr:us-east-1:") + kA + ":repository/*"},
                  {"Condition",
                   {{"StringEquals", {{"aws:ResourceTag/team", "${aws:PrincipalTag/team}"}}}}}});
    if (rng.Chance(0.5)) {
      st.push_back({{"Sid", "NoProdDelete"},
                    {"Effect", "Deny"},
                    {"Action", List({"ecr:BatchDeleteImage", "ecr:DeleteRepository"})},
                    {"Resource", "*"},
                    {"Condition", {{"StringEquals", {{"aws:ResourceTag/env", "prod"}}}}}});
    }
    if (rng.Chance(0.4)) {
      st.push_back({{"Sid", "OnlyFromVpc"},
                    {"Effect", "Deny"},
                    {"NotAction", "ecr:Describe*"},
                    {"Resource", "*"},
                    {"Condition",
                     {{"NotIpAddress", {{"aws:SourceIp", List({"10.0.0.0/8", "2001:db8::/32"})}}},
                      {"Bool", {{"aws:SecureTransport", "true"}}}}}});
    } else {
      st.push_back({{"Sid", "DatedAdmin"},
                    {"Effect", "Allow"},
                    {"Action", "ecr:*Lifecycle*"},
                    {"Resource", team_pull},
                    {"Condition",
                     {{"DateGreaterThan", {{"aws:CurrentTime", "2024-01-01T00:00:00Z"}}},
                      {"StringLike", {{"aws:PrincipalTag/team", p.team + "*"}}}}}});
    }
    total += st.size();
    Json entry = {{"arn", p.arn},
                  {"tags", {{"team", p.team}}},
                  {"inlinePolicies",
                   Json::array({{{"name", "ecr-access"},
                                 {"policy", {{"Version", "2012-10-17"}, {"Statement", st}}}}})}};
    if (p.role && p.account == kA && rng.Chance(0.2)) {
      entry["permissionsBoundary"] = std::string("arn:aws:iam::") + kA + ":policy/ecr-boundary";
    }
    store["principals"].push_back(entry);
  }

  store["repositories"] = Json::array();
  std::vector<std::string> repo_arns, repo_teams;
  for (size_t i = 0; i < repo_count; ++i) {
    const std::string& team = kTeams[i % kTeams.size()];
    std::string arn = std::string("arn:aws:ecr:us-east-1:") + kA + ":repository/team-" + team +
                      "/svc-" + std::to_string(i);
    repo_arns.push_back(arn);
    repo_teams.push_back(team);
    Json st = Json::array();
    Json named = Json::array();
    for (size_t k = 0, n = 1 + rng.Int(3); k < n; ++k) named.push_back(rng.Pick(principals).arn);
    st.push_back({{"Sid", "PullNamed"},
                  {"Effect", "Allow"},
                  {"Principal", {{"AWS", named}}},
                  {"Action", List(kPull)}});
    st.push_back(
        {{"Sid", "PullCiOfTeam"},
         {"Effect", "Allow"},
         {"Principal", "*"},
         {"Action", List(kPull)},
         {"Condition",
          {{"ArnLike", {{"aws:PrincipalArn", std::string("arn:aws:iam::") + kA + ":role/ci-*"}}},
           {"StringEquals", {{"aws:PrincipalTag/team", team}}}}}});
    st.push_back({{"Sid", "PushOnlyOwningTeam"},
                  {"Effect", "Deny"},
                  {"Principal", "*"},
                  {"Action", List(kPush)},
                  {"Condition", {{"StringNotEquals", {{"aws:PrincipalTag/team", team}}}}}});
    if (rng.Chance(0.5)) {
      st.push_back({{"Sid", "CrossAccountPull"},
                    {"Effect", "Allow"},
                    {"Principal", {{"AWS", std::string("arn:aws:iam::") + kB + ":root"}}},
                    {"Action", List(kPull)}});
    }
    if (rng.Chance(0.4)) {
      st.push_back({{"Sid", "DenyInsecure"},
                    {"Effect", "Deny"},
                    {"Principal", "*"},
                    {"Action", "ecr:*"},
                    {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}});
    }
    total += st.size();
    store["repositories"].push_back({{"arn", arn},
                                     {"tags", {{"team", team}, {"env", rng.Pick(kEnvs)}}},
                                     {"policy", {{"Version", "2012-10-17"}, {"Statement", st}}}});
  }
  w.store_json = store.dump();
  w.statements = total;

  // Requests: pull-heavy mix, half against the caller's team.
  std::vector<std::string> actions = kPull;
  actions.insert(actions.end(), kPush.begin(), kPush.end());
  for (const char* a :
       {"ecr:DescribeImages", "ecr:ListImages", "ecr:BatchDeleteImage", "ecr:DeleteRepository",
        "ecr:PutLifecyclePolicy", "ecr:GetAuthorizationToken"}) {
    actions.push_back(a);
  }
  std::vector<size_t> weights;
  for (const std::string& a : actions) {
    bool pull = std::find(kPull.begin(), kPull.end(), a) != kPull.end();
    bool push = std::find(kPush.begin(), kPush.end(), a) != kPush.end();
    weights.push_back(pull ? 8 : push ? 2 : 1);
  }
  size_t weight_total = 0;
  for (size_t x : weights) weight_total += x;
  for (size_t i = 0; i < request_count; ++i) {
    const Principal& p = rng.Pick(principals);
    size_t pick = rng.Int(weight_total), a = 0;
    while (pick >= weights[a]) pick -= weights[a++];
    const std::string& action = actions[a];
    std::string resource;
    if (action == "ecr:GetAuthorizationToken") {
      resource = "*";
    } else if (rng.Chance(0.5)) {
      // A repository of the caller's team (repositories cycle through the teams).
      size_t team =
          static_cast<size_t>(std::find(kTeams.begin(), kTeams.end(), p.team) - kTeams.begin());
      size_t idx = team;
      if (repo_count > kTeams.size())
        idx = team + kTeams.size() * rng.Int(repo_count / kTeams.size());
      resource = repo_arns[std::min(idx, repo_count - 1)];
    } else {
      resource = repo_arns[rng.Int(repo_count)];
    }
    std::string ip = rng.Chance(0.1) ? "203.0.113." + std::to_string(rng.Int(250))
                                     : "10.1." + std::to_string(rng.Int(250)) + ".7";
    Json req = {{"id", i},
                {"principal", p.caller},
                {"action", action},
                {"resource", resource},
                {"context",
                 {{"aws:SourceIp", ip},
                  {"aws:SecureTransport", rng.Chance(0.05) ? "false" : "true"},
                  {"aws:CurrentTime", "2026-11-27T12:00:00Z"}}}};
    w.requests.push_back(req.dump());
  }
  return w;
}

}  // namespace portcullis_bench
