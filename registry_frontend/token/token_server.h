// The distribution token server (`GET /token`, Docker Registry token spec) for a docker-registry
// configured with `auth: token` (docs/token-server.md).
//
// `GET /token?service=S&scope=repository:NAME:pull,push[&scope=…]` with
// `Authorization: Basic base64(AWS:<password>)` (a `portcullis login-password` password) →
// `200 {"token","access_token","expires_in","issued_at"}`, an ES256 JWT whose `access` claim
// grants, per requested scope, exactly the registry actions whose ECR actions the engine allows
// (every one of them) on the repository's ARN. Unknown repositories, denied actions and scopes
// that break the grammar are left out of `access`: the answer is the same 200 whether or not a
// repository exists. Missing or bad credentials (also anonymous requests): 401 with a Basic
// challenge. `service` other than ours: 400.
//
// Thread safety: HandleTokenRequest may be called concurrently when its dependencies may
// (Authorizer, Engine, TokenSigner and JwtIssuer all are).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy_engine/engine/engine.h"
#include "registry_frontend/audit/audit_log.h"
#include "registry_frontend/auth/authorizer.h"
#include "registry_frontend/auth/token.h"
#include "registry_frontend/http/message.h"
#include "registry_frontend/oci/access.h"
#include "registry_frontend/token/jwt.h"
#include "registry_frontend/token/scope.h"

namespace registry_frontend::token {

inline constexpr int64_t kDefaultTokenLifetimeSeconds = 300;

struct TokenServerOptions {
  std::string issuer = "portcullis";            // JWT `iss`; docker-registry `auth.token.issuer`
  std::string service = "portcullis-registry";  // JWT `aud`; docker-registry `auth.token.service`
  int64_t lifetime_seconds = kDefaultTokenLifetimeSeconds;  // capped by the password's expiry
};

struct TokenDeps {
  const policy_engine::engine::Engine& engine;  // the served repositories
  auth::Authorizer& authorizer;                 // decisions (errors fail closed and are counted)
  const auth::TokenSigner& passwords;           // verifies `login-password` passwords
  const JwtIssuer& jwt;
  const oci::RegistryIdentity& registry;  // served account/region (ChooseRegistryIdentity)
  const TokenServerOptions& options;
  int64_t now = 0;  // epoch seconds
  // When set, every engine decision taken is appended (for the audit log).
  std::vector<auth::DecisionRecord>* trail = nullptr;
  // When set, the request's context keys (source IP and transport resolved through trusted
  // proxies by the caller); otherwise taken from the connection.
  const auth::RequestFacts* facts = nullptr;
  // When set, receives the authenticated principal's ARN (empty when authentication failed).
  std::string* principal = nullptr;
};

// One entry of the JWT `access` claim.
struct GrantedAccess {
  std::string type;
  std::string resource_class;
  std::string name;
  std::vector<std::string> actions;
};

// The grants for `scopes` (already parsed): repository scopes on served repositories, each action
// kept only when the engine allows all its ECR actions; `registry:catalog:*` when the principal
// may ecr:DescribeRepositories on every served repository (there is at least one). Entries with
// no granted action are left out.
std::vector<GrantedAccess> DecideAccess(const std::string& principal_arn,
                                        const std::vector<Scope>& scopes,
                                        const auth::RequestFacts& facts, const TokenDeps& deps);

// The JWT claim set (JSON object text).
std::string ClaimsJson(const std::string& subject, const std::vector<GrantedAccess>& access,
                       int64_t now, int64_t expires_at, const std::string& jti,
                       const TokenServerOptions& options);

http::HttpResponse HandleTokenRequest(const http::HttpRequest& request, const TokenDeps& deps);

// Audit lines for the decisions of one token request (one per decision, numbered), shaped like
// the registry's: the ECR action, the repository, the decision and its statements; `status` is
// the token request's HTTP status (200 even for denied scopes, which carry AccessDeniedException).
std::vector<audit::AuditRecord> AuditRecords(const http::HttpRequest& request,
                                             const std::string& principal,
                                             const auth::RequestFacts& facts,
                                             const std::vector<auth::DecisionRecord>& decisions,
                                             const std::string& request_id, int status);

}  // namespace registry_frontend::token
