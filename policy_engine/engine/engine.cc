// Engine: Store::Load + DecisionProgram::Compile into a Snapshot, and Decide over it (compiled
// path, reference evaluator when the program flags a request `needs_reference`, as
// tools/eval_command.cc RunStore does).
//
// Cost note: a decision through the facade costs several times the compiled decision, mostly
// Store::CompleteContext building the principal's and resource's keys (bench/README.md,
// BM_EngineDecide). The exact decision memo (EngineOptions) answers repeated identical requests
// (a client fetching many layers of one repository within a second) without that work.
#include "policy_engine/engine/engine.h"

#include <array>
#include <charconv>
#include <exception>
#include <functional>
#include <mutex>
#include <unordered_set>

#include "policy_engine/compile/program.h"
#include "policy_engine/engine/direct_path.h"
#include "policy_engine/engine/reader_slots.h"
#include "policy_engine/store/store.h"

namespace policy_engine::engine {

// Decide's results by their complete inputs (EngineOptions::decision_memo_slots): direct-mapped
// slots under striped mutexes; a colliding insert replaces the slot. A hit needs the identical
// key string, so hash collisions cannot answer the wrong request.
//
// Admission: a result is stored the second time its key is seen (a doorkeeper array remembers
// the hashes of recent misses). Most keys of a miss-heavy load (many clients, aws:CurrentTime in
// the key) never come back; storing each would copy its key and result for nothing and evict
// entries that do come back.
class DecisionMemo {
 public:
  explicit DecisionMemo(size_t slots) : slots_(slots), seen_(slots * 4) {}
  // True when `hash` missed recently (then Insert); otherwise remembers it and returns false.
  bool Admit(size_t hash) {
    std::atomic<size_t>& seen = seen_[hash % seen_.size()];
    if (seen.load(std::memory_order_relaxed) == hash) return true;
    seen.store(hash, std::memory_order_relaxed);
    return false;
  }
  bool Find(size_t hash, const std::string& key, model::DecisionResult& out) const {
    const Slot& slot = slots_[hash % slots_.size()];
    std::lock_guard<std::mutex> lock(mu_[hash % kStripes]);
    if (slot.hash != hash || slot.key != key) return false;
    out = slot.result;
    return true;
  }
  void Insert(size_t hash, std::string key, const model::DecisionResult& result) {
    Slot& slot = slots_[hash % slots_.size()];
    std::lock_guard<std::mutex> lock(mu_[hash % kStripes]);
    slot.hash = hash;
    slot.key = std::move(key);
    slot.result = result;
  }

 private:
  static constexpr size_t kStripes = 64;
  struct Slot {
    size_t hash = 0;
    std::string key;
    model::DecisionResult result;
  };
  mutable std::array<std::mutex, kStripes> mu_;
  std::vector<Slot> slots_;
  std::vector<std::atomic<size_t>> seen_;
};

// Which caller-supplied context keys some policy of the store could read. A decision reads a
// request key only through a condition on it or a policy variable naming it; both spell the key
// in the store's text. So the key is left out of the memo key when, case-folded, it is not a
// token of the case-folded store text (tokens: maximal runs of key characters). Conservative:
// descriptions and other strings only add tokens; a text with `\u` escapes (a key could be
// spelled escaped) or a key with other characters keeps every key.
class ReferencedKeys {
 public:
  explicit ReferencedKeys(std::string_view text) {
    all_ = text.find("\\u") != std::string_view::npos;
    if (all_) return;
    std::string token;
    for (char c : text) {
      char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (IsKeyChar(lower)) {
        token += lower;
      } else if (!token.empty()) {
        tokens_.insert(std::move(token));
        token.clear();
      }
    }
    if (!token.empty()) tokens_.insert(std::move(token));
  }
  // `lower`: a case-folded key (model::Context's entry names).
  bool MayBeRead(std::string_view lower) const {
    if (all_) return true;
    for (char c : lower) {
      if (!IsKeyChar(c)) return true;
    }
    return tokens_.find(lower) != tokens_.end();
  }

 private:
  static bool IsKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '/' || c == '_' ||
           c == '.' || c == '-';
  }
  bool all_ = false;
  std::unordered_set<std::string, compile::StringHash, std::equal_to<>> tokens_;
};

