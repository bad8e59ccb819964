// Policy documents are copied from the case line byte for byte (json::Node keeps source spans),
// so the store parses exactly what the case parser parsed.
#include "tests/differential/case_store.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "policy_engine/json/json.h"
#include "policy_engine/match/match.h"
#include "policy_engine/model/request.h"
#include "tests/differential/random_store.h"

namespace policy_engine::differential {
namespace {

using json::Node;
using json::Type;

Status NotConvertible(std::string message) {
  return Status("CASE_NOT_CONVERTIBLE", std::move(message));
}

const Node* Present(const Node& obj, std::string_view name) {
  const Node* n = obj.Find(name);
  return (n == nullptr || n->type == Type::kNull) ? nullptr : n;
}

// A policy entry of the case format is a document or {"name": …, "policy": document}.
const Node& DocumentOf(const Node& entry) {
  if (entry.is_object() && entry.Find("policy") != nullptr && entry.Find("Statement") == nullptr) {
    return *entry.Find("policy");
  }
  return entry;
}

bool HasResourceElement(const Node& doc) {
  const Node* st = doc.Find("Statement");
  if (st == nullptr) return false;
  auto has = [](const Node& s) {
    return s.is_object() && (s.Find("Resource") != nullptr || s.Find("NotResource") != nullptr);
  };
  if (st->is_object()) return has(*st);
  if (st->is_array()) {
    for (const Node& s : st->items) {
      if (has(s)) return true;
    }
  }
  return false;
}

// Case SCP/RCP lists: [doc, …] is one level, [[doc, …], …] one list per level, root first
// (driver::ReadLevels).
std::string Levels(const Node& node, std::string_view line) {
  auto text = [&](const Node& n) {
    const Node& doc = DocumentOf(n);
    return std::string(line.substr(doc.begin, doc.end - doc.begin));
  };
  auto level = [&](const std::vector<Node>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + text(items[i]);
    return out + "]";
  };
  bool nested = !node.items.empty() && node.items.front().is_array();
  if (!nested) return "[" + level(node.items) + "]";
  std::string out = "[";
  for (size_t i = 0; i < node.items.size(); ++i) {
    out += (i ? "," : "") + level(node.items[i].items);
  }
  return out + "]";
}

}  // namespace

Result<StoreCase> CaseToStore(std::string_view line) {
  auto parsed = json::Parse(line);
  if (!parsed) return parsed.error();
  const Node& c = *parsed;
  if (!c.is_object()) return NotConvertible("a case must be an object");
  StoreCase out;
  if (const Node* id = c.Find("id")) out.id = json::Dump(*id);
  const Node* req = Present(c, "request");
  if (req == nullptr || !req->is_object()) return NotConvertible("no request");
  const Node* pnode = Present(*req, "principal");
  const Node* anode = Present(*req, "action");
  const Node* rnode = Present(*req, "resource");
  if (!pnode || !anode || !rnode || !pnode->is_string() || !rnode->is_string()) {
    return NotConvertible("incomplete request");
  }
  auto principal = model::ParsePrincipal(pnode->text);
  if (!principal) return NotConvertible("principal does not parse");
  if (principal->kind == model::PrincipalKind::kFederatedUser) {
    return NotConvertible("federated-user sessions are not modelled by the store");
  }
  const std::string& resource = rnode->text;
  auto resource_parts = match::SplitArn(resource);
  std::string resource_account = resource_parts ? std::string((*resource_parts)[4]) : std::string();
  std::string resource_region = resource_parts ? std::string((*resource_parts)[3]) : std::string();

  // Accounts: the caller's and the resource's; SCPs on the first, RCPs on the second.
  std::vector<std::string> accounts;
  auto add_account = [&](const std::string& id) {
    if (id.empty() || std::find(accounts.begin(), accounts.end(), id) != accounts.end()) return;
    accounts.push_back(id);
  };
  add_account(principal->account);
  const Node* scps = Present(c, "scps");
  const Node* rcps = Present(c, "rcps");
  const Node* rp = Present(c, "resourcePolicy");
  bool resource_side = resource != "*" && (rp != nullptr || rcps != nullptr);
  if (resource_side) add_account(resource_account);
  if (scps != nullptr && principal->account.empty()) scps = nullptr;  // service, anonymous
  std::string account_docs;
  for (const std::string& id : accounts) {
    std::string a = "{\"id\":" + policy_engine::json::Quote(id);
    bool scp_here = scps != nullptr && id == principal->account;
    bool rcp_here = rcps != nullptr && resource_side && id == resource_account;
    if (scp_here || rcp_here) a += ",\"orgId\":\"o-a1b2c3d4e5\"";
    if (scp_here) a += ",\"scps\":" + Levels(*scps, line);
    if (rcp_here) a += ",\"rcps\":" + Levels(*rcps, line);
    account_docs += (account_docs.empty() ? "" : ",") + a + "}";
  }

  // Identity policies and the boundary: AWS managed, attached to the caller.
  std::string managed_docs;
  std::vector<std::string> attached;
  std::optional<std::string> boundary;
  auto add_managed = [&](const std::string& arn, const Node& entry) {
    const Node& doc = DocumentOf(entry);
    managed_docs += (managed_docs.empty() ? "" : ",") + std::string("{\"arn\":") +
                    policy_engine::json::Quote(arn) +
                    ",\"policy\":" + std::string(line.substr(doc.begin, doc.end - doc.begin)) + "}";
  };
  bool has_entity = principal->kind == model::PrincipalKind::kUser ||
                    principal->kind == model::PrincipalKind::kRole ||
                    principal->kind == model::PrincipalKind::kAssumedRole;
  if (const Node* ids = Present(c, "identityPolicies"); ids && ids->is_array() && has_entity) {
    for (size_t i = 0; i < ids->items.size(); ++i) {
      std::string arn = "arn:aws:iam::aws:policy/case-identity-" + std::to_string(i);
      add_managed(arn, ids->items[i]);
      attached.push_back(arn);
    }
  }
  if (const Node* pbs = Present(c, "permissionBoundaries"); pbs && pbs->is_array() && has_entity) {
    if (pbs->items.size() > 1) return NotConvertible("several boundary documents");
    if (pbs->items.size() == 1) {
      boundary = "arn:aws:iam::aws:policy/case-boundary";
      add_managed(*boundary, pbs->items[0]);
    }
  }
  std::string principal_doc;
  if (has_entity) {
    std::string arn =
        principal->kind == model::PrincipalKind::kUser ? principal->arn : principal->role_arn;
    principal_doc = "{\"arn\":" + policy_engine::json::Quote(arn);
    if (!attached.empty()) {
      principal_doc += ",\"managedPolicies\":[";
      for (size_t i = 0; i < attached.size(); ++i) {
        principal_doc += (i ? "," : "") + policy_engine::json::Quote(attached[i]);
      }
      principal_doc += "]";
    }
    if (boundary)
      principal_doc += ",\"permissionsBoundary\":" + policy_engine::json::Quote(*boundary);
    principal_doc += "}";
  }

  // The resource policy: repository policy, or registry policy when it names resources.
  std::string repository_docs, registry_docs;
  if (rp != nullptr && resource != "*") {
    const Node& doc = DocumentOf(*rp);
    std::string text(line.substr(doc.begin, doc.end - doc.begin));
    if (HasResourceElement(doc)) {
      registry_docs = "{\"account\":" + policy_engine::json::Quote(resource_account) +
                      ",\"region\":" + policy_engine::json::Quote(resource_region) +
                      ",\"policy\":" + text + "}";
    } else {
      if (!resource_parts || (*resource_parts)[2] != "ecr" ||
          !(*resource_parts)[5].starts_with("repository/")) {
        return NotConvertible("a repository policy needs a repository ARN");
      }
      repository_docs =
          "{\"arn\":" + policy_engine::json::Quote(resource) + ",\"policy\":" + text + "}";
    }
  }

  out.store_json = "{\"accounts\":[" + account_docs + "]";
  if (!managed_docs.empty()) out.store_json += ",\"managedPolicies\":[" + managed_docs + "]";
  if (!principal_doc.empty()) out.store_json += ",\"principals\":[" + principal_doc + "]";
  if (!repository_docs.empty()) out.store_json += ",\"repositories\":[" + repository_docs + "]";
  if (!registry_docs.empty()) out.store_json += ",\"registries\":[" + registry_docs + "]";
  out.store_json += "}";

  out.request_line = "{\"principal\":" + policy_engine::json::Quote(pnode->text) + ",\"action\":" +
                     std::string(line.substr(anode->begin, anode->end - anode->begin)) +
                     ",\"resource\":" + policy_engine::json::Quote(resource);
  if (const Node* ctx = Present(*req, "context")) {
    out.request_line +=
        ",\"context\":" + std::string(line.substr(ctx->begin, ctx->end - ctx->begin));
  }
  if (const Node* sp = Present(c, "sessionPolicy")) {
    const Node& doc = DocumentOf(*sp);
    out.request_line +=
        ",\"sessionPolicy\":" + std::string(line.substr(doc.begin, doc.end - doc.begin));
  }
  out.request_line += "}";
  return out;
}

}  // namespace policy_engine::differential
