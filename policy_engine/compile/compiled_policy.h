// Statements compiled for fast evaluation: the building blocks of the DecisionProgram.
//
// A CompiledPolicy holds, for every statement of a model::Policy, its effect, its action patterns
// (kept as text for the index-off path and for actions outside the program's action universe),
// its resource matchers classified by shape (any / exact / prefix / glob / with variables), its
// principal element with every value pre-parsed, and its conditions as small predicate programs
// over interned context keys with policy values pre-parsed for their operator family.
//
// Nothing here allocates at evaluation time: variables are resolved into caller-provided stack
// buffers, context values are read through PreparedContext views.
//
// Thread safety: immutable after construction; evaluation functions are const and reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy_engine/match/match.h"
#include "policy_engine/model/decision.h"
#include "policy_engine/model/policy.h"
#include "policy_engine/model/request.h"

namespace policy_engine::compile {

using KeyId = uint32_t;
inline constexpr KeyId kNoKey = UINT32_MAX;

// Equality of short strings without a libc call: most strings compared on the decision path
// (account ids, ARN segments, tag values) are 3–60 bytes, where memcmp's call overhead
// dominates (measured: decide_bench, bench/README.md).
inline bool FastEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  size_t n = a.size();
  while (n >= 8) {
    uint64_t u, v;
    __builtin_memcpy(&u, x, 8);
    __builtin_memcpy(&v, y, 8);
    if (u != v) return false;
    x += 8;
    y += 8;
    n -= 8;
  }
  while (n > 0) {
    if (*x++ != *y++) return false;
    --n;
  }
  return true;
}
inline bool FastStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && FastEquals(s.substr(0, prefix.size()), prefix);
}
inline bool FastEndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && FastEquals(s.substr(s.size() - suffix.size()), suffix);
}

// Typed forms a key's value is compared in, so Prepare can parse the value once per request.
enum TypedUse : uint8_t {
  kUsedAsIp = 1,    // IpAddress / NotIpAddress
  kUsedAsDate = 2,  // Date* operators
  kUsedAsArn = 4,   // Arn* operators
};

// Lower-cased condition-key names -> dense ids. Transparent lookup: no allocation on find.
class KeyTable {
 public:
  KeyId Intern(std::string_view lower_name);
  KeyId Find(std::string_view lower_name) const;
  size_t size() const { return names_.size(); }
  const std::string& name(KeyId id) const { return names_[id]; }
  void MarkUse(KeyId id, uint8_t use) { uses_[id] |= use; }
  uint8_t uses(KeyId id) const { return uses_[id]; }

 private:
  std::vector<uint8_t> uses_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, KeyId, Hash, std::equal_to<>> ids_;
  std::vector<std::string> names_;
};

// An ARN split on its first five colons: what segment matchers compare against.
struct ArnView {
  std::array<std::string_view, 6> parts;
  bool valid = false;        // starts with `arn:` and has at least five colons
  bool five_colons = false;  // exactly five colons (every ECR repository ARN)
  static ArnView Of(std::string_view text);
};

// One context key's value as seen by compiled conditions, plus the typed forms of a single value
// that the program compares (parsed once in Prepare). Kept small: a decision reads only the
// slots of the keys its statements test.
struct ContextSlot {
  KeyId key = kNoKey;
  uint32_t count = 0;  // values; 0 = an empty set (absent, R60)
  bool multi = false;
  uint8_t parsed = 0;  // TypedUse bits whose typed form below is valid
  bool ip_ok = false, date_ok = false;
  uint8_t arn_index = 0;                // into PreparedContext::arns when kUsedAsArn is parsed
  std::string_view single;              // the value when !multi (in the arena when it fits)
  const std::string* values = nullptr;  // every value (the request's storage); see Value
  int64_t millis = 0;
  match::IpAddress ip;
  // Value i of count. A direct request's single-valued slot has only `single` (DirectKey keeps no
  // std::string for it) and `values` null.
  std::string_view Value(uint32_t i) const {
    return values != nullptr ? std::string_view(values[i]) : single;
  }
};