struct Snapshot {
  store::Store store;
  std::shared_ptr<const compile::DecisionProgram> program;
  std::unique_ptr<DecisionMemo> memo;          // null when off
  std::unique_ptr<ReferencedKeys> referenced;  // with the memo
  std::unique_ptr<DirectTables> direct;
};

std::vector<RepositoryInfo> RepositoriesOf(const Snapshot& snapshot);

namespace {

constexpr std::string_view kErrorPrefix = "error: ";

// Memo keys hold every input of a decision, unambiguously separated: each field is
// length-prefixed, so no two different inputs give one key.
void AppendField(std::string& key, std::string_view v) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v.size());
  (void)ec;  // 20 digits hold any size_t
  size_t at = key.size();
  size_t length = static_cast<size_t>(end - digits);
  key.resize(at + length + 1 + v.size());  // one capacity check for the whole field
  char* out = key.data() + at;
  __builtin_memcpy(out, digits, length);
  out[length] = ':';
  if (!v.empty()) __builtin_memcpy(out + length + 1, v.data(), v.size());
}

void MemoKey(std::string_view principal, std::string_view action, std::string_view resource,
             const model::Context& context, const ReferencedKeys& referenced, std::string& key) {
  AppendField(key, principal);
  AppendField(key, action);
  AppendField(key, resource);
  for (const auto& [lower, spellings] : context.entries()) {
    // A key no policy reads cannot change the decision (e.g. aws:CurrentTime in a store without
    // date conditions): leaving it out lets an entry answer beyond the second it was made in.
    if (!referenced.MayBeRead(lower)) continue;
    for (const auto& [spelling, value] : spellings) {
      AppendField(key, spelling);
      key += value.multi ? 'm' : 's';
      AppendField(key, std::to_string(value.values.size()));
      for (const std::string& v : value.values) AppendField(key, v);
    }
  }
}

// The same for flat keys, in the format of a context entry of one single value (two requests
// with one key string have the same inputs whichever overload made them).
bool MemoKey(std::string_view principal, std::string_view action, std::string_view resource,
             std::span<const RequestKey> keys, const ReferencedKeys& referenced, std::string& key) {
  AppendField(key, principal);
  AppendField(key, action);
  AppendField(key, resource);
  for (const RequestKey& k : keys) {
    char buffer[128];
    std::optional<std::string_view> lower = LowerKeyName(k.name, buffer);
    if (!lower) return false;
    if (!referenced.MayBeRead(*lower)) continue;
    AppendField(key, k.name);
    key += 's';
    AppendField(key, "1");
    AppendField(key, k.value);
  }
  return true;
}

Result<SnapshotHandle> Build(std::string_view text, const EngineOptions& options) {
  auto store = store::Store::Load(text);
  if (!store) return store.error();
  SnapshotHandle snapshot(new Snapshot{std::move(*store), nullptr, nullptr, nullptr, nullptr});
  if (options.decision_memo_slots > 0) {
    snapshot->memo = std::make_unique<DecisionMemo>(options.decision_memo_slots);
    snapshot->referenced = std::make_unique<ReferencedKeys>(text);
  }
  auto program = compile::DecisionProgram::Compile(snapshot->store);
  if (!program) return program.error();
  snapshot->program = std::move(*program);
  snapshot->direct = std::make_unique<DirectTables>(snapshot->store, *snapshot->program);
  return snapshot;
}

model::DecisionResult ErrorResult(std::string message) {
  model::DecisionResult result;
  result.decision = model::Decision::kImplicitDeny;
  result.reason = std::string(kErrorPrefix) + message;
  result.notes.push_back(std::move(message));
  return result;
}

}  // namespace

void SnapshotDeleter::operator()(Snapshot* snapshot) const { delete snapshot; }

// The serving snapshot, pinned by the calling thread's read epoch (reader_slots.h) for the
// scope: Publish does not free it before the scope ends.
class Engine::Pinned {
 public:
  explicit Pinned(const Engine& engine) : counters_(engine.counters_->Mine()) {
    ReadEpochs::Enter();
    snapshot_ = engine.current_.load(std::memory_order_seq_cst);
  }
  ~Pinned() { ReadEpochs::Exit(); }
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;
  const Snapshot& operator*() const { return *snapshot_; }
  const Snapshot* operator->() const { return snapshot_; }
  ReaderCounters::Counters& counters() const { return counters_; }

 private:
  ReaderCounters::Counters& counters_;
  const Snapshot* snapshot_;
};

