// This file's external interface is DecisionProgram: Compile, Prepare, Evaluate, Explain and the
// incremental updates. The decision procedure in Evaluate mirrors EvaluateReference step by step;
// read both side by side (docs/policy-semantics.md §5.3).
#include "policy_engine/compile/program.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/match/match.h"

namespace policy_engine::compile {

using model::Decision;
using model::Effect;
using model::PolicySetRole;
using model::PrincipalKind;
using model::PrincipalStrength;
using model::Reason;

// Builds programs. Keeps the per-build caches (compiled policies by identity, action sets by
// pattern list) that let shared policies and repeated action lists be compiled once.
class Compiler {
 public:
  // `tables` is where a full build writes; an incremental update passes the program's shared
  // tables and writes only to its overlay.
  Compiler(DecisionProgram& program, const store::Store& store,
           const DecisionProgram::Tables& tables, DecisionProgram::Tables* writable)
      : p_(program), t_(tables), tw_(writable), store_(store) {}

  void BuildActionUniverse() {
    auto add = [&](std::string_view action) {
      std::string lower = match::AsciiLower(action);
      if (tw_->action_ids.find(lower) != tw_->action_ids.end()) return;
      tw_->action_ids.emplace(lower, static_cast<ActionId>(tw_->actions.size()));
      tw_->actions.push_back(std::move(lower));
    };
    for (const catalog::ActionInfo& a : catalog::Actions()) add(a.full_name());
    auto literal_actions = [&](const model::Policy* policy) {
      if (policy == nullptr) return;
      for (const model::Statement& st : policy->statements) {
        for (const model::PatternValue& a : st.actions) {
          if (a.raw != "*" && a.raw.find_first_of("*?") == std::string::npos) add(a.raw);
        }
      }
    };
    ForEachPolicy([&](const model::Policy* policy) { literal_actions(policy); });
  }

  template <typename F>
  void ForEachPolicy(F f) {
    for (const auto& [arn, m] : store_.managed_policies()) {
      f(m.policy.get());
      f(m.boundary.get());
    }
    for (const auto& [key, g] : store_.groups()) {
      for (const auto& r : g.inline_policies) f(r.policy.get());
    }
    for (const auto& [arn, e] : store_.entities()) {
      for (const auto& r : e.inline_policies) f(r.policy.get());
    }
    for (const auto& [id, a] : store_.accounts()) {
      for (const auto& level : a.scp_levels) {
        for (const auto& r : level) f(r.policy.get());
      }
      for (const auto& level : a.rcp_levels) {
        for (const auto& r : level) f(r.policy.get());
      }
    }
    for (const auto& [arn, r] : store_.repositories()) {
      if (r.policy) f(r.policy->policy.get());
    }
    for (const store::Registry& r : store_.registries()) f(r.policy.policy.get());
  }

  std::shared_ptr<const CompiledPolicy> Compiled(const eval::PolicyRef& ref) {
    auto it = compiled_.find(ref.policy.get());
    if (it != compiled_.end()) return it->second;
    auto c = CompilePolicy(ref.name, *ref.policy, p_.keys_);
    compiled_.emplace(ref.policy.get(), c);
    return c;
  }

  // The action ids a statement matches, as a sorted list (cached by pattern list).
  const std::vector<ActionId>& ActionsOf(const CompiledStatement& s) {
    std::string key = s.not_action ? "!" : "";
    for (const std::string& a : s.actions) {
      key += a;
      key += '\n';
    }
    auto it = action_sets_.find(key);
    if (it != action_sets_.end()) return it->second;
    std::vector<ActionId> ids;
    for (ActionId id = 0; id < t_.actions.size(); ++id) {
      if (ActionMatches(s, t_.actions[id])) ids.push_back(id);
    }
    return action_sets_.emplace(std::move(key), std::move(ids)).first->second;
  }

