// R192 ECR_MISSING_AUTH_TOKEN: a cross-policy check over an inventory (a policy store document,
// docs/store-format.md). A principal that can pull or push some repository of the store but is
// granted ecr:GetAuthorizationToken by no policy cannot log in to the registry at all (R159):
// the token is an identity-policy grant only (R117), so repository policies cannot supply it.
//
// Proved with the reference evaluator over the store's own policy sets (Store::PolicySetFor),
// with the principal- and resource-derived context keys and no request keys: a grant that needs
// a source address or a time is not counted as "can pull", so the check stays quiet rather than
// guess.
#include <algorithm>
#include <array>
#include <iterator>

#include "policy_engine/json/json.h"
#include "policy_engine/lint/lint.h"
#include "policy_engine/store/store.h"

namespace policy_engine::lint {
namespace {

constexpr CheckInfo kInventoryCodes[] = {
    {"ECR_MISSING_AUTH_TOKEN", Severity::kWarning, "R192, R159",
     "a principal may pull or push a repository but no identity policy grants "
     "`ecr:GetAuthorizationToken`"},
};

bool Allowed(const store::Store& store, const std::string& principal, const char* action,
             const std::string& resource, model::Context context = {}) {
  auto request = store.MakeRequest(principal, action, resource, std::move(context));
  if (!request) return false;
  store.CompleteContext(*request);
  return store.EvaluateReference(*request).decision == model::Decision::kAllow;
}

Finding At(std::string_view text, const std::string& pointer, const json::Node* node) {
  Finding f;
  f.location.pointer = pointer;
  if (node != nullptr) {
    f.location.offset = node->begin;
    json::FillLineColumn(text, f.location);
    SourceLocation end;
    end.offset = node->end;
    json::FillLineColumn(text, end);
    f.end_offset = node->end;
    f.end_line = end.line;
    f.end_column = end.column;
  }
  return f;
}

}  // namespace

std::vector<CheckInfo> InventoryCodes() {
  return std::vector<CheckInfo>(std::begin(kInventoryCodes), std::end(kInventoryCodes));
}

std::vector<Finding> LintInventory(std::string_view store_text, const LintOptions& options) {
  std::vector<Finding> out;
  auto store = store::Store::Load(store_text);
  if (!store) {  // the store's own located error (docs/store-format.md §1.9)
    Finding f;
    f.code = store.error().code();
    f.severity = Severity::kError;
    f.message = store.error().message();
    f.location = store.error().location();
    out.push_back(std::move(f));
    return out;
  }
  auto doc = json::Parse(store_text);  // loads, so it parses: only for locations
  const json::Node* principals = doc ? doc->Find("principals") : nullptr;
  static constexpr std::array<const char*, 2> kUse = {"ecr:BatchGetImage", "ecr:PutImage"};
  for (size_t i = 0; principals != nullptr && i < principals->items.size(); ++i) {
    const json::Node* arn_node = principals->items[i].Find("arn");
    if (arn_node == nullptr || !arn_node->is_string()) continue;
    const std::string& arn = arn_node->text;
    std::string used, region;
    for (const auto& [repo_arn, repo] : store->repositories()) {
      for (const char* action : kUse) {
        if (Allowed(*store, arn, action, repo_arn)) {
          used = "`" + std::string(action) + "` on `" + repo_arn + "`";
          region = repo.region;
          break;
        }
      }
      if (!used.empty()) break;
    }
    if (used.empty()) continue;
    // The login goes to that repository's regional endpoint: aws:RequestedRegion is its region
    // (a wildcard-only request names no resource to derive it from, R146).
    model::Context login;
    login.SetSingle("aws:RequestedRegion", region);
    if (Allowed(*store, arn, "ecr:GetAuthorizationToken", "*", std::move(login))) continue;
    Finding f = At(store_text, "/principals/" + std::to_string(i) + "/arn", arn_node);
    f.code = "ECR_MISSING_AUTH_TOKEN";
    f.severity = Severity::kWarning;
    f.message = "`" + arn + "` may " + used +
                " but no identity policy grants `ecr:GetAuthorizationToken`, so it cannot log "
                "in to the registry (R159, R192)";
    f.hint = "grant `ecr:GetAuthorizationToken` on `\"*\"` in an identity policy of the principal";
    out.push_back(std::move(f));
  }
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const Finding& f) {
                             return std::find(options.ignore.begin(), options.ignore.end(),
                                              f.code) != options.ignore.end();
                           }),
            out.end());
  return out;
}

}  // namespace policy_engine::lint
