// The policy store: every principal, group, managed policy, account (with its SCP and RCP levels),
// repository (with tags and repository policy) and registry policy the engine decides over. One
// JSON document (docs/store-format.md) is loaded into a Store; for each request the store gathers
// the policy sets of R107 and the context keys of R105/R146 that follow from the principal and the
// resource. `portcullis eval --store`, the registry front end and the compiled engine all start
// from a Store.
//
// Why a loader that is this strict: a store is configuration that decides who may push and pull.
// A typo in a field name, a group that does not exist or a boundary ARN with a wrong account would
// otherwise be silently ignored and grant or deny something nobody asked for. So every unknown
// field, dangling reference and duplicate is a load error, located by JSON pointer, line and
// column, and every policy is parsed with the rules of its kind (R24) and its size limit (R32).
//
// Requests that cannot be read (unknown principal, bad action or resource) are per-line errors:
// one bad line never stops a run.
//
// Thread safety: a loaded Store is immutable; const methods may be called from any thread.
// Nothing here throws.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy_engine/common/status.h"
#include "policy_engine/eval/reference_evaluator.h"
#include "policy_engine/json/json.h"
#include "policy_engine/model/request.h"

namespace policy_engine::store {

// Tags keep the key spelling they were given (ECR tag keys are case-sensitive, R63).
using Tags = std::vector<std::pair<std::string, std::string>>;

struct ManagedPolicy {
  std::string arn;           // arn:aws:iam::ACCT:policy/NAME or arn:aws:iam::aws:policy/NAME
  bool aws_managed = false;  // account segment `aws`: exempt from the size limit (R32)
  std::shared_ptr<const model::Policy> policy;  // parsed as an identity policy
  // The same document parsed as a permissions boundary (R24 kind `boundary`); null unless some
  // principal uses this policy as its boundary.
  std::shared_ptr<const model::Policy> boundary;
};

struct Group {
  std::string account;
  std::string name;
  std::string arn;  // arn:aws:iam::ACCT:group/NAME (names explanations only)
  std::vector<eval::PolicyRef> inline_policies;
  std::vector<std::string> managed_policy_arns;
};

// An IAM user or role (sessions of a role are requests whose principal is a session ARN).
struct Entity {
  model::PrincipalKind kind = model::PrincipalKind::kUser;  // kUser or kRole
  std::string arn;
  std::string partition;
  std::string name;  // last path segment of the ARN
  std::string account;
  std::string unique_id;  // AIDA… / AROA…; generated from the ARN when not given
  Tags tags;
  std::vector<std::string> groups;  // users only: group names (in the user's account)
  std::vector<eval::PolicyRef> inline_policies;
  std::vector<std::string> managed_policy_arns;
  std::optional<std::string> boundary_arn;  // a managed policy ARN
};

// A long-term IAM access key of a user (store-format.md §1.5 `accessKeys`). The engine never
// uses it; the front end authenticates with it (Engine::FindAccessKey).
struct AccessKey {
  std::string id;  // AKIA…
  std::string secret;
  bool active = true;
  std::string principal_arn;
};

struct Account {
  std::string id;
  std::string org_id;                  // "" = not in an organization
  std::vector<std::string> org_paths;  // aws:PrincipalOrgPaths / aws:ResourceOrgPaths
  std::vector<std::vector<eval::PolicyRef>> scp_levels;  // root first, the account last
  std::vector<std::vector<eval::PolicyRef>> rcp_levels;
  bool management = false;  // SCPs/RCPs do not apply to the management account (R107)
};

struct Repository {
  std::string arn;  // arn:aws:ecr:REGION:ACCT:repository/NAME
  std::string name;
  std::string account;
  std::string region;
  Tags tags;
  std::optional<eval::PolicyRef> policy;  // repository policy
  // The registry's settings for it (imageTagMutability, …) as a JSON object text, or empty. Not
  // an authorization input (R166 runs after authorization); carried for the front end.
  std::string registry_settings;
};

struct Registry {
  std::string account;
  std::string region;
  eval::PolicyRef policy;  // registry policy (scope V2: consulted for every action, R127)
};

// One request line of `portcullis eval --store --requests` (docs/store-format.md), resolved
// against the store: the principal is complete (kind, account, role ARN with its path, unique id).
struct StoreRequest {
  std::string id_json = "null";
  model::Request request;
  std::optional<std::vector<eval::PolicyRef>> session_policies;
  Tags session_tags;
};

// A request line read, completed (CompleteContext) and with its policy sets gathered
// (PolicySetFor): everything the evaluator needs, so that it can be evaluated many times
// (`--repeat N --timing`) without re-reading anything.
struct PreparedRequest {
  std::string id_json = "null";  // echoed in the output, also for lines in error
  std::string error;             // "line N: CODE: location: message"; empty = ready
  model::Request request;
  eval::PolicySet policies;
  bool ok() const { return error.empty(); }
};

class Store {
 public:
  // Parses and validates a store document. Errors are located (JSON pointer, line, column) and
  // name the offending entity; every policy is parsed with its kind's rules. Codes: the JSON
  // reader's, the policy parser's, and STORE_SYNTAX (wrong type or malformed value),
  // STORE_UNKNOWN_FIELD, STORE_MISSING_FIELD, STORE_DUPLICATE, STORE_UNKNOWN_REFERENCE,
  // STORE_INVALID_REFERENCE (a reference that exists but cannot be used there).
  static Result<Store> Load(std::string_view text);

