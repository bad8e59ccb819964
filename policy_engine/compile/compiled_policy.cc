// Compilation of single policies and the exact per-statement checks. Every check mirrors its
// counterpart in eval/reference_evaluator.cc; the differential tests hold the two together.
#include "policy_engine/compile/compiled_policy.h"

#include <algorithm>
#include <cstring>

namespace policy_engine::compile {
namespace {

using model::ConditionOperator;
using model::OperatorFamily;
using model::PrincipalKind;
using model::PrincipalStrength;

constexpr size_t kBufferSize = 2048;

CompiledTemplate CompileTemplate(const match::Template& t, KeyTable& keys) {
  CompiledTemplate out;
  for (const match::TemplatePiece& p : t.pieces) {
    CompiledTemplate::Piece piece;
    piece.is_variable = p.is_variable;
    if (p.is_variable) {
      piece.key = keys.Intern(match::AsciiLower(p.key));
      piece.has_default = p.default_value.has_value();
      if (p.default_value) piece.text = match::EscapeGlob(*p.default_value);
    } else {
      piece.text = p.text;
    }
    out.pieces.push_back(std::move(piece));
  }
  return out;
}

// Literal text of a template without variables (an escaped glob).
std::string LiteralOf(const match::Template& t) {
  std::string out;
  for (const match::TemplatePiece& p : t.pieces) out += p.text;
  return out;
}

bool HasUnescapedWildcard(std::string_view glob, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (glob[i] == '\\') {
      ++i;
    } else if (glob[i] == '*' || glob[i] == '?') {
      return true;
    }
  }
  return false;
}

// Splits an escaped glob on its unescaped colons: positions of the first `max` colons.
std::vector<size_t> UnescapedColons(std::string_view glob, size_t max) {
  std::vector<size_t> out;
  for (size_t i = 0; i < glob.size() && out.size() < max; ++i) {
    if (glob[i] == '\\') {
      ++i;
    } else if (glob[i] == ':') {
      out.push_back(i);
    }
  }
  return out;
}

// Six segment matchers for an `arn:` glob split on its first five unescaped colons; false when
// the glob has fewer than five.
bool SplitGlob(std::string_view glob, std::array<SegmentMatcher, 6>& out) {
  std::vector<size_t> colons = UnescapedColons(glob, 5);
  if (colons.size() < 5) return false;
  size_t begin = 0;
  for (size_t i = 0; i < 6; ++i) {
    size_t end = i < 5 ? colons[i] : glob.size();
    out[i] = SegmentMatcher::From(glob.substr(begin, end - begin));
    begin = end + 1;
  }
  return true;
}

CompiledResource CompileResource(const model::PatternValue& v, KeyTable& keys) {
  CompiledResource r;
  if (v.tmpl.has_variables()) {
    r.shape = CompiledResource::Shape::kTemplate;
    r.tmpl = CompileTemplate(v.tmpl, keys);
    return r;
  }
  std::string glob = LiteralOf(v.tmpl);
  if (match::IsStarOnly(glob)) {
    r.shape = CompiledResource::Shape::kAny;
  } else if (!HasUnescapedWildcard(glob, 0, glob.size())) {
    r.shape = CompiledResource::Shape::kExact;
    r.text = match::UnescapeGlob(glob);
  } else if (glob.back() == '*' && (glob.size() < 2 || glob[glob.size() - 2] != '\\') &&
             !HasUnescapedWildcard(glob, 0, glob.size() - 1)) {
    // A trailing `*` is the last character of its segment, so it matches any run, colons
    // included (R45): the pattern is a plain prefix test.
    r.shape = CompiledResource::Shape::kPrefix;
    r.text = match::UnescapeGlob(std::string_view(glob).substr(0, glob.size() - 1));
  } else {
    r.shape = CompiledResource::Shape::kGlob;
    if (glob.starts_with("arn:") && UnescapedColons(glob, 6).size() == 5 &&
        SplitGlob(glob, r.segments)) {
      r.shape = CompiledResource::Shape::kSegments;
    }
    r.text = std::move(glob);
  }
  return r;
}

CompiledPrincipalValue CompilePrincipalValue(const model::PrincipalValue& v) {
  using K = CompiledPrincipalValue::Kind;
  CompiledPrincipalValue out;
  out.value = v.value;
  if (v.type == model::PrincipalType::kService) {
    out.kind = K::kService;
    return out;
  }
  if (v.type != model::PrincipalType::kAws) return out;  // kNever
  if (v.value == "*") {
    out.kind = K::kStar;
    return out;
  }
  if (v.value.size() == 12 &&
      std::all_of(v.value.begin(), v.value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    out.kind = K::kAccount;
    out.account = v.value;
    return out;
  }
  auto parts = match::SplitArn(v.value);
  if (!parts) {
    out.kind = K::kUniqueId;
    return out;
  }
  auto [arn, partition, service, region, account, resource] = *parts;
  (void)arn;
  (void)region;
  out.partition = std::string(partition);
  out.account = std::string(account);
  if (service == "iam" && resource == "root") {
    out.kind = K::kAccount;
  } else if (service == "iam" && resource.starts_with("user/")) {
    out.kind = K::kUser;
  } else if (service == "iam" && resource.starts_with("role/")) {
    out.kind = K::kRole;
    out.role_name = std::string(resource.substr(resource.rfind('/') + 1));
  } else if (service == "sts" && resource.starts_with("assumed-role/")) {
    std::string_view rest = resource.substr(13);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return out;
    out.kind = K::kSession;
    out.role_name = std::string(rest.substr(0, slash));
    out.session = std::string(rest.substr(slash + 1));
  } else if (service == "sts" && resource.starts_with("federated-user/")) {
    out.kind = K::kFederated;
  }
  return out;
}

CompiledClause CompileClause(const model::ConditionClause& c, KeyTable& keys) {
  CompiledClause out;
  out.key = keys.Intern(c.key_lower);
  out.op = model::PositiveCounterpart(c.op);
  out.negated = model::IsNegatedOperator(c.op);
  out.is_null = c.op == ConditionOperator::kNull;
  out.qualifier = c.qualifier;
  out.if_exists = c.if_exists;
  OperatorFamily family = model::FamilyOf(c.op);
  if (family == OperatorFamily::kIp) keys.MarkUse(out.key, kUsedAsIp);
  if (family == OperatorFamily::kDate) keys.MarkUse(out.key, kUsedAsDate);
  if (family == OperatorFamily::kArn) keys.MarkUse(out.key, kUsedAsArn);
  for (const model::PatternValue& v : c.values) {
    CompiledClause::Value cv;
    cv.has_variables = v.tmpl.has_variables();
    if (cv.has_variables) {
      cv.tmpl = CompileTemplate(v.tmpl, keys);
    } else {
      cv.text = LiteralOf(v.tmpl);
    }
    switch (family) {
      case OperatorFamily::kNumeric: {
        auto d = match::ParseDecimal(v.raw);
        cv.valid = d.has_value();
        if (d) cv.decimal = *d;
        break;
      }
      case OperatorFamily::kDate: {
        auto d = match::ParseDateMillis(v.raw);
        cv.valid = d.has_value();
        if (d) cv.millis = *d;
        break;
      }
      case OperatorFamily::kIp: {
        auto n = match::ParseIpNetwork(v.raw);
        cv.valid = n.has_value();
        if (n) cv.network = *n;
        break;
      }
      case OperatorFamily::kBinary: {
        auto b = match::DecodeBase64(v.raw);
        cv.valid = b.has_value();
        if (b) cv.text = *b;
        break;
      }
      case OperatorFamily::kNull: {
        auto b = match::ParseBool(v.raw);
        cv.valid = b.has_value();
        if (b) cv.boolean = *b;
        break;
      }
      case OperatorFamily::kBool:
        if (!cv.has_variables) {
          auto b = match::ParseBool(match::UnescapeGlob(cv.text));
          cv.valid = b.has_value();
          if (b) cv.boolean = *b;
        }
        break;
      case OperatorFamily::kString:
        if (!cv.has_variables && out.op != ConditionOperator::kStringLike) {
          cv.text = match::UnescapeGlob(cv.text);  // Equals operators compare literal text
        }
        if (!cv.has_variables && out.op == ConditionOperator::kStringLike) {
          cv.like = SegmentMatcher::From(cv.text);
        }
        break;
      case OperatorFamily::kArn:
        if (!cv.has_variables) cv.valid = cv.text.starts_with("arn:") && SplitGlob(cv.text, cv.arn);
        break;
    }
    out.values.push_back(std::move(cv));
  }
  return out;
}

// test(x, v) of §3.3 for the positive operator `op`; nullopt when x does not parse (R79).
std::optional<bool> TestOne(const CompiledClause& c, const CompiledClause::Value& v,
                            std::string_view x, const ContextSlot* typed,
                            const PreparedContext& ctx, bool* overflow) {
  char buffer[kBufferSize];
  std::string_view text = v.text;
  bool resolved_equals = false;  // a resolved template is an escaped glob
  if (v.has_variables) {
    auto r = v.tmpl.Resolve(ctx, buffer, sizeof buffer, overflow);
    if (!r) return false;  // R101: matches nothing / counts as "not equal"
    text = *r;
    resolved_equals = true;
  }
  switch (c.op) {
    case ConditionOperator::kStringEquals:
      if (resolved_equals) {
        // Compare against the unescaped text without materialising it.
        size_t i = 0, j = 0;
        while (i < text.size()) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          if (j >= x.size() || x[j] != text[i]) return false;
          ++i;
          ++j;
        }
        return j == x.size();
      }
      return FastEquals(x, text);
    case ConditionOperator::kStringEqualsIgnoreCase: {
      if (!resolved_equals) return match::EqualsIgnoreCase(x, text);
      char plain[kBufferSize];
      size_t n = 0;
      for (size_t i = 0; i < text.size() && n < sizeof plain; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        plain[n++] = text[i];
      }
      return match::EqualsIgnoreCase(x, std::string_view(plain, n));
    }
    case ConditionOperator::kStringLike:
      return v.has_variables ? match::GlobMatch(text, x) : v.like.Matches(x);
    case ConditionOperator::kNumericEquals:
    case ConditionOperator::kNumericLessThan:
    case ConditionOperator::kNumericLessThanEquals:
    case ConditionOperator::kNumericGreaterThan:
    case ConditionOperator::kNumericGreaterThanEquals: {
      auto a = match::ParseDecimal(x);
      if (!a) return std::nullopt;
      if (!v.valid) return false;
      int cmp = match::CompareDecimal(*a, v.decimal);
      switch (c.op) {
        case ConditionOperator::kNumericEquals:
          return cmp == 0;
        case ConditionOperator::kNumericLessThan:
          return cmp < 0;
        case ConditionOperator::kNumericLessThanEquals:
          return cmp <= 0;
        case ConditionOperator::kNumericGreaterThan:
          return cmp > 0;
        default:
          return cmp >= 0;
      }
    }
    case ConditionOperator::kDateEquals:
    case ConditionOperator::kDateLessThan:
    case ConditionOperator::kDateLessThanEquals:
    case ConditionOperator::kDateGreaterThan:
    case ConditionOperator::kDateGreaterThanEquals: {
      std::optional<int64_t> a;
      if (typed && (typed->parsed & kUsedAsDate)) {
        if (typed->date_ok) a = typed->millis;
      } else {
        a = match::ParseDateMillis(x);
      }
      if (!a) return std::nullopt;
      if (!v.valid) return false;
      switch (c.op) {
        case ConditionOperator::kDateEquals:
          return *a == v.millis;
        case ConditionOperator::kDateLessThan:
          return *a < v.millis;
        case ConditionOperator::kDateLessThanEquals:
          return *a <= v.millis;
        case ConditionOperator::kDateGreaterThan:
          return *a > v.millis;
        default:
          return *a >= v.millis;
      }
    }
    case ConditionOperator::kBool: {
      auto a = match::ParseBool(x);
      if (!a) return std::nullopt;
      if (v.has_variables) {
        char plain[kBufferSize];
        size_t n = 0;
        for (size_t i = 0; i < text.size() && n < sizeof plain; ++i) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          plain[n++] = text[i];
        }
        auto b = match::ParseBool(std::string_view(plain, n));
        return b && *a == *b;
      }
      return v.valid && *a == v.boolean;
    }
    case ConditionOperator::kBinaryEquals:
      return v.valid && x == v.text;
    case ConditionOperator::kIpAddress: {
      std::optional<match::IpAddress> a;
      if (typed && (typed->parsed & kUsedAsIp)) {
        if (typed->ip_ok) a = typed->ip;
      } else {
        a = match::ParseIpAddress(x);
      }
      if (!a) return std::nullopt;
      return v.valid && match::NetworkContains(v.network, *a);
    }
    case ConditionOperator::kArnEquals:
    case ConditionOperator::kArnLike: {
      if (v.has_variables) {
        if (!match::SplitArn(x)) return std::nullopt;
        return match::ArnLikeMatch(text, x).value_or(false);
      }
      ArnView view =
          (typed && (typed->parsed & kUsedAsArn)) ? ctx.arns[typed->arn_index] : ArnView::Of(x);
      if (!view.valid) return std::nullopt;  // R91
      if (!v.valid) return false;
      for (size_t i = 0; i < 6; ++i) {
        if (!v.arn[i].Matches(view.parts[i])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

std::optional<bool> Positive(const CompiledClause& c, std::string_view x, const ContextSlot* typed,
                             const PreparedContext& ctx, bool* overflow) {
  for (const CompiledClause::Value& v : c.values) {
    std::optional<bool> r = TestOne(c, v, x, typed, ctx, overflow);
    if (!r) return std::nullopt;
    if (*r) return true;
  }
  return false;
}

bool ElementTest(const CompiledClause& c, std::string_view x, const ContextSlot* typed,
                 const PreparedContext& ctx, bool* overflow) {
  std::optional<bool> p = Positive(c, x, typed, ctx, overflow);
  if (!p) return false;  // R79
  return c.negated ? !*p : *p;
}

bool ClauseHolds(const CompiledClause& c, const PreparedContext& ctx, bool* overflow) {
  const ContextSlot* slot = ctx.Find(c.key);
  bool absent = slot == nullptr || slot->count == 0;  // R60
  if (c.is_null) {
    if (c.qualifier == model::SetQualifier::kForAllValues) return true;  // R73
    if (c.qualifier == model::SetQualifier::kForAnyValue) return false;  // R73
    for (const CompiledClause::Value& v : c.values) {                    // R69
      if (v.valid && v.boolean == absent) return true;
    }
    return false;
  }
  if (c.if_exists && absent) return true;  // R68, R72
  switch (c.qualifier) {
    case model::SetQualifier::kNone:
      if (absent) return c.negated;  // R66, R67
      if (slot->multi) return false;
      return ElementTest(c, slot->single, slot, ctx, overflow);
    case model::SetQualifier::kForAllValues:  // R70
      if (absent) return true;
      for (uint32_t i = 0; i < slot->count; ++i) {
        if (!ElementTest(c, slot->Value(i), nullptr, ctx, overflow)) return false;
      }
      return true;
    case model::SetQualifier::kForAnyValue:  // R71
      if (absent) return false;
      for (uint32_t i = 0; i < slot->count; ++i) {
        if (ElementTest(c, slot->Value(i), nullptr, ctx, overflow)) return true;
      }
      return false;
  }
  return false;
}

bool SameRoleName(std::string_view a, std::string_view b) {
  return match::AsciiEqualsIgnoreCase(a, b);  // R54
}

bool NamesAccount(const CompiledPrincipalValue& v, const PreparedPrincipal& p) {
  return v.kind == CompiledPrincipalValue::Kind::kAccount && !p.account.empty() &&
         FastEquals(v.account, p.account) &&
         (v.partition.empty() || FastEquals(v.partition, p.partition));
}

bool NamesRole(const CompiledPrincipalValue& v, const PreparedPrincipal& p) {
  return v.kind == CompiledPrincipalValue::Kind::kRole && !p.role_name.empty() &&
         v.partition == p.partition && v.account == p.account &&
         SameRoleName(v.role_name, p.role_name);
}

bool NamesSession(const CompiledPrincipalValue& v, const PreparedPrincipal& p) {
  return v.kind == CompiledPrincipalValue::Kind::kSession &&
         p.kind == PrincipalKind::kAssumedRole && v.partition == p.partition &&
         v.account == p.account && SameRoleName(v.role_name, p.role_name) &&
         v.session == p.session_name;
}

PrincipalStrength ValueStrength(const CompiledPrincipalValue& v, const PreparedPrincipal& p) {
  using K = CompiledPrincipalValue::Kind;
  if (v.kind == K::kService) {
    return (p.kind == PrincipalKind::kService && v.value == p.arn) ? PrincipalStrength::kDirect
                                                                   : PrincipalStrength::kNone;
  }
  if (v.kind == K::kStar) return PrincipalStrength::kDirect;
  if (p.kind == PrincipalKind::kService || p.kind == PrincipalKind::kAnonymous) {
    return PrincipalStrength::kNone;
  }
  if (NamesAccount(v, p)) return PrincipalStrength::kAccount;
  // A unique id names the user itself, or the role of a session (role strength, R124).
  if (!p.unique_id.empty() && FastEquals(v.value, p.unique_id)) {
    return p.kind == PrincipalKind::kUser ? PrincipalStrength::kDirect : PrincipalStrength::kRole;
  }
  switch (p.kind) {
    case PrincipalKind::kUser:
      return (v.kind == K::kUser && FastEquals(v.value, p.arn)) ? PrincipalStrength::kDirect
                                                                : PrincipalStrength::kNone;
    case PrincipalKind::kAssumedRole:
      if (NamesSession(v, p)) return PrincipalStrength::kDirect;
      return NamesRole(v, p) ? PrincipalStrength::kRole : PrincipalStrength::kNone;
    case PrincipalKind::kRole:
      return NamesRole(v, p) ? PrincipalStrength::kRole : PrincipalStrength::kNone;
    case PrincipalKind::kFederatedUser:
      if (v.value == p.arn) return PrincipalStrength::kDirect;
      return (!p.parent_user_arn.empty() && v.value == p.parent_user_arn)
                 ? PrincipalStrength::kRole
                 : PrincipalStrength::kNone;
    default:
      return PrincipalStrength::kNone;
  }
}

int Rank(PrincipalStrength s) {
  switch (s) {
    case PrincipalStrength::kDirect:
      return 3;
    case PrincipalStrength::kRole:
      return 2;
    case PrincipalStrength::kAccount:
      return 1;
    case PrincipalStrength::kNone:
      return 0;
  }
  return 0;
}

// R58 (layered) and R59.
bool NotPrincipalDenyApplies(const CompiledPrincipal& el, const PreparedPrincipal& p,
                             bool has_boundary) {
  using K = CompiledPrincipalValue::Kind;
  if (has_boundary && (p.kind == PrincipalKind::kUser || p.kind == PrincipalKind::kAssumedRole ||
                       p.kind == PrincipalKind::kRole)) {
    return true;
  }
  if (el.wildcard) return false;
  auto listed = [&](auto pred) { return std::any_of(el.values.begin(), el.values.end(), pred); };
  if (p.kind == PrincipalKind::kService) {
    return !listed(
        [&](const CompiledPrincipalValue& v) { return v.kind == K::kService && v.value == p.arn; });
  }
  if (!listed([&](const CompiledPrincipalValue& v) { return NamesAccount(v, p); })) return true;
  if (p.kind == PrincipalKind::kRoot) return false;
  if (p.kind == PrincipalKind::kAssumedRole || p.kind == PrincipalKind::kRole) {
    if (!listed([&](const CompiledPrincipalValue& v) { return NamesRole(v, p); })) return true;
    if (p.kind == PrincipalKind::kRole) return false;
  }
  bool self = listed([&](const CompiledPrincipalValue& v) {
    if (v.kind == K::kStar || v.kind == K::kService || v.kind == K::kNever) return false;
    return p.kind == PrincipalKind::kAssumedRole ? NamesSession(v, p) : v.value == p.arn;
  });
  return !self;
}

}  // namespace

SegmentMatcher SegmentMatcher::From(std::string_view glob) {
  SegmentMatcher m;
  size_t wildcards = 0, first = std::string_view::npos, last = 0;
  bool question = false;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\') {
      ++i;
    } else if (glob[i] == '*' || glob[i] == '?') {
      question |= glob[i] == '?';
      ++wildcards;
      if (first == std::string_view::npos) first = i;
      last = i;
    }
  }
  if (wildcards == 0) {
    m.kind = Kind::kExact;
    m.text = match::UnescapeGlob(glob);
  } else if (glob == "*") {
    m.kind = Kind::kAnyRun;
  } else if (wildcards == 1 && !question && last == glob.size() - 1) {
    m.kind = Kind::kPrefix;
    m.text = match::UnescapeGlob(glob.substr(0, glob.size() - 1));
  } else if (wildcards == 1 && !question && first == 0) {
    m.kind = Kind::kSuffix;
    m.text = match::UnescapeGlob(glob.substr(1));
  } else {
    m.kind = Kind::kGlob;
    m.text = std::string(glob);
  }
  return m;
}

bool SegmentMatcher::Matches(std::string_view s) const {
  switch (kind) {
    case Kind::kAnyRun:
      return true;
    case Kind::kExact:
      return FastEquals(s, text);
    case Kind::kPrefix:
      return FastStartsWith(s, text);
    case Kind::kSuffix:
      return FastEndsWith(s, text);
    case Kind::kGlob:
      return match::GlobMatch(text, s);
  }
  return false;
}

ArnView ArnView::Of(std::string_view text) {
  ArnView v;
  if (!text.starts_with("arn:")) return v;
  size_t begin = 0;
  for (size_t i = 0; i < 5; ++i) {
    size_t colon = text.find(':', begin);
    if (colon == std::string_view::npos) return v;
    v.parts[i] = text.substr(begin, colon - begin);
    begin = colon + 1;
  }
  v.parts[5] = text.substr(begin);
  v.valid = true;
  v.five_colons = v.parts[5].find(':') == std::string_view::npos;
  return v;
}

KeyId KeyTable::Intern(std::string_view lower_name) {
  auto it = ids_.find(lower_name);
  if (it != ids_.end()) return it->second;
  KeyId id = static_cast<KeyId>(names_.size());
  names_.emplace_back(lower_name);
  uses_.push_back(0);
  ids_.emplace(std::string(lower_name), id);
  return id;
}

KeyId KeyTable::Find(std::string_view lower_name) const {
  auto it = ids_.find(lower_name);
  return it == ids_.end() ? kNoKey : it->second;
}

std::optional<std::string_view> CompiledTemplate::Resolve(const PreparedContext& context,
                                                          char* buffer, size_t capacity,
                                                          bool* overflow) const {
  size_t n = 0;
  auto append = [&](std::string_view s) {
    if (n + s.size() > capacity) return false;
    std::memcpy(buffer + n, s.data(), s.size());
    n += s.size();
    return true;
  };
  for (const Piece& p : pieces) {
    if (!p.is_variable) {
      if (!append(p.text)) {
        *overflow = true;
        return std::nullopt;
      }
      continue;
    }
    const std::string_view* value = context.SingleValue(p.key);
    if (value == nullptr) {
      if (!p.has_default) return std::nullopt;
      if (!append(p.text)) {
        *overflow = true;
        return std::nullopt;
      }
      continue;
    }
    // R102: substituted text is literal; escape `\`, `*` and `?` as match::EscapeGlob does.
    for (char c : *value) {
      if (c == '\\' || c == '*' || c == '?') {
        if (n + 2 > capacity) {
          *overflow = true;
          return std::nullopt;
        }
        buffer[n++] = '\\';
      } else if (n + 1 > capacity) {
        *overflow = true;
        return std::nullopt;
      }
      buffer[n++] = c;
    }
  }
  return std::string_view(buffer, n);
}

std::shared_ptr<const CompiledPolicy> CompilePolicy(const std::string& name,
                                                    const model::Policy& policy, KeyTable& keys) {
  auto out = std::make_shared<CompiledPolicy>();
  out->name = name;
  out->kind = policy.kind;
  for (const model::Statement& st : policy.statements) {
    CompiledStatement cs;
    cs.effect = st.effect;
    cs.not_action = st.not_action;
    for (const model::PatternValue& a : st.actions) cs.actions.push_back(a.raw);
    cs.resource_present = st.resource_present;
    cs.not_resource = st.not_resource;
    for (const model::PatternValue& r : st.resources)
      cs.resources.push_back(CompileResource(r, keys));
    cs.principal.present = st.principal.present;
    cs.principal.negated = st.principal.negated;
    cs.principal.wildcard = st.principal.wildcard;
    for (const model::PrincipalValue& v : st.principal.values) {
      cs.principal.values.push_back(CompilePrincipalValue(v));
    }
    for (const model::ConditionClause& c : st.conditions) {
      cs.conditions.push_back(CompileClause(c, keys));
    }
    cs.index = static_cast<uint32_t>(st.index);
    cs.sid = st.sid.value_or("");
    out->statements.push_back(std::move(cs));
  }
  return out;
}

bool ActionMatches(const CompiledStatement& s, std::string_view action) {
  bool any = std::any_of(s.actions.begin(), s.actions.end(),
                         [&](const std::string& a) { return match::ActionMatch(a, action); });
  return s.not_action ? !any : any;
}

bool ResourceMatches(const CompiledStatement& s, std::string_view resource, const ArnView& arn,
                     const PreparedContext& context, bool* overflow) {
  if (!s.resource_present) return true;  // R25
  bool any = false;
  for (const CompiledResource& r : s.resources) {
    bool m = false;
    switch (r.shape) {
      case CompiledResource::Shape::kAny:
        m = true;
        break;
      case CompiledResource::Shape::kExact:
        // R50: only star-only patterns match a wildcard-only action's resource `*`; an exact
        // pattern whose text is `*` comes from `${*}` (R103) and is literal, not star-only.
        m = resource != "*" && FastEquals(resource, r.text);
        break;
      case CompiledResource::Shape::kPrefix:
        m = resource != "*" && FastStartsWith(resource, r.text);
        break;
      case CompiledResource::Shape::kSegments:
        if (arn.five_colons) {
          m = true;
          for (size_t i = 0; i < 6 && m; ++i) m = r.segments[i].Matches(arn.parts[i]);
        } else {
          m = match::ResourceMatch(r.text, resource);
        }
        break;
      case CompiledResource::Shape::kGlob:
        m = match::ResourceMatch(r.text, resource);
        break;
      case CompiledResource::Shape::kTemplate: {
        char buffer[kBufferSize];
        auto glob = r.tmpl.Resolve(context, buffer, sizeof buffer, overflow);
        m = glob && match::ResourceMatch(*glob, resource);
        break;
      }
    }
    if (m) {
      any = true;
      break;
    }
  }
  return s.not_resource ? !any : any;  // R49
}

bool ConditionsHold(const CompiledStatement& s, const PreparedContext& context, bool* overflow) {
  for (const CompiledClause& c : s.conditions) {
    if (!ClauseHolds(c, context, overflow)) return false;
  }
  return true;
}

PrincipalStrength PrincipalMatches(const CompiledStatement& s, const PreparedPrincipal& p,
                                   bool has_boundary) {
  if (!s.principal.present) return PrincipalStrength::kNone;
  if (s.principal.negated) {
    return NotPrincipalDenyApplies(s.principal, p, has_boundary) ? PrincipalStrength::kDirect
                                                                 : PrincipalStrength::kNone;
  }
  if (s.principal.wildcard) return PrincipalStrength::kDirect;
  PrincipalStrength best = PrincipalStrength::kNone;
  for (const CompiledPrincipalValue& v : s.principal.values) {
    PrincipalStrength st = ValueStrength(v, p);
    if (Rank(st) > Rank(best)) best = st;
  }
  return best;
}

}  // namespace policy_engine::compile
