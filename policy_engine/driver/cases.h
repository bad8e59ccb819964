// Self-contained decision cases: the JSON Lines format of the reference oracle
// (docs/eval-cli.md; one case = its policies + one request), read into a PolicySet and a Request
// and evaluated. Used by `portcullis eval --cases` and by the conformance tests.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy_engine/common/status.h"
#include "policy_engine/eval/reference_evaluator.h"
#include "policy_engine/json/json.h"
#include "policy_engine/model/decision.h"
#include "policy_engine/model/request.h"

namespace policy_engine::driver {

struct Case {
  std::string id_json = "null";  // the case's "id", re-serialised, echoed in the output
  eval::PolicySet policies;
  model::Request request;
};

// Builds a case from one parsed JSON line. `source` is the line's text (for error locations).
Result<Case> ReadCase(const json::Node& node, std::string_view source);

// The outcome of one line: a decision or an error, never both.
struct CaseOutcome {
  std::string id_json = "null";
  std::optional<model::DecisionResult> result;
  std::string error;  // set when result is empty
};

// Parses, builds and evaluates one JSON line (1-based `line_number` is used in error messages).
CaseOutcome EvaluateCaseLine(std::string_view line, size_t line_number);

// {"id":…,"decision":…,"matched":[…],"reason":…,"error":…} — one line, no trailing newline.
std::string FormatOutcome(const CaseOutcome& outcome);

// Reads a request context object (string -> single value, array of strings -> set; R61 decides
// for known multi-valued keys). Shared with the store format.
Result<model::Context> ReadContext(const json::Node& node, std::string_view source,
                                   const std::string& pointer);

// R40, R43: a request must name an action the service reference knows (for the services the
// catalog covers) and a resource of that action's type (`*` for wildcard-only actions, a
// repository ARN otherwise): the engine never invents requests. `request_node` is the JSON object
// holding the `action` and `resource` members and `pointer` its JSON pointer ("/request" in a
// case, "" in a store request line). Errors: UNKNOWN_ACTION, RESOURCE_TYPE_MISMATCH. Shared with
// the store format.
Status CheckRequestAgainstCatalog(const model::Request& request, const json::Node& request_node,
                                  std::string_view source, const std::string& pointer);
// The same without a JSON document (requests built by a front end): the error's location names
// the field only (pointer "/action" or "/resource", no offset).
Status CheckRequestAgainstCatalog(const model::Request& request);

// The keys the oracle's --derive-context adds (unless present): aws:PrincipalArn (the role ARN for
// sessions), aws:PrincipalAccount, aws:PrincipalType, aws:username (users) and
// aws:ResourceAccount.
void DeriveContext(model::Request& request);

}  // namespace policy_engine::driver