  // Reads one request line against this store (principal must be known, or a session of a known
  // role, the root user of a known account, a service principal or `anonymous`; resource a
  // repository ARN, known or not (R130), or `*` for wildcard-only actions). Codes: JSON reader
  // codes, BAD_REQUEST, UNKNOWN_PRINCIPAL, UNKNOWN_ACTION, RESOURCE_TYPE_MISMATCH and policy parser
  // codes for `sessionPolicy`. Locations point into `line`.
  Result<StoreRequest> ReadRequest(std::string_view line) const;
  // Same, for a line already parsed; `source` is the line's text.
  Result<StoreRequest> ReadRequest(const json::Node& node, std::string_view source) const;

  // Builds a request from its parts with exactly ReadRequest's resolution and checks (the
  // registry front end has no request line). `context` is used as given (no validation beyond
  // what the model enforces); CompleteContext still has to be called.
  Result<StoreRequest> MakeRequest(std::string_view principal, std::string_view action,
                                   std::string_view resource, model::Context context) const;

  // R107: the policy sets for the request.
  eval::PolicySet PolicySetFor(const StoreRequest& request) const;

  // R105/R146: adds the principal- and resource-derived context keys to request.context (caller
  // supplied keys win, compared case-insensitively): aws:PrincipalArn, aws:PrincipalAccount,
  // aws:PrincipalType, aws:userid, aws:username, aws:PrincipalTag/*, aws:PrincipalOrgID,
  // aws:PrincipalOrgPaths, aws:PrincipalIsAWSService, aws:PrincipalServiceName,
  // aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceOrgPaths, aws:RequestedRegion,
  // aws:ResourceTag/*, ecr:ResourceTag/*. docs/store-format.md §3 has the table.
  void CompleteContext(StoreRequest& request) const;
  // The two halves of CompleteContext, each as it adds its keys to an empty context: the keys
  // that follow from the principal (with the request's session tags), and those that follow from
  // the resource and action. engine::Engine keeps them per snapshot (its direct path).
  model::Context PrincipalKeys(const StoreRequest& request) const;
  model::Context ResourceKeys(std::string_view action, std::string_view resource) const;

  // Evaluates with the reference evaluator (ReadRequest result, context completed).
  model::DecisionResult EvaluateReference(const StoreRequest& request) const;

  // ReadRequest + CompleteContext + PolicySetFor for one line (1-based `line_number` is used in
  // error messages, as by driver::EvaluateCaseLine).
  PreparedRequest Prepare(std::string_view line, size_t line_number) const;

  const std::map<std::string, Entity>& entities() const { return entities_; }
  const std::map<std::string, AccessKey>& access_keys() const { return access_keys_; }
  const std::map<std::string, Repository>& repositories() const { return repositories_; }
  const std::map<std::string, Account>& accounts() const { return accounts_; }
  const std::map<std::string, Group>& groups() const { return groups_; }
  const std::map<std::string, ManagedPolicy>& managed_policies() const { return managed_; }
  const std::vector<Registry>& registries() const { return registries_; }

 private:
  // Resolves `principal` into r.request.principal and checks r.request.action and
  // r.request.resource (shared by ReadRequest and MakeRequest). Errors carry the field as their
  // pointer ("/principal", "/action", "/resource") and no offset.
  Status ResolveRequest(std::string_view principal, StoreRequest& r) const;

  friend class Loader;

  // CompleteContext's halves; a derived key is not added when `supplied` (case-folded caller
  // keys) names it.
  void AddPrincipalKeys(const StoreRequest& request, const std::vector<std::string_view>& supplied,
                        model::Context& c) const;
  void AddResourceKeys(std::string_view action, std::string_view resource,
                       const std::vector<std::string_view>& supplied, model::Context& c) const;

  const Entity* FindRoleByName(std::string_view account, std::string_view name) const;
  // The user, or the role of a session or role caller; nullptr for other principals and for
  // principals the store does not know (a StoreRequest not made by ReadRequest).
  const Entity* EntityFor(const model::Principal& principal) const;
  const Registry* FindRegistry(std::string_view account, std::string_view region) const;

  std::map<std::string, Account> accounts_;           // by id
  std::map<std::string, Entity> entities_;            // by ARN
  std::map<std::string, AccessKey> access_keys_;      // by access key id
  std::map<std::string, std::string> roles_by_name_;  // "ACCT/lower-case name" -> role ARN (R54)
  std::map<std::string, Group> groups_;               // by "ACCT/name"
  std::map<std::string, ManagedPolicy> managed_;      // by ARN
  std::map<std::string, Repository> repositories_;    // by ARN
  std::vector<Registry> registries_;
};

}  // namespace policy_engine::store
