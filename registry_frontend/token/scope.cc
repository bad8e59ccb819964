// Scope grammar and the registry action → ECR actions table (scope.h).
#include "registry_frontend/token/scope.h"

#include <algorithm>

#include "registry_frontend/oci/routes.h"

namespace registry_frontend::token {

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsHostComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

// hostcomponent ('.' hostcomponent)* [':' port]
bool IsHostname(std::string_view s) {
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
      return false;
    }
    s = s.substr(0, colon);
  }
  while (true) {
    size_t dot = s.find('.');
    if (!IsHostComponent(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s = s.substr(dot + 1);
  }
}

bool IsTypeWord(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), IsLowerAlnum);
}

// [a-z]+ or `*`.
bool IsAction(std::string_view s) {
  if (s == "*") return true;
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

bool IsValidScopeName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  // The path's components are the OCI repository-name grammar (one implementation, oci/routes).
  if (oci::IsValidRepositoryName(name)) return true;
  // Otherwise a registry host prefix: hostname '/' path.
  size_t slash = name.find('/');
  return slash != std::string_view::npos && IsHostname(name.substr(0, slash)) &&
         oci::IsValidRepositoryName(name.substr(slash + 1));
}

std::optional<Scope> ParseScope(std::string_view text) {
  size_t first = text.find(':');
  size_t last = text.rfind(':');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  Scope scope;
  std::string_view type = text.substr(0, first);
  if (size_t open = type.find('('); open != std::string_view::npos) {
    if (type.back() != ')') return std::nullopt;
    std::string_view cls = type.substr(open + 1, type.size() - open - 2);
    if (!IsTypeWord(cls)) return std::nullopt;
    scope.resource_class = cls;
    type = type.substr(0, open);
  }
  if (!IsTypeWord(type)) return std::nullopt;
  scope.type = type;
  std::string_view name = text.substr(first + 1, last - first - 1);
  if (!IsValidScopeName(name)) return std::nullopt;
  scope.name = name;
  std::string_view actions = text.substr(last + 1);
  while (true) {
    size_t comma = actions.find(',');
    std::string_view action = actions.substr(0, comma);
    if (!action.empty()) {
      if (!IsAction(action)) return std::nullopt;
      if (std::find(scope.actions.begin(), scope.actions.end(), action) == scope.actions.end()) {
        scope.actions.emplace_back(action);
      }
    }
    if (comma == std::string_view::npos) break;
    actions = actions.substr(comma + 1);
  }
  if (scope.actions.empty()) return std::nullopt;
  return scope;
}

std::vector<Scope> ParseScopes(const std::vector<std::string>& values) {
  std::vector<Scope> out;
  for (std::string_view value : values) {
    while (!value.empty()) {
      size_t space = value.find(' ');
      std::string_view one = value.substr(0, space);
      value = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
      if (one.empty()) continue;
      auto scope = ParseScope(one);
      if (!scope) continue;
      auto same = std::find_if(out.begin(), out.end(), [&](const Scope& s) {
        return s.type == scope->type && s.resource_class == scope->resource_class &&
               s.name == scope->name;
      });
      if (same != out.end()) {
        for (auto& a : scope->actions) {
          if (std::find(same->actions.begin(), same->actions.end(), a) == same->actions.end()) {
            same->actions.push_back(std::move(a));
          }
        }
      } else if (out.size() < kMaxScopes) {
        out.push_back(std::move(*scope));
      }
    }
  }
  return out;
}

const std::vector<std::string>& EcrActionsFor(std::string_view registry_action) {
  static const std::vector<std::string> kPull = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                                 "ecr:BatchCheckLayerAvailability"};
  static const std::vector<std::string> kPush = {"ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                                 "ecr:CompleteLayerUpload", "ecr:PutImage",
                                                 "ecr:BatchCheckLayerAvailability"};
  static const std::vector<std::string> kDelete = {"ecr:BatchDeleteImage"};
  static const std::vector<std::string> kAll = {"ecr:BatchGetImage",
                                                "ecr:GetDownloadUrlForLayer",
                                                "ecr:BatchCheckLayerAvailability",
                                                "ecr:InitiateLayerUpload",
                                                "ecr:UploadLayerPart",
                                                "ecr:CompleteLayerUpload",
                                                "ecr:PutImage",
                                                "ecr:BatchDeleteImage"};
  static const std::vector<std::string> kNone;
  if (registry_action == "pull") return kPull;
  if (registry_action == "push") return kPush;
  if (registry_action == "delete") return kDelete;
  if (registry_action == "*") return kAll;
  return kNone;
}

}  // namespace registry_frontend::token
