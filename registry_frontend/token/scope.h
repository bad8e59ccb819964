// Token scopes of the Docker Registry token spec and what each registry action means in ECR.
//
//   scope         := resourcescope [ ' ' resourcescope ]*
//   resourcescope := type [ '(' class ')' ] ':' name ':' action [ ',' action ]*
//   name          := [ hostname '/' ] component [ '/' component ]*
//
// The name is everything between the first ':' and the LAST ':' (a hostname may carry a port).
// Scopes that do not follow the grammar are dropped, never an error: the token server must not
// tell a caller which names exist (docs/token-server.md).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry_frontend::token {

inline constexpr size_t kMaxScopes = 32;       // per request; the rest are ignored
inline constexpr size_t kMaxNameLength = 255;  // distribution's limit

struct Scope {
  std::string type;                  // "repository", "registry", …
  std::string resource_class;        // "plugin" in `repository(plugin):…`, usually empty
  std::string name;                  // "demo/app", "catalog"
  std::vector<std::string> actions;  // as requested, deduplicated, in order
};

// One resource scope; nullopt when it breaks the grammar or has no action.
std::optional<Scope> ParseScope(std::string_view text);

// Every `scope` query value, each split on spaces; invalid scopes dropped; scopes naming the same
// resource merged; at most kMaxScopes kept.
std::vector<Scope> ParseScopes(const std::vector<std::string>& values);

// `[hostname '/'] component ['/' component]*`, at most kMaxNameLength bytes.
bool IsValidScopeName(std::string_view name);

// The ECR actions a registry action stands for; empty for an action we do not grant.
// pull, push, delete and `*` (all three): docs/token-server.md has the table.
const std::vector<std::string>& EcrActionsFor(std::string_view registry_action);

}  // namespace registry_frontend::token