// The request context restricted to the keys the program references. Short single values are
// copied into an inline arena so that a decision touches one contiguous block of memory.
struct PreparedContext {
  static constexpr size_t kCapacity = 24;
  static constexpr size_t kArenaSize = 1024;
  static constexpr size_t kArns = 4;
  std::array<ContextSlot, kCapacity> slots;
  uint32_t size = 0;
  uint32_t arena_used = 0;
  uint32_t arn_count = 0;
  std::array<ArnView, kArns> arns;
  std::array<char, kArenaSize> arena;

  // Copies `text` into the arena when it fits (else returns it as is): everything a decision
  // reads of the request then sits in one block, which matters when requests are cold.
  std::string_view Keep(std::string_view text) {
    if (text.size() > kArenaSize - arena_used) return text;
    char* at = arena.data() + arena_used;
    if (!text.empty()) __builtin_memcpy(at, text.data(), text.size());
    arena_used += static_cast<uint32_t>(text.size());
    return std::string_view(at, text.size());
  }
  const ContextSlot* Find(KeyId key) const {
    for (uint32_t i = 0; i < size; ++i) {
      if (slots[i].key == key) return &slots[i];
    }
    return nullptr;
  }
  // Single value for a policy variable (R100): nullptr when absent, multi-valued or empty.
  const std::string_view* SingleValue(KeyId key) const {
    const ContextSlot* s = Find(key);
    if (s == nullptr || s->multi || s->count != 1) return nullptr;
    return &s->single;
  }
};

// A policy string with variables: literal pieces (escaped glob text) and variables by key id.
struct CompiledTemplate {
  struct Piece {
    bool is_variable = false;
    std::string text;  // literal: escaped glob; variable: the default (escaped) if any
    KeyId key = kNoKey;
    bool has_default = false;
  };
  std::vector<Piece> pieces;
  // Resolves into `buffer`; returns the escaped glob, or nullopt when a variable has no value and
  // no default (R101) or the result does not fit the buffer (`overflow` is then set).
  std::optional<std::string_view> Resolve(const PreparedContext& context, char* buffer,
                                          size_t capacity, bool* overflow) const;
};

// A glob restricted to one string or one ARN segment, classified by shape so that the common
// patterns cost a compare instead of a glob walk.
struct SegmentMatcher {
  enum class Kind : uint8_t {
    kAnyRun,  // `*`
    kExact,   // no wildcard
    kPrefix,  // literal then one trailing `*`
    kSuffix,  // one leading `*` then literal
    kGlob,    // anything else: match::GlobMatch on the escaped glob
  };
  Kind kind = Kind::kGlob;
  std::string text;  // kExact/kPrefix/kSuffix: the literal (unescaped); kGlob: the escaped glob
  static SegmentMatcher From(std::string_view escaped_glob);
  bool Matches(std::string_view s) const;
};

// One resource pattern (R44–R51), classified by shape so the common cases cost a compare.
struct CompiledResource {
  enum class Shape : uint8_t {
    kAny,       // star-only: matches everything, even `*` (R44, R50)
    kExact,     // no wildcard: string equality
    kPrefix,    // a literal followed by one trailing `*`: starts_with (a trailing `*` always
                // ends its segment, so it may cross colons, R45)
    kSegments,  // `arn:` with exactly five colons: per-segment matchers. Against a resource with
                // exactly five colons the pattern's colons align one to one with the resource's,
                // so segment-wise matching is R45 matching; other resources use kGlob's path.
    kGlob,      // anything else: match::ResourceMatch
    kTemplate,  // policy variables: resolved per request, then match::ResourceMatch
  };
  Shape shape = Shape::kGlob;
  std::string text;  // kExact: literal; kPrefix: the literal prefix; kGlob/kSegments: the glob
  std::array<SegmentMatcher, 6> segments;  // kSegments
  CompiledTemplate tmpl;
};

