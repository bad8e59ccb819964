// HandleTokenRequest and the scope → grant decisions (token_server.h).
#include "registry_frontend/token/token_server.h"

#include <openssl/rand.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "registry_frontend/auth/audit_records.h"

namespace registry_frontend::token {

namespace {

using Json = nlohmann::ordered_json;

http::HttpResponse JsonResponse(int status, const Json& body) {
  http::HttpResponse r;
  r.status = status;
  r.body = body.dump();
  r.Set("Content-Type", "application/json");
  r.Set("Cache-Control", "no-store");
  return r;
}

http::HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status,
                      Json{{"errors", Json::array({Json{{"code", code}, {"message", message}}})}});
}

std::set<std::string> ServedRepositories(const TokenDeps& deps) {
  std::set<std::string> names;
  for (const auto& r : deps.engine.Repositories()) {
    if (r.account == deps.registry.account && r.region == deps.registry.region) {
      names.insert(r.name);
    }
  }
  return names;
}

// 16 random bytes, base64url; empty when the generator fails (the caller fails closed).
std::string NewJti() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return auth::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

}  // namespace

std::vector<GrantedAccess> DecideAccess(const std::string& principal_arn,
                                        const std::vector<Scope>& scopes,
                                        const auth::RequestFacts& facts, const TokenDeps& deps) {
  std::vector<GrantedAccess> out;
  if (scopes.empty()) return out;
  const std::set<std::string> served = ServedRepositories(deps);
  auto allowed = [&](const std::string& action, const std::string& name) {
    oci::AccessRecord record{action, name, oci::RepositoryArn(deps.registry, name)};
    return deps.authorizer.IsAllowed(principal_arn, record, facts, deps.trail);
  };
  for (const Scope& scope : scopes) {
    GrantedAccess grant{scope.type, scope.resource_class, scope.name, {}};
    if (scope.type == "repository") {
      if (served.count(scope.name) == 0) continue;  // unknown: left out, like a denial
      std::map<std::string, bool> decided;          // one decision per ECR action and scope
      for (const std::string& action : scope.actions) {
        const auto& ecr = EcrActionsFor(action);
        if (ecr.empty()) continue;
        bool all = std::all_of(ecr.begin(), ecr.end(), [&](const std::string& a) {
          auto it = decided.find(a);
          if (it == decided.end()) it = decided.emplace(a, allowed(a, scope.name)).first;
          return it->second;
        });
        if (all) grant.actions.push_back(action);
      }
    } else if (scope.type == "registry" && scope.name == "catalog" &&
               scope.resource_class.empty() &&
               std::find(scope.actions.begin(), scope.actions.end(), "*") != scope.actions.end()) {
      // distribution lists every repository it stores and filters nothing: grant the catalog
      // only to a principal who may describe every repository this registry serves.
      bool all = !served.empty() && std::all_of(served.begin(), served.end(), [&](auto& name) {
        return allowed("ecr:DescribeRepositories", name);
      });
      if (all) grant.actions.push_back("*");
    }
    if (!grant.actions.empty()) out.push_back(std::move(grant));
  }
  return out;
}

std::string ClaimsJson(const std::string& subject, const std::vector<GrantedAccess>& access,
                       int64_t now, int64_t expires_at, const std::string& jti,
                       const TokenServerOptions& options) {
  Json grants = Json::array();
  for (const auto& g : access) {
    Json entry{{"type", g.type}};
    if (!g.resource_class.empty()) entry["class"] = g.resource_class;
    entry["name"] = g.name;
    entry["actions"] = g.actions;
    grants.push_back(std::move(entry));
  }
  // distribution 2.8 reads `aud` as a single string.
  Json claims{{"iss", options.issuer},
              {"sub", subject},
              {"aud", options.service},
              {"exp", expires_at},
              {"nbf", now},
              {"iat", now},
              {"jti", jti},
              {"access", grants}};
  return claims.dump();
}

namespace {
// An ECR-style password for user `AWS`, or a long-term access key pair (`AKIA…:secret`, from the
// configuration's `accessKeys`) — what `docker login -u AKIA… -p SECRET` sends. A key pair's
// token lives for the token lifetime only.
policy_engine::Result<auth::TokenClaims> Authenticate(const std::string* authorization,
                                                      const TokenDeps& deps) {
  auto basic = auth::ParseBasic(authorization);
  if (basic && basic->first.starts_with("AKIA")) {
    auto principal = deps.engine.AuthenticateAccessKey(basic->first, basic->second);
    if (!principal) return policy_engine::Status("UNAUTHORIZED", principal.error().message());
    return auth::TokenClaims{*principal, deps.now, deps.now + deps.options.lifetime_seconds};
  }
  return auth::AuthenticateBasic(authorization, deps.passwords, deps.now);
}
}  // namespace

http::HttpResponse HandleTokenRequest(const http::HttpRequest& request, const TokenDeps& deps) {
  if (deps.principal != nullptr) deps.principal->clear();
  if (request.method != "GET") {
    http::HttpResponse r = ErrorResponse(405, "UNSUPPORTED", "use GET");
    r.Set("Allow", "GET");
    if (request.method == "HEAD") {  // no body bytes on the wire after a HEAD answer
      r.head_length = r.body.size();
      r.body.clear();
    }
    return r;
  }
  std::vector<std::string> scope_values;
  for (auto& [key, value] : http::ParseQuery(request.query)) {
    if (key == "service" && value != deps.options.service) {
      return ErrorResponse(400, "INVALID_REQUEST", "unknown service `" + value + "`");
    }
    if (key == "scope") scope_values.push_back(std::move(value));
  }
  auto claims = Authenticate(request.Header("authorization"), deps);
  if (!claims) {
    http::HttpResponse r = ErrorResponse(401, "UNAUTHORIZED", claims.error().message());
    r.Set("WWW-Authenticate", "Basic realm=\"" + deps.options.service + "\"");
    return r;
  }
  if (deps.principal != nullptr) *deps.principal = claims->principal_arn;
  auth::RequestFacts facts;
  if (deps.facts != nullptr) {
    facts = *deps.facts;
  } else {
    facts.source_ip = request.remote_ip;
    facts.secure = request.secure;
    if (const std::string* ua = request.Header("user-agent")) facts.user_agent = *ua;
  }
  facts.now = deps.now;

  std::vector<GrantedAccess> access =
      DecideAccess(claims->principal_arn, ParseScopes(scope_values), facts, deps);
  int64_t expires_at = std::min(deps.now + deps.options.lifetime_seconds, claims->expires_at);
  std::string jti = NewJti();
  std::string jwt = jti.empty() ? std::string()
                                : deps.jwt.Sign(ClaimsJson(claims->principal_arn, access, deps.now,
                                                           expires_at, jti, deps.options));
  if (jwt.empty()) return ErrorResponse(500, "UNKNOWN", "cannot sign the token");
  return JsonResponse(200, Json{{"token", jwt},
                                {"access_token", jwt},
                                {"expires_in", expires_at - deps.now},
                                {"issued_at", auth::Iso8601(deps.now)}});
}

std::vector<audit::AuditRecord> AuditRecords(const http::HttpRequest& request,
                                             const std::string& principal,
                                             const auth::RequestFacts& facts,
                                             const std::vector<auth::DecisionRecord>& decisions,
                                             const std::string& request_id, int status) {
  return auth::ToAuditRecords(
      decisions, facts, {principal, request_id, request.method, request.path, status, {}, {}});
}

}  // namespace registry_frontend::token