  IndexedSet Index(const std::vector<eval::PolicyRef>& refs) {
    IndexedSet set;
    std::set<const model::Policy*> seen;
    for (const eval::PolicyRef& ref : refs) {
      if (!ref.policy || !seen.insert(ref.policy.get()).second) continue;
      set.policies.push_back(Compiled(ref));
    }
    for (const auto& policy : set.policies) {
      for (const CompiledStatement& st : policy->statements) set.all.push_back({&st, policy.get()});
    }
    std::map<ActionId, std::vector<StmtRef>> groups;
    for (const StmtRef& ref : set.all) {
      for (ActionId id : ActionsOf(*ref.statement)) groups[id].push_back(ref);
    }
    set.action_bits.assign((t_.actions.size() + 63) / 64, 0);
    for (auto& [id, refs_for_action] : groups) {
      set.action_bits[id >> 6] |= uint64_t{1} << (id & 63);
      set.group_action.push_back(id);
      set.group_begin.push_back(static_cast<uint32_t>(set.by_action.size()));
      set.by_action.insert(set.by_action.end(), refs_for_action.begin(), refs_for_action.end());
    }
    set.group_begin.push_back(static_cast<uint32_t>(set.by_action.size()));
    uint32_t rank = 0;
    for (uint64_t word : set.action_bits) {
      set.rank_base.push_back(rank);
      rank += PopCount(word);
    }
    return set;
  }

  std::shared_ptr<const EntityBlock> Entity(const store::Entity& e) {
    auto block = std::make_shared<EntityBlock>();
    block->arn = e.arn;
    block->account = e.account;
    // Same gathering as store::Store::PolicySetFor (R107).
    std::vector<eval::PolicyRef> identity = e.inline_policies;
    std::set<std::string> attached;
    auto add_managed = [&](const std::vector<std::string>& arns) {
      for (const std::string& arn : arns) {
        if (attached.insert(arn).second) {
          identity.push_back({arn, store_.managed_policies().at(arn).policy});
        }
      }
    };
    add_managed(e.managed_policy_arns);
    for (const std::string& name : e.groups) {
      const store::Group& g = store_.groups().at(e.account + "/" + name);
      identity.insert(identity.end(), g.inline_policies.begin(), g.inline_policies.end());
      add_managed(g.managed_policy_arns);
    }
    block->identity = Index(identity);
    if (e.boundary_arn) {
      block->has_boundary = true;
      block->boundary =
          Index({{*e.boundary_arn, store_.managed_policies().at(*e.boundary_arn).boundary}});
    }
    return block;
  }

  std::shared_ptr<const AccountBlock> Account(const store::Account& a) {
    auto block = std::make_shared<AccountBlock>();
    block->id = a.id;
    if (!a.management) {
      for (const auto& level : a.scp_levels) block->scp_levels.push_back(Index(level));
      for (const auto& level : a.rcp_levels) block->rcp_levels.push_back(Index(level));
    }
    return block;
  }

  const store::Registry* RegistryFor(std::string_view account, std::string_view region) {
    for (const store::Registry& r : store_.registries()) {
      if (r.account == account && r.region == region) return &r;
    }
    return nullptr;
  }

  std::shared_ptr<const RepositoryBlock> Repository(const store::Repository& r) {
    auto block = std::make_shared<RepositoryBlock>();
    block->arn = r.arn;
    std::vector<eval::PolicyRef> refs;
    if (r.policy) refs.push_back(*r.policy);
    std::vector<eval::PolicyRef> registry;
    if (const store::Registry* reg = RegistryFor(r.account, r.region)) {
      refs.push_back(reg->policy);
      registry.push_back(reg->policy);
    }
    block->resource = Index(refs);
    block->registry_only = Index(registry);
    return block;
  }

  std::shared_ptr<const RepositoryBlock> RegistryBlock(const store::Registry& r) {
    auto block = std::make_shared<RepositoryBlock>();
    block->arn = r.account + ":" + r.region;
    block->resource = Index({r.policy});
    block->registry_only = block->resource;
    return block;
  }

  void Build() {
    BuildActionUniverse();
    for (const auto& [id, a] : store_.accounts()) tw_->accounts.emplace(id, Account(a));
    for (const auto& [arn, e] : store_.entities()) tw_->entities.emplace(arn, Entity(e));
    for (const auto& [arn, r] : store_.repositories()) {
      tw_->repositories.emplace(arn, Repository(r));
    }
    for (const store::Registry& r : store_.registries()) {
      tw_->registries.emplace(r.account + ":" + r.region, RegistryBlock(r));
    }
  }

