// ECR_POLICY_LOCKOUT (R188, R118): would this repository policy lock the owning account out of
// changing it again? Proved with the reference evaluator rather than guessed: the account root and
// an administrator role session of the owning account (whose identity policy allows everything)
// ask for ecr:SetRepositoryPolicy and ecr:DeleteRepositoryPolicy on the repository, with the new
// policy as the resource policy.
//
//  * ERROR when the policy's unconditional statements alone deny such a request: no request
//    context can avoid the Deny (SetRepositoryPolicy needs `force` to store it).
//  * WARNING when only a conditional Deny denies it in a typical request context (TLS, a public
//    source address, no VPC endpoint, no organization): whether the owner is locked out then
//    depends on where the next change comes from.
#include <algorithm>
#include <memory>

#include "policy_engine/eval/reference_evaluator.h"
#include "policy_engine/lint/checks.h"
#include "policy_engine/parse/parse.h"

namespace policy_engine::lint {
namespace {

// An account for the simulation when --account is not given; documented in docs/lint.md.
constexpr std::string_view kDefaultOwner = "123456789012";

std::shared_ptr<const model::Policy> AllowEverything() {
  static const std::shared_ptr<const model::Policy> policy = [] {
    parse::PolicyParseOptions o;
    auto p = parse::ParsePolicy(
        R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})",
        o);
    return p ? std::make_shared<const model::Policy>(std::move(*p)) : nullptr;
  }();
  return policy;
}

model::Request MakeRequest(const std::string& principal_arn, const std::string& account,
                           std::string action) {
  model::Request r;
  if (auto p = model::ParsePrincipal(principal_arn)) r.principal = *p;
  r.action = std::move(action);
  r.resource = "arn:aws:ecr:us-east-1:" + account + ":repository/portcullis-lint-target";
  r.resource_account = account;
  model::Context& c = r.context;
  const model::Principal& p = r.principal;
  c.SetSingle("aws:PrincipalArn", p.role_arn.empty() ? p.arn : p.role_arn);
  c.SetSingle("aws:PrincipalAccount", account);
  c.SetSingle("aws:ResourceAccount", account);
  c.SetSingle("aws:PrincipalType",
              p.kind == model::PrincipalKind::kRoot ? "Account" : "AssumedRole");
  c.SetSingle("aws:userid", p.kind == model::PrincipalKind::kRoot
                                ? account
                                : "AROAEXAMPLEROLEID:portcullis-lint");
  c.SetSingle("aws:SecureTransport", "true");
  c.SetSingle("aws:ViaAWSService", "false");
  c.SetSingle("aws:PrincipalIsAWSService", "false");
  c.SetSingle("aws:SourceIp", "203.0.113.10");
  c.SetSingle("aws:RequestedRegion", "us-east-1");
  c.SetSingle("aws:CurrentTime", "2025-01-01T00:00:00Z");
  c.SetSingle("aws:EpochTime", "1735689600");
  return r;
}

// The first resource-policy Deny that decides an explicit deny, if any.
std::optional<size_t> DenyingStatement(const std::shared_ptr<const model::Policy>& policy,
                                       const std::vector<model::Request>& requests) {
  eval::PolicySet set;
  set.identity.push_back({"identity", AllowEverything()});
  set.resource.push_back({"repository", policy});
  for (const model::Request& r : requests) {
    model::DecisionResult d = eval::EvaluateReference(set, r);
    if (d.decision != model::Decision::kExplicitDeny) continue;
    for (const model::MatchedStatement& m : d.matched) {
      if (m.role == model::PolicySetRole::kResource && m.effect == model::Effect::kDeny) {
        return m.statement;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

void CheckEcrPolicyLockout(const LintContext& c, Reporter& r) {
  if (!c.IsKind(model::PolicyKind::kRepository) || !c.parser_findings.empty()) return;
  if (c.policy.root == nullptr || AllowEverything() == nullptr) return;
  parse::PolicyParseOptions po;
  po.kind = model::PolicyKind::kRepository;
  po.enforce_size_limit = false;
  po.aws_compat = c.options.aws_compat;
  auto parsed = parse::ParsePolicyNode(*c.policy.root, c.text, "", po);
  if (!parsed) return;
  std::string account = c.options.account.empty() ? std::string(kDefaultOwner) : c.options.account;
  std::vector<model::Request> requests;
  for (const std::string& who :
       {"arn:aws:iam::" + account + ":root",
        "arn:aws:sts::" + account + ":assumed-role/Admin/portcullis-lint"}) {
    for (const char* action : {"ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy"}) {
      requests.push_back(MakeRequest(who, account, action));
    }
  }
  auto full = std::make_shared<const model::Policy>(*parsed);
  model::Policy unconditional_policy = *parsed;
  std::erase_if(unconditional_policy.statements,
                [](const model::Statement& s) { return !s.conditions.empty(); });
  auto unconditional = std::make_shared<const model::Policy>(std::move(unconditional_policy));

  bool certain = true;
  std::optional<size_t> index = DenyingStatement(unconditional, requests);
  if (!index) {
    certain = false;
    index = DenyingStatement(full, requests);
  }
  if (!index) return;
  auto st = std::find_if(c.policy.statements.begin(), c.policy.statements.end(),
                         [&](const StatementView& s) { return s.index == *index; });
  if (st == c.policy.statements.end()) return;
  std::string owner = c.options.account.empty() ? "the owning account (simulated as `" + account +
                                                      "`; pass `--account` to name yours)"
                                                : "account `" + account + "`";
  r.Emit(certain ? Severity::kError : Severity::kWarning, st->node->begin, st->node->end,
         st->pointer,
         std::string(certain ? "statement " : "in a typical request context statement ") +
             std::to_string(*index) +
             " denies `ecr:SetRepositoryPolicy` to the root user and "
             "administrators of " +
             owner +
             ": after this policy is set nobody can change or "
             "delete it",
         "exclude the owner's administrators from the `Deny` (e.g. a condition on "
         "`aws:PrincipalArn`), or set the policy with `force` knowingly");
}

}  // namespace policy_engine::lint
