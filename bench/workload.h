// A deterministic synthetic ECR workload, parameterised by the number of policy statements, used
// by the benchmarks and written out as store + request files (bench/make_workload.cc) so that
// other engines can be timed on exactly the same decisions.
//
// Shape (a realistic ECR mix, after the reference oracle's workload): repositories
// `team-<t>/svc-<i>` in account A tagged team/env, each with a 3–5 statement repository policy
// (pull grants to named principals, ABAC pull for CI roles by tag, a push Deny for other teams,
// TLS-only Deny, describe from 10/8, a named delete Deny, cross-account pull for account B);
// principals (70 % users, 30 % roles called through sessions; some in account B) each with a 3–5
// statement identity policy (team pull on `arn:aws:ecr:*:A:repository/team-<t>/*`, describe/list
// on `*`, ABAC push `aws:ResourceTag/team == ${aws:PrincipalTag/team}`, a prod-delete Deny, a
// NotIpAddress Deny, a dated grant); boundaries on a fifth of the roles; one SCP level in A.
// About 20 % of the statements are Deny. Requests: a pull-heavy action mix, half against the
// caller's own team, 5 % without TLS, 10 % from outside 10/8.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace portcullis_bench {

struct Workload {
  std::string store_json;             // docs/store-format.md
  std::vector<std::string> requests;  // request lines (docs/store-format.md)
  size_t statements = 0;              // statements in the store's policies
};

// ~`statements` statements in total (repositories and principals in equal numbers), `requests`
// request lines; deterministic for a given seed.
Workload MakeWorkload(size_t statements, size_t requests, uint64_t seed = 42);

}  // namespace portcullis_bench