  void ComputeStats() {
    DecisionProgram::Stats& s = p_.stats_;
    std::set<const CompiledPolicy*> policies;
    size_t index_entries = 0;
    auto visit = [&](const IndexedSet& set) {
      for (const auto& pol : set.policies) policies.insert(pol.get());
      index_entries += set.by_action.size() + set.all.size();
    };
    for (const auto& [k, e] : t_.entities) {
      visit(e->identity);
      visit(e->boundary);
    }
    for (const auto& [k, r] : t_.repositories) {
      visit(r->resource);
      visit(r->registry_only);
    }
    for (const auto& [k, r] : t_.registries) visit(r->resource);
    for (const auto& [k, a] : t_.accounts) {
      for (const auto& l : a->scp_levels) visit(l);
      for (const auto& l : a->rcp_levels) visit(l);
    }
    s.policies = policies.size();
    s.statements = 0;
    size_t bytes = 0;
    for (const CompiledPolicy* pol : policies) {
      s.statements += pol->statements.size();
      for (const CompiledStatement& st : pol->statements) {
        bytes += sizeof(CompiledStatement) + st.resources.size() * sizeof(CompiledResource) +
                 st.conditions.size() * sizeof(CompiledClause) +
                 st.principal.values.size() * sizeof(CompiledPrincipalValue);
        for (const std::string& a : st.actions) bytes += a.capacity();
        for (const CompiledResource& r : st.resources) bytes += r.text.capacity();
        for (const CompiledClause& c : st.conditions) {
          bytes += c.values.size() * sizeof(CompiledClause::Value);
        }
      }
    }
    s.index_entries = index_entries;
    s.entities = t_.entities.size();
    s.repositories = t_.repositories.size();
    s.accounts = t_.accounts.size();
    s.actions = t_.actions.size();
    s.keys = p_.keys_.size();
    bytes += index_entries * sizeof(StmtRef);
    s.approximate_bytes = bytes;
  }

