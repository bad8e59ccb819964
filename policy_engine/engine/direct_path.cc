// DirectTables (direct_path.h): built once per snapshot from the store's own resolution code, so
// the direct path cannot drift from the general one; per request only lookups and the compiled
// evaluation remain.
#include "policy_engine/engine/direct_path.h"

#include <algorithm>
#include <array>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/match/match.h"

namespace policy_engine::engine {

namespace {

// Any wildcard-only catalog action: resolving a principal with resource `*` computes only its
// principal side.
constexpr std::string_view kResolveAction = "ecr:GetAuthorizationToken";
// Resolves role sessions once per role (a valid IAM session name).
constexpr std::string_view kPlaceholderSession = "portcullis-direct";
// Its tags are left out of the context (R129): not covered, the general path decides.
constexpr std::string_view kCreateRepository = "ecr:CreateRepository";

}  // namespace

bool DirectTables::Collect(const model::Context& context, const compile::DecisionProgram& program,
                           std::vector<Derived>& out) {
  for (const auto& [lower, spellings] : context.entries()) {
    compile::KeyId id = program.FindKey(lower);
    if (id == compile::kNoKey || spellings.empty()) continue;
    if (spellings.size() > 1) return false;  // R63: the general path flags it for the reference
    out.push_back({id, spellings.begin()->second});
  }
  return true;
}

DirectTables::DirectTables(const store::Store& store, const compile::DecisionProgram& program) {
  for (const catalog::ActionInfo& a : catalog::Actions()) {
    actions_.emplace(a.full_name(),
                     ActionEntry{a.wildcard_only, program.FindAction(a.full_name())});
  }
  auto add_principal = [&](const std::string& name) {
    auto request = store.MakeRequest(name, kResolveAction, "*", {});
    if (!request) return;  // the general path reports it
    PrincipalEntry entry;
    entry.principal = request->request.principal;
    entry.covered = Collect(store.PrincipalKeys(*request), program, entry.keys);
    entry.blocks = program.FindPrincipalBlocks(entry.principal);
    principals_.emplace(name, std::move(entry));
  };
  for (const auto& [arn, entity] : store.entities()) {
    add_principal(arn);
    if (entity.kind != model::PrincipalKind::kRole) continue;
    auto request =
        store.MakeRequest("arn:" + entity.partition + ":sts::" + entity.account + ":assumed-role/" +
                              entity.name + "/" + std::string(kPlaceholderSession),
                          kResolveAction, "*", {});
    if (!request) continue;
    SessionEntry entry;
    entry.principal = request->request.principal;
    entry.blocks = program.FindPrincipalBlocks(entry.principal);
    model::Context keys = store.PrincipalKeys(*request);
    entry.covered = Collect(keys, program, entry.keys);
    // aws:userid is the one derived key that names the session: built per request.
    entry.userid = program.FindKey("aws:userid");
    std::erase_if(entry.keys, [&](const Derived& d) { return d.id == entry.userid; });
    entry.userid_prefix = entity.unique_id + ":";
    if (const model::ContextValue* userid = keys.Find("aws:userid");
        userid == nullptr || userid->values.size() != 1 ||
        userid->values[0] != entry.userid_prefix + std::string(kPlaceholderSession)) {
      entry.covered = false;  // not the shape assumed above: the general path decides
    }
    sessions_.emplace(
        entity.partition + ":" + entity.account + ":" + match::AsciiLower(entity.name),
        std::move(entry));
  }
  for (const auto& [id, account] : store.accounts()) add_principal("arn:aws:iam::" + id + ":root");
  add_principal("anonymous");
  for (const auto& [arn, repository] : store.repositories()) {
    auto parts = match::SplitArn(arn);
    if (!parts) continue;
    RepositoryEntry entry;
    entry.account = std::string((*parts)[4]);
    entry.blocks = program.FindResourceBlocks("ecr:BatchGetImage", arn);
    // Any action but CreateRepository: the resource's keys do not depend on which.
    entry.covered = Collect(store.ResourceKeys("ecr:BatchGetImage", arn), program, entry.keys);
    auto [it, inserted] = repositories_.emplace(arn, std::move(entry));
    // The blocks' account view points into `arn` (the store's, which the snapshot keeps); point
    // it at the entry's own copy instead, which lives exactly as long as the entry.
    it->second.blocks.account = it->second.account;
  }
}

namespace {

bool IsIamNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

}  // namespace

const DirectTables::SessionEntry* DirectTables::FindSession(std::string_view principal,
                                                            std::string_view* session) const {
  if (sessions_.empty() || !principal.starts_with("arn:")) return nullptr;
  auto parts = match::SplitArn(principal);
  if (!parts) return nullptr;
  auto [arn, partition, service, region, account, resource] = *parts;
  (void)arn;
  constexpr std::string_view kPrefix = "assumed-role/";
  if (service != "sts" || !region.empty() || account.size() != 12 ||
      !resource.starts_with(kPrefix)) {
    return nullptr;
  }
  std::string_view rest = resource.substr(kPrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return nullptr;
  std::string_view role = rest.substr(0, slash);
  *session = rest.substr(slash + 1);
  // Anything Store::ResolveRequest would refuse or read differently is left to it.
  if (session->size() < 2 || session->size() > 64 ||
      !std::all_of(session->begin(), session->end(), IsIamNameChar) ||
      !std::all_of(role.begin(), role.end(), IsIamNameChar) ||
      !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return nullptr;
  }
  char key[160];
  size_t n = partition.size() + account.size() + role.size() + 2;
  if (n > sizeof key) return nullptr;
  char* at = std::copy(partition.begin(), partition.end(), key);
  *at++ = ':';
  at = std::copy(account.begin(), account.end(), at);
  *at++ = ':';
  for (char c : role) *at++ = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  auto it = sessions_.find(std::string_view(key, n));
  if (it == sessions_.end() || !it->second.covered) return nullptr;
  return &it->second;
}

bool DirectTables::Decide(const compile::DecisionProgram& program, std::string_view principal,
                          std::string_view action, std::string_view resource,
                          std::span<const RequestKey> keys, model::DecisionResult& out) const {
  // The principal: a user, role, root or anonymous as resolved once, or a session of a role
  // completed per request (its ARN with the role's own spelling, its session name, aws:userid).
  const model::Principal* resolved = nullptr;
  const std::vector<Derived>* principal_keys = nullptr;
  const compile::PrincipalBlocks* principal_blocks = nullptr;
  compile::DirectKey userid;
  thread_local model::Principal session_principal;
  thread_local std::string session_userid;
  if (auto p = principals_.find(principal); p != principals_.end()) {
    if (!p->second.covered) return false;
    resolved = &p->second.principal;
    principal_keys = &p->second.keys;
    principal_blocks = &p->second.blocks;
  } else {
    std::string_view session;
    const SessionEntry* s = FindSession(principal, &session);
    if (s == nullptr) return false;
    model::Principal& sp = session_principal;
    sp = s->principal;  // reuses the thread's string capacity
    sp.arn.resize(sp.arn.size() - kPlaceholderSession.size());
    sp.arn += session;
    sp.session_name.assign(session);
    resolved = &sp;
    principal_keys = &s->keys;
    principal_blocks = &s->blocks;
    if (s->userid != compile::kNoKey) {
      session_userid.assign(s->userid_prefix);
      session_userid += session;
      userid = {s->userid, false, session_userid, nullptr, 1};
    }
  }
  auto a = actions_.find(action);
  if (a == actions_.end() || action == kCreateRepository) return false;
  const RepositoryEntry* repository = nullptr;
  if (a->second.wildcard_only) {
    if (resource != "*") return false;  // RESOURCE_TYPE_MISMATCH, from the general path
  } else {
    auto r = repositories_.find(resource);
    if (r == repositories_.end() || !r->second.covered) return false;
    repository = &r->second;
  }

  // The context: the caller's referenced keys, then the derived ones the caller did not supply
  // (R62: the caller's win). A key id twice means two spellings of one key (R63) or a repeated
  // key: the general path decides those.
  constexpr size_t kCapacity = compile::PreparedContext::kCapacity;
  std::array<compile::DirectKey, kCapacity> context;
  size_t n = 0;
  auto index_of = [&](compile::KeyId id, size_t end) {
    for (size_t i = 0; i < end; ++i) {
      if (context[i].key == id) return i;
    }
    return end;
  };
  for (const RequestKey& k : keys) {
    char buffer[128];
    std::optional<std::string_view> lower = LowerKeyName(k.name, buffer);
    if (!lower) return false;
    compile::KeyId id = program.FindKey(*lower);
    if (id == compile::kNoKey) continue;
    if (index_of(id, n) != n || n == kCapacity) return false;
    context[n++] = {id, false, k.value, nullptr, 1};
  }
  const size_t supplied = n;
  auto add_derived = [&](const std::vector<Derived>& derived) {
    for (const Derived& d : derived) {
      if (index_of(d.id, supplied) != supplied) continue;  // the caller's key wins
      if (index_of(d.id, n) != n || n == kCapacity) return false;
      const auto& values = d.value.values;
      context[n++] = {d.id, d.value.multi, values.empty() ? std::string_view() : values[0],
                      values.data(), static_cast<uint32_t>(values.size())};
    }
    return true;
  };
  if (userid.key != compile::kNoKey && index_of(userid.key, supplied) == supplied) {
    if (n == kCapacity) return false;
    context[n++] = userid;
  }
  if (!add_derived(*principal_keys)) return false;
  if (repository != nullptr && !add_derived(repository->keys)) return false;

  compile::DirectRequest request;
  request.principal = resolved;
  request.action = action;
  request.resource = resource;
  request.resource_account = repository != nullptr ? repository->account : std::string_view();
  request.keys = context.data();
  request.key_count = n;
  request.hints.principal = principal_blocks;
  request.hints.resource = repository != nullptr ? &repository->blocks : nullptr;
  request.hints.action_id = a->second.id;
  compile::PreparedRequest bound;
  program.PrepareDirect(request, bound);
  if (bound.needs_reference) return false;
  compile::Verdict verdict;
  program.Evaluate(bound, verdict);
  if (verdict.needs_reference) return false;
  out = program.Explain(verdict);
  return true;
}

}  // namespace policy_engine::engine