Engine::Engine(SnapshotHandle snapshot, EngineOptions options)
    : current_(snapshot.release()),
      counters_(std::make_unique<ReaderCounters>()),
      options_(options) {}

// No decision may be running (as for any object being destroyed).
Engine::~Engine() { delete current_.load(); }

Result<std::unique_ptr<Engine>> Engine::Create(std::string_view store_text, EngineOptions options) {
  auto snapshot = Build(store_text, options);
  if (!snapshot) return snapshot.error();
  return std::unique_ptr<Engine>(new Engine(std::move(*snapshot), options));
}

Result<SnapshotHandle> Engine::Prepare(std::string_view store_text, EngineOptions options) {
  return Build(store_text, options);
}

Result<SnapshotHandle> Engine::Publish(SnapshotHandle next, const AcceptRepositories& accept) {
  if (!next) return Status("INVALID_ARGUMENT", "no snapshot to publish");
  std::lock_guard<std::mutex> lock(publish_mu_);
  if (accept) PE_RETURN_IF_ERROR(accept(RepositoriesOf(*next)));
  SnapshotHandle old(current_.exchange(next.release(), std::memory_order_seq_cst));
  ReadEpochs::WaitForReaders();
  return old;
}

Status Engine::Reload(std::string_view store_text, const AcceptRepositories& accept) {
  auto snapshot = Build(store_text, options_);
  if (!snapshot) return snapshot.error();
  auto old = Publish(std::move(*snapshot), accept);
  // `old` is destroyed here, on the reloading thread.
  return old ? Status::Ok() : old.error();
}

uint64_t Engine::error_count() const { return counters_->Sum(&ReaderCounters::Counters::errors); }
uint64_t Engine::reference_count() const {
  return counters_->Sum(&ReaderCounters::Counters::reference);
}
uint64_t Engine::memo_hits() const { return counters_->Sum(&ReaderCounters::Counters::memo_hits); }
uint64_t Engine::direct_count() const { return counters_->Sum(&ReaderCounters::Counters::direct); }

model::DecisionResult Engine::Decide(const model::Principal& principal, std::string_view action,
                                     std::string_view resource, model::Context context) const {
  std::string_view name = principal.kind == model::PrincipalKind::kAnonymous
                              ? std::string_view("anonymous")
                              : std::string_view(principal.arn);
  return Decide(name, action, resource, std::move(context));
}

namespace {

// Decide's frame: the memo around `decide`, and no exception out (the engine's own code does not
// throw, but allocation can: a decision must never escape as an exception into an I/O thread).
// `make_key` appends the memo key to its argument; false leaves the request out of the memo.
template <typename MakeKey, typename DecideFn>
model::DecisionResult Memoized(const Snapshot& snapshot, ReaderCounters::Counters& counters,
                               MakeKey make_key, DecideFn decide) {
  try {
    // One key buffer per thread: a memo lookup allocates nothing once it has grown.
    thread_local std::string key;
    key.clear();
    size_t hash = 0;
    bool memo = snapshot.memo != nullptr && make_key(key);
    if (memo) {
      hash = std::hash<std::string_view>{}(key);
      model::DecisionResult cached;
      if (snapshot.memo->Find(hash, key, cached)) {
        counters.memo_hits.fetch_add(1, std::memory_order_relaxed);
        return cached;
      }
    }
    model::DecisionResult result = decide();
    if (memo && !IsError(result) && snapshot.memo->Admit(hash)) {
      snapshot.memo->Insert(hash, key, result);
    }
    return result;
  } catch (const std::exception& e) {
    counters.errors.fetch_add(1, std::memory_order_relaxed);
    return ErrorResult(std::string("internal error: ") + e.what());
  } catch (...) {
    counters.errors.fetch_add(1, std::memory_order_relaxed);
    return ErrorResult("internal error");
  }
}

}  // namespace

model::DecisionResult Engine::Decide(std::string_view principal, std::string_view action,
                                     std::string_view resource, model::Context context) const {
  Pinned snapshot(*this);
  return Memoized(
      *snapshot, snapshot.counters(),
      [&](std::string& key) {
        MemoKey(principal, action, resource, context, *snapshot->referenced, key);
        return true;
      },
      [&] { return DecideGeneral(*snapshot, principal, action, resource, std::move(context)); });
}

