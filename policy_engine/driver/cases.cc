// This file's external interface is EvaluateCaseLine (and the readers it is built from).
#include "policy_engine/driver/cases.h"

#include <nlohmann/json.hpp>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/match/match.h"
#include "policy_engine/parse/parse.h"

namespace policy_engine::driver {
namespace {

using json::Node;
using json::Type;
using model::PolicyKind;

Status Located(std::string code, std::string message, const Node& at, std::string_view source,
               std::string pointer) {
  SourceLocation loc;
  loc.pointer = std::move(pointer);
  loc.offset = at.begin;
  json::FillLineColumn(source, loc);
  return Status(std::move(code), std::move(message), std::move(loc));
}

Status BadCase(std::string message, const Node& at, std::string_view source, std::string pointer) {
  return Located("BAD_CASE", std::move(message), at, source, std::move(pointer));
}

// A repository policy has no Resource element (R24); a resource policy with one is read as a
// registry policy, the other resource-policy kind the engine knows.
PolicyKind ResourcePolicyKind(const Node& doc) {
  const Node* st = doc.Find("Statement");
  if (st == nullptr) return PolicyKind::kRepository;
  auto has_resource = [](const Node& s) {
    return s.is_object() && (s.Find("Resource") || s.Find("NotResource"));
  };
  if (st->is_object()) return has_resource(*st) ? PolicyKind::kRegistry : PolicyKind::kRepository;
  if (st->is_array()) {
    for (const Node& s : st->items) {
      if (has_resource(s)) return PolicyKind::kRegistry;
    }
  }
  return PolicyKind::kRepository;
}

// A policy entry is a document or {"name": ..., "policy": document}.
Result<eval::PolicyRef> ReadPolicy(const Node& node, std::string_view source,
                                   const std::string& pointer, std::string default_name,
                                   std::optional<PolicyKind> kind) {
  const Node* doc = &node;
  std::string doc_pointer = pointer;
  std::string name = std::move(default_name);
  if (node.is_object() && node.Find("policy") && !node.Find("Statement")) {
    const Node* n = node.Find("name");
    if (n != nullptr) {
      if (!n->is_string()) return BadCase("`name` must be a string", *n, source, pointer + "/name");
      name = n->text;
    }
    doc = node.Find("policy");
    doc_pointer = pointer + "/policy";
  }
  parse::PolicyParseOptions opt;
  opt.kind = kind.value_or(ResourcePolicyKind(*doc));
  // Cases test semantics, not quotas; size limits are the linter's business (R32).
  opt.enforce_size_limit = false;
  auto policy = parse::ParsePolicyNode(*doc, source, doc_pointer, opt);
  if (!policy) return policy.error();
  return eval::PolicyRef{name, std::make_shared<const model::Policy>(std::move(*policy))};
}

Result<std::vector<eval::PolicyRef>> ReadPolicyList(const Node& node, std::string_view source,
                                                    const std::string& pointer,
                                                    const std::string& name, PolicyKind kind) {
  std::vector<eval::PolicyRef> out;
  if (!node.is_array()) {
    return BadCase("`" + name + "` must be an array of policies or null", node, source, pointer);
  }
  for (size_t i = 0; i < node.items.size(); ++i) {
    std::string p = pointer + "/" + std::to_string(i);
    auto ref = ReadPolicy(node.items[i], source, p, name + "[" + std::to_string(i) + "]", kind);
    if (!ref) return ref.error();
    out.push_back(std::move(*ref));
  }
  return out;
}

// SCPs / RCPs: [doc, ...] is one level; [[doc...], [doc...]] is one list per level, root first.
Result<std::vector<std::vector<eval::PolicyRef>>> ReadLevels(const Node& node,
                                                             std::string_view source,
                                                             const std::string& pointer,
                                                             const std::string& name,
                                                             PolicyKind kind) {
  std::vector<std::vector<eval::PolicyRef>> levels;
  if (!node.is_array()) {
    return BadCase("`" + name + "` must be an array or null", node, source, pointer);
  }
  bool nested = !node.items.empty() && node.items.front().is_array();
  if (!nested) {
    auto level = ReadPolicyList(node, source, pointer, name, kind);
    if (!level) return level.error();
    levels.push_back(std::move(*level));
    return levels;
  }
  for (size_t i = 0; i < node.items.size(); ++i) {
    std::string p = pointer + "/" + std::to_string(i);
    auto level =
        ReadPolicyList(node.items[i], source, p, name + "[" + std::to_string(i) + "]", kind);
    if (!level) return level.error();
    levels.push_back(std::move(*level));
  }
  return levels;
}

std::string_view PrincipalType(model::PrincipalKind kind) {
  switch (kind) {
    case model::PrincipalKind::kRoot:
      return "Account";
    case model::PrincipalKind::kUser:
      return "User";
    case model::PrincipalKind::kRole:
    case model::PrincipalKind::kAssumedRole:
      return "AssumedRole";
    case model::PrincipalKind::kFederatedUser:
      return "FederatedUser";
    case model::PrincipalKind::kService:
      return "Service";
    case model::PrincipalKind::kAnonymous:
      return "Anonymous";
  }
  return "Anonymous";
}

}  // namespace

namespace {
SourceLocation FieldLocation(const char* pointer) {
  SourceLocation at;
  at.pointer = pointer;
  return at;
}
}  // namespace

Status CheckRequestAgainstCatalog(const model::Request& request) {
  const std::string& action = request.action;
  std::string_view service = std::string_view(action).substr(0, action.find(':'));
  if (!catalog::KnowsService(service)) return Status::Ok();
  const catalog::ActionInfo* info = catalog::FindAction(action);
  if (info == nullptr) {
    return Status("UNKNOWN_ACTION",
                  "`" + action + "` is not an action of the `" + std::string(service) +
                      "` service reference (R40)",
                  FieldLocation("/action"));
  }
  if (info->wildcard_only) {
    if (request.resource != "*") {
      return Status(
          "RESOURCE_TYPE_MISMATCH",
          "`" + action + "` is a wildcard-only action: its request resource must be `*` (R43, R50)",
          FieldLocation("/resource"));
    }
    return Status::Ok();
  }
  auto parts = match::SplitArn(request.resource);
  if (!parts || (*parts)[2] != info->service || !(*parts)[5].starts_with("repository/") ||
      (*parts)[5].size() <= 11) {
    return Status("RESOURCE_TYPE_MISMATCH",
                  "`" + request.resource + "` is not a repository ARN, the resource type of `" +
                      action + "` (R42, R43)",
                  FieldLocation("/resource"));
  }
  return Status::Ok();
}

Status CheckRequestAgainstCatalog(const model::Request& request, const Node& req,
                                  std::string_view source, const std::string& pointer) {
  Status s = CheckRequestAgainstCatalog(request);
  if (s.ok()) return s;
  const std::string& field = s.location().pointer;  // "/action" or "/resource"
  return Located(s.code(), s.message(), *req.Find(field.substr(1)), source, pointer + field);
}

Result<model::Context> ReadContext(const Node& node, std::string_view source,
                                   const std::string& pointer) {
  model::Context context;
  if (!node.is_object()) return BadCase("`context` must be an object", node, source, pointer);
  for (const json::Member& m : node.members) {
    std::string p = pointer + "/" + json::EscapePointerToken(m.name);
    model::ContextValue value;
    if (m.value.is_string()) {
      value.values.push_back(m.value.text);
      value.multi = model::IsMultiValuedKey(m.name);  // R61: a lone string is a one-element set
    } else if (m.value.is_array()) {
      // An array is a set (R60). For a key that is single-valued by definition (R61) the
      // operators then see a multi-valued key and plain operators do not match (R66).
      value.multi = true;
      for (size_t i = 0; i < m.value.items.size(); ++i) {
        const Node& item = m.value.items[i];
        if (!item.is_string()) {
          return BadCase("context values must be strings", item, source,
                         p + "/" + std::to_string(i));
        }
        value.values.push_back(item.text);
      }
    } else {
      return BadCase("context key `" + m.name + "` must be a string or an array of strings",
                     m.value, source, p);
    }
    context.Set(m.name, std::move(value));
  }
  return context;
}

void DeriveContext(model::Request& request) {
  const model::Principal& p = request.principal;
  model::Context& c = request.context;
  auto single = [](std::string v) { return model::ContextValue{false, {std::move(v)}}; };
  if (p.kind != model::PrincipalKind::kAnonymous && p.kind != model::PrincipalKind::kService) {
    c.SetDefault("aws:PrincipalArn", single(p.role_arn.empty() ? p.arn : p.role_arn));
    c.SetDefault("aws:PrincipalAccount", single(p.account));
  }
  c.SetDefault("aws:PrincipalType", single(std::string(PrincipalType(p.kind))));
  if (p.kind == model::PrincipalKind::kUser) {
    c.SetDefault("aws:username", single(p.arn.substr(p.arn.rfind('/') + 1)));
  }
  std::string account = request.resource_account;
  if (account.empty()) {
    if (auto parts = match::SplitArn(request.resource)) account = std::string((*parts)[4]);
  }
  if (!account.empty()) c.SetDefault("aws:ResourceAccount", single(account));
}

Result<Case> ReadCase(const Node& node, std::string_view source) {
  Case c;
  if (!node.is_object()) return BadCase("a case must be a JSON object", node, source, "");
  if (const Node* id = node.Find("id")) c.id_json = json::Dump(*id);
  auto present = [&](const char* name) -> const Node* {
    const Node* n = node.Find(name);
    return (n == nullptr || n->type == Type::kNull) ? nullptr : n;
  };
  if (const Node* n = present("identityPolicies")) {
    auto list = ReadPolicyList(*n, source, "/identityPolicies", "identity", PolicyKind::kIdentity);
    if (!list) return list.error();
    c.policies.identity = std::move(*list);
  }
  if (const Node* n = present("resourcePolicy")) {
    auto ref = ReadPolicy(*n, source, "/resourcePolicy", "resource", std::nullopt);
    if (!ref) return ref.error();
    c.policies.resource.push_back(std::move(*ref));
  }
  if (const Node* n = present("permissionBoundaries")) {
    auto list = ReadPolicyList(*n, source, "/permissionBoundaries", "boundary",
                               PolicyKind::kPermissionsBoundary);
    if (!list) return list.error();
    c.policies.boundary = std::move(*list);
  }
  if (const Node* n = present("sessionPolicy")) {
    auto ref = ReadPolicy(*n, source, "/sessionPolicy", "session", PolicyKind::kSession);
    if (!ref) return ref.error();
    c.policies.session = std::vector<eval::PolicyRef>{std::move(*ref)};
  }
  if (const Node* n = present("scps")) {
    auto levels = ReadLevels(*n, source, "/scps", "scp", PolicyKind::kScp);
    if (!levels) return levels.error();
    c.policies.scp_levels = std::move(*levels);
  }
  if (const Node* n = present("rcps")) {
    auto levels = ReadLevels(*n, source, "/rcps", "rcp", PolicyKind::kRcp);
    if (!levels) return levels.error();
    c.policies.rcp_levels = std::move(*levels);
  }
  const Node* req = node.Find("request");
  if (req == nullptr || !req->is_object()) {
    return BadCase("a case needs a `request` object", req ? *req : node, source, "/request");
  }
  auto field = [&](const char* name, bool required, std::string& out) -> Status {
    const Node* n = req->Find(name);
    if (n == nullptr || n->type == Type::kNull) {
      if (required) {
        return BadCase(std::string("the request has no `") + name + "`", *req, source, "/request");
      }
      return Status::Ok();
    }
    if (!n->is_string()) {
      return BadCase(std::string("`") + name + "` must be a string", *n, source,
                     std::string("/request/") + name);
    }
    out = n->text;
    return Status::Ok();
  };
  std::string principal;
  PE_RETURN_IF_ERROR(field("principal", true, principal));
  PE_RETURN_IF_ERROR(field("action", true, c.request.action));
  PE_RETURN_IF_ERROR(field("resource", true, c.request.resource));
  PE_RETURN_IF_ERROR(field("resourceAccount", false, c.request.resource_account));
  auto parsed = model::ParsePrincipal(principal);
  if (!parsed) {
    return BadCase(
        "`" + principal + "` is not a principal (an IAM or STS ARN, a service name or `anonymous`)",
        *req->Find("principal"), source, "/request/principal");
  }
  c.request.principal = std::move(*parsed);
  Status action_ok = match::ValidateActionPattern(c.request.action);
  if (!action_ok.ok() || c.request.action.find_first_of("*?") != std::string::npos ||
      c.request.action == "*") {
    return BadCase("`" + c.request.action + "` is not an action name (`service:Action`)",
                   *req->Find("action"), source, "/request/action");
  }
  PE_RETURN_IF_ERROR(CheckRequestAgainstCatalog(c.request, *req, source, "/request"));
  if (const Node* ctx = req->Find("context"); ctx && ctx->type != Type::kNull) {
    auto context = ReadContext(*ctx, source, "/request/context");
    if (!context) return context.error();
    c.request.context = std::move(*context);
  }
  bool derive = false;
  if (const Node* d = node.Find("deriveContext"); d && d->type == Type::kBool) derive = d->boolean;
  if (derive) DeriveContext(c.request);
  return c;
}

CaseOutcome EvaluateCaseLine(std::string_view line, size_t line_number) {
  CaseOutcome out;
  std::string where = "line " + std::to_string(line_number) + ": ";
  auto doc = json::Parse(line);
  if (!doc) {
    out.error = where + doc.error().ToString();
    return out;
  }
  if (doc->is_object()) {
    if (const Node* id = doc->Find("id")) out.id_json = json::Dump(*id);
  }
  auto c = ReadCase(*doc, line);
  if (!c) {
    out.error = where + c.error().ToString();
    return out;
  }
  out.result = eval::EvaluateReference(c->policies, c->request);
  return out;
}

std::string FormatOutcome(const CaseOutcome& outcome) {
  nlohmann::ordered_json j;
  j["id"] = nlohmann::ordered_json::parse(outcome.id_json, nullptr, false);
  if (j["id"].is_discarded()) j["id"] = nullptr;
  if (outcome.result) {
    j["decision"] = model::DecisionName(outcome.result->decision);
    nlohmann::ordered_json matched = nlohmann::ordered_json::array();
    for (const model::MatchedStatement& m : outcome.result->matched) {
      nlohmann::ordered_json s;
      s["policy"] = m.policy;
      s["type"] = model::PolicySetRoleName(m.role);
      s["statement"] = m.statement;
      s["sid"] = m.sid;
      s["effect"] = m.effect == model::Effect::kAllow ? "Allow" : "Deny";
      if (m.strength != model::PrincipalStrength::kNone) {
        s["principalMatch"] = model::PrincipalStrengthName(m.strength);
      }
      matched.push_back(std::move(s));
    }
    j["matched"] = std::move(matched);
    j["reason"] = outcome.result->reason;
    j["error"] = nullptr;
  } else {
    j["decision"] = nullptr;
    j["matched"] = nlohmann::ordered_json::array();
    j["error"] = outcome.error;
  }
  // Replace invalid UTF-8 rather than throw: ids and messages echo user input.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace policy_engine::driver