 private:
  DecisionProgram& p_;
  const DecisionProgram::Tables& t_;  // read: the action universe and blocks
  DecisionProgram::Tables* tw_;       // written by Build; null for incremental updates
  const store::Store& store_;
  std::map<const model::Policy*, std::shared_ptr<const CompiledPolicy>> compiled_;
  std::unordered_map<std::string, std::vector<ActionId>> action_sets_;
};

Result<std::shared_ptr<const DecisionProgram>> DecisionProgram::Compile(const store::Store& store,
                                                                        const Options& options) {
  auto program = std::make_shared<DecisionProgram>();
  program->options_ = options;
  auto tables = std::make_shared<Tables>();
  Compiler compiler(*program, store, *tables, tables.get());
  compiler.Build();
  compiler.ComputeStats();
  program->tables_ = std::move(tables);
  program->overlay_ = std::make_shared<const RepositoryMap>();
  program->entity_overlay_ = std::make_shared<const EntityMap>();
  return std::shared_ptr<const DecisionProgram>(std::move(program));
}

ActionId DecisionProgram::FindAction(std::string_view action) const {
  // Lower-case into a stack buffer: action names are short (R35).
  char buffer[256] = {};  // zeroed only to quiet GCC's -Wmaybe-uninitialized at -O3
  if (action.empty() || action.size() > sizeof buffer) return kUnknownAction;
  for (size_t i = 0; i < action.size(); ++i) {
    char c = action[i];
    buffer[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto it = tables_->action_ids.find(std::string_view(buffer, action.size()));
  return it == tables_->action_ids.end() ? kUnknownAction : it->second;
}

const EntityBlock* DecisionProgram::FindEntity(std::string_view arn) const {
  auto o = entity_overlay_->find(arn);
  if (o != entity_overlay_->end()) return o->second.get();
  auto it = tables_->entities.find(arn);
  return it == tables_->entities.end() ? nullptr : it->second.get();
}

const RepositoryBlock* DecisionProgram::FindRepository(std::string_view arn) const {
  auto o = overlay_->find(arn);
  if (o != overlay_->end()) return o->second.get();
  auto it = tables_->repositories.find(arn);
  return it == tables_->repositories.end() ? nullptr : it->second.get();
}

namespace {

bool IsCreateRepository(std::string_view action) {
  return match::AsciiEqualsIgnoreCase(action, "ecr:CreateRepository");
}

// Fills one context slot and parses the typed forms the program compares its key in, once per
// request.
void FillSlot(KeyId id, bool multi, std::string_view single, const std::string* values,
              uint32_t count, const KeyTable& keys, PreparedContext& ctx) {
  ContextSlot& slot = ctx.slots[ctx.size++];
  slot.key = id;
  slot.multi = multi;
  slot.values = values;
  slot.count = count;
  slot.parsed = 0;
  if (multi || count != 1) return;
  slot.single = ctx.Keep(single);
  uint8_t uses = keys.uses(id);
  if (uses & kUsedAsIp) {
    auto ip = match::ParseIpAddress(slot.single);
    slot.ip_ok = ip.has_value();
    if (ip) slot.ip = *ip;
  }
  if (uses & kUsedAsDate) {
    auto d = match::ParseDateMillis(slot.single);
    slot.date_ok = d.has_value();
    if (d) slot.millis = *d;
  }
  if ((uses & kUsedAsArn) && ctx.arn_count < PreparedContext::kArns) {
    slot.arn_index = static_cast<uint8_t>(ctx.arn_count);
    ctx.arns[ctx.arn_count++] = ArnView::Of(slot.single);
  } else {
    uses &= static_cast<uint8_t>(~kUsedAsArn);
  }
  slot.parsed = uses;
}

// Adds the request context to `out`, keeping only keys the program references. Flags the
// request for the reference evaluator when a key appears in two spellings (R63) or the context
// holds more referenced keys than PreparedContext can.
void PrepareContext(const model::Context& context, const KeyTable& keys, PreparedRequest& out) {
  out.context.size = 0;
  out.context.arn_count = 0;
  for (const auto& [lower, spellings] : context.entries()) {
    KeyId id = keys.Find(lower);
    if (id == kNoKey || spellings.empty()) continue;
    if (spellings.size() > 1 || out.context.size == PreparedContext::kCapacity) {
      out.needs_reference = true;
      return;
    }
    const model::ContextValue& v = spellings.begin()->second;
    std::string_view single = v.values.empty() ? std::string_view() : v.values[0];
    FillSlot(id, v.multi, single, v.values.data(), static_cast<uint32_t>(v.values.size()), keys,
             out.context);
  }
}

}  // namespace

void DecisionProgram::Prepare(const store::StoreRequest& request, PreparedRequest& out) const {
  const model::Request& req = request.request;
  BindParts(req.principal, req.action, req.resource, req.resource_account, Hints{}, out);
  // Session policies arrive per request and are not compiled into the program.
  if (request.session_policies) out.needs_reference = true;
  PrepareContext(req.context, keys_, out);
}

void DecisionProgram::PrepareDirect(const DirectRequest& request, PreparedRequest& out) const {
  BindParts(*request.principal, request.action, request.resource, request.resource_account,
            request.hints, out);
  out.context.size = 0;
  out.context.arn_count = 0;
  for (size_t i = 0; i < request.key_count; ++i) {
    const DirectKey& k = request.keys[i];
    if (out.context.size == PreparedContext::kCapacity) {
      out.needs_reference = true;
      return;
    }
    FillSlot(k.key, k.multi, k.single, k.values, k.count, keys_, out.context);
  }
}

DecisionProgram::PrincipalBlocks DecisionProgram::FindPrincipalBlocks(
    const model::Principal& p) const {
  // R107: identity, boundary, SCP levels.
  PrincipalBlocks blocks;
  const EntityBlock* entity = nullptr;
  if (p.kind == PrincipalKind::kUser) {
    entity = FindEntity(p.arn);
  } else if (p.kind == PrincipalKind::kAssumedRole || p.kind == PrincipalKind::kRole) {
    entity = FindEntity(p.role_arn);
  }
  if (entity != nullptr) {
    blocks.identity = &entity->identity;
    if (entity->has_boundary) blocks.boundary = &entity->boundary;
  }
  bool has_account = p.kind != PrincipalKind::kService && p.kind != PrincipalKind::kAnonymous;
  if (has_account) {
    auto it = tables_->accounts.find(std::string_view(p.account));
    if (it != tables_->accounts.end()) blocks.scp_levels = &it->second->scp_levels;
  }
  return blocks;
}

DecisionProgram::ResourceBlocks DecisionProgram::FindResourceBlocks(
    std::string_view action, std::string_view resource) const {
  // RCP levels and RP (R117, R128–R130).
  ResourceBlocks blocks;
  if (resource == "*") return blocks;
  auto parts = match::SplitArn(resource);
  if (!parts) return blocks;
  blocks.account = (*parts)[4];
  auto acct = tables_->accounts.find(blocks.account);
  if (acct != tables_->accounts.end()) blocks.rcp_levels = &acct->second->rcp_levels;
  bool repository_arn = (*parts)[2] == "ecr" && (*parts)[5].starts_with("repository/");
  if (!repository_arn) return blocks;
  const RepositoryBlock* repo = FindRepository(resource);
  if (repo != nullptr) {
    blocks.resource_set = IsCreateRepository(action) ? &repo->registry_only : &repo->resource;
    return blocks;
  }
  // An unknown repository has no policy; its registry's policy still applies (R130).
  char key[128];
  std::string_view acct_id = (*parts)[4], region = (*parts)[3];
  if (acct_id.size() + region.size() + 1 <= sizeof key) {
    std::copy(acct_id.begin(), acct_id.end(), key);
    key[acct_id.size()] = ':';
    std::copy(region.begin(), region.end(), key + acct_id.size() + 1);
    auto reg = tables_->registries.find(std::string_view(key, acct_id.size() + region.size() + 1));
    if (reg != tables_->registries.end()) blocks.resource_set = &reg->second->resource;
  }
  return blocks;
}

void DecisionProgram::BindParts(const model::Principal& p, std::string_view action,
                                std::string_view resource, std::string_view resource_account_given,
                                const Hints& hints, PreparedRequest& out) const {
  // Reset field by field: the context's slot array and arena are overwritten as they are used,
  // so a reused PreparedRequest costs nothing to clear.
  out.context.arena_used = 0;
  out.context.size = 0;
  PreparedContext& arena = out.context;
  out.principal.kind = p.kind;
  out.principal.arn = arena.Keep(p.arn);
  out.principal.partition = arena.Keep(p.partition);
  out.principal.account = arena.Keep(p.account);
  out.principal.role_name = arena.Keep(p.role_name);
  out.principal.session_name = arena.Keep(p.session_name);
  out.principal.parent_user_arn = arena.Keep(p.parent_user_arn);
  out.principal.unique_id = arena.Keep(p.unique_id);
  out.action = action;
  out.resource = arena.Keep(resource);
  out.resource_arn = ArnView::Of(out.resource);
  out.needs_reference = false;
  out.action_id = hints.action_id != kUnknownAction ? hints.action_id : FindAction(action);
  out.wildcard_only = resource == "*";

  const PrincipalBlocks principal =
      hints.principal != nullptr ? *hints.principal : FindPrincipalBlocks(p);
  out.identity = principal.identity;
  out.boundary = principal.boundary;
  out.scp_levels = principal.scp_levels;
  const ResourceBlocks resource_blocks =
      hints.resource != nullptr ? *hints.resource : FindResourceBlocks(action, resource);
  out.rcp_levels = resource_blocks.rcp_levels;
  out.resource_set = resource_blocks.resource_set;
  std::string_view resource_account =
      resource_account_given.empty() ? resource_blocks.account : resource_account_given;
  out.same_account = out.wildcard_only || p.account == resource_account;
}

namespace {

// Collects applicable statements of one set into caller-provided fixed storage.
struct Collector {
  const PreparedRequest& req;
  bool use_index;
  bool has_boundary;
  bool overflow = false;

  template <typename F>
  void ForCandidates(const IndexedSet& set, F f) const {
    if (use_index && req.action_id != kUnknownAction) {
      uint32_t begin, end;
      if (!set.Group(req.action_id, &begin, &end)) return;
      for (uint32_t i = begin; i < end; ++i) f(set.by_action[i]);
      return;
    }
    for (const StmtRef& ref : set.all) {
      if (ActionMatches(*ref.statement, req.action)) f(ref);
    }
  }

  // Calls f(ref, strength) for every applicable statement (R108).
  template <typename F>
  void Applicable(const IndexedSet& set, F f) {
    ForCandidates(set, [&](const StmtRef& ref) {
      const CompiledStatement& st = *ref.statement;
      PrincipalStrength strength = PrincipalStrength::kNone;
      if (st.principal.present) {
        strength = PrincipalMatches(st, req.principal, has_boundary);
        if (strength == PrincipalStrength::kNone) return;
      }
      if (!ResourceMatches(st, req.resource, req.resource_arn, req.context, &overflow)) return;
      if (!ConditionsHold(st, req.context, &overflow)) return;
      f(ref, strength);
    });
  }
};

void Add(Verdict& v, const StmtRef& ref, PolicySetRole role, PrincipalStrength strength) {
  if (v.matched_count < Verdict::kMaxMatched) {
    v.matched[v.matched_count++] = {ref, role, strength};
  }
  ++v.matched_total;
}

}  // namespace

void DecisionProgram::Evaluate(const PreparedRequest& req, Verdict& v) const {
  v.decision = Decision::kImplicitDeny;
  v.reason = Reason::kNoIdentityAllow;
  v.level = 0;
  v.needs_reference = false;
  v.matched_count = v.matched_total = 0;
  if (req.needs_reference) {
    v.needs_reference = true;
    return;
  }
  const PreparedPrincipal& p = req.principal;
  auto implicit = [&](Reason reason, uint32_t level = 0) {
    v.decision = Decision::kImplicitDeny;
    v.reason = reason;
    v.level = level;
    v.matched_count = v.matched_total = 0;
  };
  if (p.kind == PrincipalKind::kAnonymous) return implicit(Reason::kAnonymous);  // R109
  bool service = p.kind == PrincipalKind::kService;
  bool root = p.kind == PrincipalKind::kRoot;
  Collector c{req, options_.use_index, req.boundary != nullptr};
  const IndexedSet* identity = service ? nullptr : req.identity;
  const IndexedSet* boundary = service ? nullptr : req.boundary;
  const IndexedSet* resource = req.wildcard_only ? nullptr : req.resource_set;

  // One pass over every set: denies go straight into the verdict (R110); applicable allows of
  // the identity, boundary and resource sets are remembered so the decisive ones can be listed
  // without evaluating anything twice.
  struct Hit {
    StmtRef ref;
    PolicySetRole role;
    PrincipalStrength strength;
  };
  constexpr size_t kMaxHits = 64;
  std::array<Hit, kMaxHits> hits;
  size_t hit_count = 0;
  bool hits_spilled = false;
  bool id_allow = false, pb_allow = false, rp_direct = false, rp_role = false, rp_any = false;
  auto scan = [&](const IndexedSet* set, PolicySetRole role, bool remember, bool* allow_seen) {
    if (set == nullptr) return;
    c.Applicable(*set, [&](const StmtRef& ref, PrincipalStrength strength) {
      if (ref.statement->effect == Effect::kDeny) {
        Add(v, ref, role, strength);
        return;
      }
      if (allow_seen) *allow_seen = true;
      if (role == PolicySetRole::kResource) {
        rp_any = true;
        rp_direct |= strength == PrincipalStrength::kDirect;
        rp_role |= strength == PrincipalStrength::kRole;
      }
      if (!remember) return;
      if (hit_count < kMaxHits) {
        hits[hit_count++] = {ref, role, strength};
      } else {
        hits_spilled = true;
      }
    });
  };
  scan(identity, PolicySetRole::kIdentity, true, &id_allow);
  scan(boundary, PolicySetRole::kBoundary, true, &pb_allow);
  scan(resource, PolicySetRole::kResource, true, nullptr);
  // SCP levels (not for service principals, R107) and RCP levels.
  uint32_t failing_scp_level = kNone;
  if (!service && req.scp_levels != nullptr) {
    for (uint32_t i = 0; i < req.scp_levels->size(); ++i) {
      bool allowed = false;
      scan(&(*req.scp_levels)[i], PolicySetRole::kScp, false, &allowed);
      if (!allowed && failing_scp_level == kNone) failing_scp_level = i;
    }
  }
  if (req.rcp_levels != nullptr) {
    for (const IndexedSet& level : *req.rcp_levels)
      scan(&level, PolicySetRole::kRcp, false, nullptr);
  }
  if (c.overflow) {
    v.needs_reference = true;
    return;
  }
  if (v.matched_total > 0) {
    v.decision = Decision::kExplicitDeny;
    v.reason = Reason::kExplicitDeny;
    return;
  }
  if (failing_scp_level != kNone) return implicit(Reason::kScpGate, failing_scp_level);  // R112

  // The decisive allows, in the reference evaluator's order.
  auto collect_allows = [&](const IndexedSet* set, PolicySetRole role, auto keep) {
    if (set == nullptr) return;
    if (!hits_spilled) {
      for (size_t i = 0; i < hit_count; ++i) {
        if (hits[i].role == role && keep(hits[i].strength)) {
          Add(v, hits[i].ref, role, hits[i].strength);
        }
      }
      return;
    }
    c.Applicable(*set, [&](const StmtRef& ref, PrincipalStrength strength) {
      if (ref.statement->effect == Effect::kAllow && keep(strength)) Add(v, ref, role, strength);
    });
  };
  auto all = [](PrincipalStrength) { return true; };
  auto allow = [&](Reason reason) {
    v.decision = Decision::kAllow;
    v.reason = reason;
  };
  if (service) {  // R114
    if (!rp_any) return implicit(Reason::kServiceNotAllowed);
    collect_allows(resource, PolicySetRole::kResource, all);
    return allow(Reason::kServiceAllowed);
  }
  bool pb_ok = boundary == nullptr || pb_allow;
  bool sp_ok = true;  // session policies take the reference path
  bool id_ok = root || id_allow;
  if (p.kind == PrincipalKind::kFederatedUser) id_ok = false;  // no session policy (R115.2)
  bool identity_path = id_ok && pb_ok && sp_ok;
  auto identity_matched = [&] {
    collect_allows(identity, PolicySetRole::kIdentity, all);
    collect_allows(boundary, PolicySetRole::kBoundary, all);
  };
  if (req.same_account) {
    if (rp_direct) {  // R115.1
      collect_allows(resource, PolicySetRole::kResource,
                     [](PrincipalStrength s) { return s == PrincipalStrength::kDirect; });
      return allow(Reason::kResourceDirect);
    }
    if (rp_role && pb_ok && sp_ok) {
      collect_allows(resource, PolicySetRole::kResource,
                     [](PrincipalStrength s) { return s == PrincipalStrength::kRole; });
      collect_allows(boundary, PolicySetRole::kBoundary, all);
      return allow(Reason::kResourceRole);
    }
    if (identity_path) {  // R115.2, R118
      identity_matched();
      return allow(root ? Reason::kRootOwnAccount : Reason::kIdentityAllows);
    }
    if (!pb_ok) return implicit(Reason::kBoundaryDenies);
    return implicit(Reason::kNoIdentityAllow);
  }
  // R116.
  if (!rp_any) return implicit(Reason::kCrossNoResource);
  if (!identity_path) {
    if (!pb_ok) return implicit(Reason::kBoundaryDenies);
    return implicit(Reason::kCrossNoIdentity);
  }
  collect_allows(resource, PolicySetRole::kResource, all);
  identity_matched();
  return allow(Reason::kCrossBoth);
}

model::DecisionResult DecisionProgram::Explain(const Verdict& verdict) const {
  model::DecisionResult r;
  r.decision = verdict.decision;
  r.reason_code = verdict.reason;
  for (uint32_t i = 0; i < verdict.matched_count; ++i) {
    const Verdict::Match& m = verdict.matched[i];
    model::MatchedStatement s;
    s.policy = m.ref.policy->name;
    s.role = m.role;
    s.statement = m.ref.statement->index;
    s.sid = m.ref.statement->sid;
    s.effect = m.ref.statement->effect;
    s.strength = m.strength;
    r.matched.push_back(std::move(s));
  }
  PolicySetRole deny_role =
      verdict.matched_count > 0 ? verdict.matched[0].role : PolicySetRole::kIdentity;
  r.reason = model::ReasonText(verdict.reason, deny_role, verdict.level);
  if (verdict.matched_total > verdict.matched_count) {
    r.notes.push_back(std::to_string(verdict.matched_total - verdict.matched_count) +
                      " further decisive statements not listed");
  }
  return r;
}

Result<std::shared_ptr<const DecisionProgram>> DecisionProgram::WithRepositoryPolicy(
    const store::Repository& repository, const store::Store& store) const {
  auto next = std::make_shared<DecisionProgram>(*this);  // shares every block
  // The compiler only reads the shared tables here (the action universe) and interns any new
  // keys into the copied key table.
  Compiler compiler(*next, store, *tables_, nullptr);
  auto block = compiler.Repository(repository);
  if (overlay_->size() < kMaxOverlay) {
    auto overlay = std::make_shared<RepositoryMap>(*overlay_);
    (*overlay)[repository.arn] = std::move(block);
    next->overlay_ = std::move(overlay);
  } else {
    // Fold the overlay into fresh tables: O(repositories) once every kMaxOverlay updates.
    auto tables = std::make_shared<Tables>(*tables_);
    for (const auto& [arn, b] : *overlay_) tables->repositories[arn] = b;
    tables->repositories[repository.arn] = std::move(block);
    next->tables_ = std::move(tables);
    next->overlay_ = std::make_shared<const RepositoryMap>();
  }
  if (FindRepository(repository.arn) == nullptr) ++next->stats_.repositories;
  return std::shared_ptr<const DecisionProgram>(std::move(next));
}

Result<std::shared_ptr<const DecisionProgram>> DecisionProgram::WithEntity(
    const store::Entity& entity, const store::Store& store) const {
  if (store.entities().find(entity.arn) == store.entities().end()) {
    return Status("UNKNOWN_PRINCIPAL", "`" + entity.arn + "` is not a principal of the store");
  }
  auto next = std::make_shared<DecisionProgram>(*this);
  Compiler compiler(*next, store, *tables_, nullptr);
  auto block = compiler.Entity(entity);
  if (entity_overlay_->size() < kMaxOverlay) {
    auto overlay = std::make_shared<EntityMap>(*entity_overlay_);
    (*overlay)[entity.arn] = std::move(block);
    next->entity_overlay_ = std::move(overlay);
  } else {
    auto tables = std::make_shared<Tables>(*next->tables_);
    for (const auto& [arn, b] : *entity_overlay_) tables->entities[arn] = b;
    tables->entities[entity.arn] = std::move(block);
    next->tables_ = std::move(tables);
    next->entity_overlay_ = std::make_shared<const EntityMap>();
  }
  if (FindEntity(entity.arn) == nullptr) ++next->stats_.entities;
  return std::shared_ptr<const DecisionProgram>(std::move(next));
}

std::string DecisionProgram::Dump() const {
  std::string out;
  out += "program: " + std::to_string(stats_.statements) + " statements in " +
         std::to_string(stats_.policies) + " policies; " + std::to_string(stats_.entities) +
         " principals, " + std::to_string(stats_.repositories) + " repositories, " +
         std::to_string(stats_.accounts) + " accounts; " + std::to_string(stats_.actions) +
         " actions, " + std::to_string(stats_.keys) + " context keys; " +
         std::to_string(stats_.index_entries) + " index entries; ~" +
         std::to_string(stats_.approximate_bytes) + " bytes\n";
  std::vector<std::string> keys;
  for (KeyId k = 0; k < keys_.size(); ++k) keys.push_back(keys_.name(k));
  out += "keys:";
  for (const std::string& k : keys) out += " " + k;
  out += "\n";
  auto dump_set = [&](const std::string& title, const IndexedSet& set) {
    out += "  " + title + ": " + std::to_string(set.all.size()) + " statements";
    for (ActionId id : set.group_action) out += " " + tables_->actions[id];
    out += "\n";
  };
  std::map<std::string, const EntityBlock*> entities;
  for (const auto& [arn, e] : tables_->entities) entities.emplace(arn, e.get());
  for (const auto& [arn, e] : *entity_overlay_) entities[arn] = e.get();
  for (const auto& [arn, e] : entities) {
    out += "principal " + arn + "\n";
    dump_set("identity", e->identity);
    if (e->has_boundary) dump_set("boundary", e->boundary);
  }
  std::map<std::string, const RepositoryBlock*> repos;
  for (const auto& [arn, r] : tables_->repositories) repos.emplace(arn, r.get());
  for (const auto& [arn, r] : *overlay_) repos[arn] = r.get();
  for (const auto& [arn, r] : repos) {
    out += "repository " + arn + "\n";
    dump_set("resource", r->resource);
  }
  return out;
}

}  // namespace policy_engine::compile