// One principal value of a resource-policy statement (R52), pre-parsed.
struct CompiledPrincipalValue {
  enum class Kind : uint8_t {
    kStar,       // "*"
    kAccount,    // 12 digits or arn:P:iam::ACCT:root
    kUser,       // arn:P:iam::ACCT:user/...
    kRole,       // arn:P:iam::ACCT:role/path/NAME
    kSession,    // arn:P:sts::ACCT:assumed-role/ROLE/SESSION
    kFederated,  // arn:P:sts::ACCT:federated-user/NAME
    kUniqueId,   // AIDA…, AROA…
    kService,    // codebuild.amazonaws.com
    kNever,      // Federated / CanonicalUser: matches nobody here
  };
  Kind kind = Kind::kNever;
  std::string value;      // as written (user, federated, unique id, service)
  std::string partition;  // account/role/session forms ("" for a bare account id = any)
  std::string account;
  std::string role_name;  // role and session forms
  std::string session;    // session form
};

struct CompiledPrincipal {
  bool present = false;
  bool negated = false;
  bool wildcard = false;
  std::vector<CompiledPrincipalValue> values;
};

// The caller as compiled statements see it (views into the request's strings).
struct PreparedPrincipal {
  model::PrincipalKind kind = model::PrincipalKind::kAnonymous;
  std::string_view arn, partition, account, role_name, session_name, parent_user_arn, unique_id;
};

// One condition clause (R64–R96) with values parsed for its operator family.
struct CompiledClause {
  struct Value {
    bool has_variables = false;
    std::string text;  // string/arn/bool: escaped glob (no variables); binary: decoded bytes
    CompiledTemplate tmpl;
    match::Decimal decimal;
    int64_t millis = 0;
    match::IpNetwork network;
    bool boolean = false;
    bool valid = true;    // the typed value parsed (always true for policies that passed parse/)
    SegmentMatcher like;  // StringLike without variables
    std::array<SegmentMatcher, 6> arn;  // ArnLike/ArnEquals without variables (R90)
  };
  KeyId key = kNoKey;
  model::ConditionOperator op = model::ConditionOperator::kStringEquals;  // positive counterpart
  bool negated = false;
  bool is_null = false;
  model::SetQualifier qualifier = model::SetQualifier::kNone;
  bool if_exists = false;
  std::vector<Value> values;
};

struct CompiledStatement {
  model::Effect effect = model::Effect::kAllow;
  bool not_action = false;
  std::vector<std::string> actions;  // patterns as written
  bool resource_present = false;     // false: repository policy, the target repository (R25)
  bool not_resource = false;
  std::vector<CompiledResource> resources;
  CompiledPrincipal principal;
  std::vector<CompiledClause> conditions;
  uint32_t index = 0;  // position in the source policy's Statement array
  std::string sid;
};

struct CompiledPolicy {
  std::string name;
  model::PolicyKind kind = model::PolicyKind::kIdentity;
  std::vector<CompiledStatement> statements;
};

// Compiles a parsed policy, interning every condition key and variable it references.
std::shared_ptr<const CompiledPolicy> CompilePolicy(const std::string& name,
                                                    const model::Policy& policy, KeyTable& keys);

// Exact per-statement checks (the index only narrows; these decide).
bool ActionMatches(const CompiledStatement& s, std::string_view action);
bool ResourceMatches(const CompiledStatement& s, std::string_view resource, const ArnView& arn,
                     const PreparedContext& context, bool* overflow);
bool ConditionsHold(const CompiledStatement& s, const PreparedContext& context, bool* overflow);
// R52–R59, R124: strength with which the statement's Principal names the caller (kNone = not),
// or for NotPrincipal statements kDirect when the Deny applies to the caller.
model::PrincipalStrength PrincipalMatches(const CompiledStatement& s, const PreparedPrincipal& p,
                                          bool has_boundary);

}  // namespace policy_engine::compile