model::DecisionResult Engine::Decide(std::string_view principal, std::string_view action,
                                     std::string_view resource,
                                     std::span<const RequestKey> keys) const {
  Pinned snapshot(*this);
  return Memoized(
      *snapshot, snapshot.counters(),
      [&](std::string& key) {
        return MemoKey(principal, action, resource, keys, *snapshot->referenced, key);
      },
      [&] {
        model::DecisionResult result;
        if (snapshot->direct->Decide(*snapshot->program, principal, action, resource, keys,
                                     result)) {
          snapshot.counters().direct.fetch_add(1, std::memory_order_relaxed);
          return result;
        }
        model::Context context;
        for (const RequestKey& k : keys)
          context.SetSingle(std::string(k.name), std::string(k.value));
        return DecideGeneral(*snapshot, principal, action, resource, std::move(context));
      });
}

model::DecisionResult Engine::DecideGeneral(const Snapshot& snapshot, std::string_view principal,
                                            std::string_view action, std::string_view resource,
                                            model::Context context) const {
  auto request = snapshot.store.MakeRequest(principal, action, resource, std::move(context));
  if (!request) {
    counters_->Mine().errors.fetch_add(1, std::memory_order_relaxed);
    return ErrorResult(request.error().ToString());
  }
  snapshot.store.CompleteContext(*request);
  compile::PreparedRequest bound;
  snapshot.program->Prepare(*request, bound);
  if (!bound.needs_reference) {
    compile::Verdict verdict = snapshot.program->Evaluate(bound);
    if (!verdict.needs_reference) return snapshot.program->Explain(verdict);
  }
  counters_->Mine().reference.fetch_add(1, std::memory_order_relaxed);
  return snapshot.store.EvaluateReference(*request);
}

Result<std::string> Engine::ResolvePrincipal(std::string_view name_or_arn) const {
  Pinned snapshot(*this);
  const auto& entities = snapshot->store.entities();
  if (auto it = entities.find(std::string(name_or_arn)); it != entities.end()) return it->first;
  std::vector<std::string> found;
  for (const auto& [arn, entity] : entities) {
    if (entity.name == name_or_arn) found.push_back(arn);
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    return Status("NOT_FOUND", "no user or role `" + std::string(name_or_arn) + "` in the store");
  }
  std::string list;
  for (const std::string& arn : found) list += (list.empty() ? "`" : ", `") + arn + "`";
  return Status("AMBIGUOUS",
                "`" + std::string(name_or_arn) + "` names several principals: " + list);
}

Result<AccessKeyInfo> Engine::FindAccessKey(std::string_view access_key_id) const {
  Pinned snapshot(*this);
  const auto& keys = snapshot->store.access_keys();
  auto it = keys.find(std::string(access_key_id));
  if (it == keys.end()) return Status("NOT_FOUND", "unknown access key id");
  return AccessKeyInfo{it->second.principal_arn, it->second.secret, it->second.active};
}

Result<std::string> Engine::AuthenticateAccessKey(std::string_view access_key_id,
                                                  std::string_view secret) const {
  auto key = FindAccessKey(access_key_id);
  // Constant time in the secret's content (lengths are not secret: IAM's are fixed).
  bool same = key && key->secret.size() == secret.size();
  unsigned char diff = 0;
  if (same) {
    for (size_t i = 0; i < secret.size(); ++i) {
      diff |= static_cast<unsigned char>(key->secret[i] ^ secret[i]);
    }
  }
  if (!same || diff != 0 || !key->active) {
    return Status("UNAUTHENTICATED", "invalid access key id or secret, or the key is inactive");
  }
  return key->principal_arn;
}

std::vector<RepositoryInfo> Engine::Repositories() const {
  Pinned snapshot(*this);
  return RepositoriesOf(*snapshot);
}

std::vector<RepositoryInfo> RepositoriesOf(const Snapshot& snapshot) {
  std::vector<RepositoryInfo> out;
  for (const auto& [arn, repo] : snapshot.store.repositories()) {
    out.push_back(
        {repo.arn, repo.name, repo.account, repo.region, repo.tags, repo.registry_settings});
  }
  return out;
}

Engine::SnapshotStats Engine::Stats() const {
  Pinned snapshot(*this);
  const auto& s = snapshot->program->stats();
  return {s.statements, s.policies, s.approximate_bytes};
}

bool IsError(const model::DecisionResult& result) {
  return result.reason.compare(0, kErrorPrefix.size(), kErrorPrefix) == 0;
}

}  // namespace policy_engine::engine
