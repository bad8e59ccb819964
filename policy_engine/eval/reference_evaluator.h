// The reference evaluator: the decision procedure of docs/policy-semantics.md §5 (R106–R125)
// applied directly to the AST, statement by statement, with nothing precomputed.
//
// It is deliberately simple and obviously correct. It is the gold standard that the compiled
// engine is checked against (RE2's UnsafeSearchBacktrack plays the same role), so it stays in the
// code base forever and must stay off the request path.
//
// Thread safety: pure function of its arguments.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy_engine/model/decision.h"
#include "policy_engine/model/policy.h"
#include "policy_engine/model/request.h"

namespace policy_engine::eval {

// A parsed policy with the name it is reported under in explanations.
struct PolicyRef {
  std::string name;
  std::shared_ptr<const model::Policy> policy;
};

// The policy sets gathered for one request (R107).
struct PolicySet {
  std::vector<PolicyRef> identity;  // ID: the principal's policies, its groups' for users
  std::vector<PolicyRef> boundary;  // PB: empty = no boundary; several = one boundary split up
  std::optional<std::vector<PolicyRef>> session;   // SP: every passed policy must allow
  std::vector<std::vector<PolicyRef>> scp_levels;  // root first; empty = not in an organization
  std::vector<std::vector<PolicyRef>> rcp_levels;  // same; each level implicitly allows all
  std::vector<PolicyRef> resource;  // RP: repository and registry policies of the target
  std::optional<std::vector<PolicyRef>> endpoint;  // VPCE
};

// Evaluates one request. The request resource `*` marks a wildcard-only action (R43, R50): the
// resource policies are then not consulted (R117) and the request is evaluated in the principal's
// own account.
model::DecisionResult EvaluateReference(const PolicySet& policies, const model::Request& request);

// Exposed for unit tests and for the compiled engine's differential tests.
// R64–R96: truth value of one condition clause for the context. Coercion failures (R79) are
// appended to `notes` when it is non-null.
bool EvaluateClauseReference(const model::ConditionClause& clause, const model::Context& context,
                             std::vector<std::string>* notes);

}  // namespace policy_engine::eval
