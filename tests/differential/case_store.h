// Wraps a self-contained decision case of corpus/decisions (the oracle's case format: policies
// plus one request, docs/eval-cli.md) in a policy store, so that the compiled engine — which only
// compiles stores — can decide every corpus case and be compared with the reference evaluator.
//
// The mapping:
//   identityPolicies      -> AWS managed policies attached to the caller (AWS managed policies are
//                            exempt from the size quota, as the case format has none)
//   permissionBoundaries  -> one AWS managed policy used as the caller's boundary
//   resourcePolicy        -> the repository policy of the request's repository, or (when it has a
//                            Resource element) the registry policy of its registry
//   scps / rcps           -> SCP levels of the caller's account / RCP levels of the resource's
//                            account (both organization members)
//   sessionPolicy         -> the request's sessionPolicy
//   request               -> a request line (principal, action, resource, context)
// The store completes the context (Store::CompleteContext) where the case format takes it as
// given, so a wrapped case may decide differently from the case itself; both evaluators still see
// the same store and request, which is all a differential test needs.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "policy_engine/common/status.h"

namespace policy_engine::differential {

struct StoreCase {
  std::string id;            // the case's id, as JSON text
  std::string store_json;    // store::Store::Load input
  std::string request_line;  // Store::ReadRequest input
};

// Errors: CASE_NOT_CONVERTIBLE for cases the store format cannot express (federated-user
// callers, several boundary documents, a repository policy on a resource that is not a valid
// repository ARN) and the JSON reader's codes. Cases whose policies are invalid convert; the
// store loader then rejects them.
Result<StoreCase> CaseToStore(std::string_view line);

}  // namespace policy_engine::differential
