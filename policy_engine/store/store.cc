// This file's external interface is Store::Load (the Loader below) and the per-request methods
// ReadRequest, CompleteContext and PolicySetFor.
//
// The loader reads the sections in dependency order (accounts, managed policies, groups,
// principals, repositories, registries), so that every reference can be checked when it is read;
// errors are therefore reported per section, not in document order. It stops at the first error,
// as parse::ParsePolicy does: one located message is more useful than a cascade.
#include "policy_engine/store/store.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <set>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/driver/cases.h"
#include "policy_engine/match/match.h"
#include "policy_engine/parse/parse.h"

namespace policy_engine::store {
namespace {

using json::Node;
using json::Type;
using model::PolicyKind;
using model::PrincipalKind;

// R139 (ECR) and the IAM tagging quotas agree on these numbers.
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxTagKey = 128;
constexpr size_t kMaxTagValue = 256;

// R32: aggregate inline-policy quotas (characters without whitespace).
constexpr size_t kUserInlineLimit = 2048;
constexpr size_t kGroupInlineLimit = 5120;
constexpr size_t kRoleInlineLimit = 10240;

std::string Tick(std::string_view s) { return "`" + std::string(s) + "`"; }

Status LocatedAt(std::string code, std::string message, uint32_t offset, std::string_view source,
                 std::string pointer) {
  SourceLocation loc;
  loc.pointer = std::move(pointer);
  loc.offset = offset;
  json::FillLineColumn(source, loc);
  return Status(std::move(code), std::move(message), std::move(loc));
}

Status Located(std::string code, std::string message, const Node& at, std::string_view source,
               std::string pointer) {
  return LocatedAt(std::move(code), std::move(message), at.begin, source, std::move(pointer));
}

std::string Child(const std::string& pointer, std::string_view name) {
  return pointer + "/" + json::EscapePointerToken(name);
}
std::string Child(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool IsAccountId(std::string_view s) { return s.size() == 12 && AllDigits(s); }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// IAM user, role, group and policy names and inline policy names: [\w+=,.@-]{1,max}.
bool IsIamName(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
  });
}

// An IAM path plus name after the resource type: `name` or `path/.../name`, every segment an IAM
// name (paths are `/`-separated runs of the same characters).
bool IsIamPathAndName(std::string_view s, size_t max_name) {
  size_t slash = s.rfind('/');
  std::string_view name = slash == std::string_view::npos ? s : s.substr(slash + 1);
  if (!IsIamName(name, max_name)) return false;
  if (slash == std::string_view::npos) return true;
  std::string_view path = s.substr(0, slash);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (!IsIamName(path.substr(start, end - start), 512)) return false;
    start = end + 1;
  }
  return true;
}

// R137: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*, 2–256 chars.
bool IsRepositoryName(std::string_view s) {
  if (s.size() < 2 || s.size() > 256) return false;
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < s.size() && IsLowerAlnum(s[i])) ++i;
    return i > start;
  };
  while (true) {
    if (!alnum_run()) return false;  // a component starts with [a-z0-9]+
    while (i < s.size() && s[i] != '/') {
      if (s[i] == '.') {
        ++i;
      } else if (s[i] == '_') {
        ++i;
        if (i < s.size() && s[i] == '_') ++i;
      } else if (s[i] == '-') {
        while (i < s.size() && s[i] == '-') ++i;
      } else {
        return false;
      }
      if (!alnum_run()) return false;
    }
    if (i == s.size()) return true;
    ++i;  // '/'
  }
}

bool IsRegion(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

// Organizations ids: o-[a-z0-9]{10,32}.
bool IsOrgId(std::string_view s) {
  return s.size() >= 12 && s.size() <= 34 && s.starts_with("o-") &&
         std::all_of(s.begin() + 2, s.end(), IsLowerAlnum);
}

// IAM unique ids as policies may name them (parse accepts A[A-Z0-9]{15,31}); AIDA for users and
// AROA for roles.
bool IsUniqueId(std::string_view s, PrincipalKind kind) {
  if (s.size() < 16 || s.size() > 32) return false;
  if (!s.starts_with(kind == PrincipalKind::kUser ? "AIDA" : "AROA")) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

uint64_t Fnv1a(std::string_view s, uint64_t h = 14695981039346656037ull) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// A stable, AWS-shaped unique id (prefix + 17 base32 characters) derived from the ARN, so that
// aws:userid and unique-id principals work for stores that do not give one.
std::string GeneratedUniqueId(std::string_view prefix, std::string_view arn) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id(prefix);
  uint64_t h = Fnv1a(arn);
  for (int i = 0; i < 17; ++i) {
    if (i == 12) h = Fnv1a(arn, h ^ 0x9e3779b97f4a7c15ull);  // 12 x 5 bits used up
    id += kAlphabet[h & 31];
    h >>= 5;
  }
  return id;
}

// IAM and ECR session/repository tag values are strings; keys 1–128, values 0–256, at most 50,
// the `aws:` prefix is reserved (R139).
Result<Tags> ReadTags(const Node& node, std::string_view source, const std::string& pointer,
                      bool keys_case_insensitive) {
  if (!node.is_object()) {
    return Located("STORE_SYNTAX", "tags must be an object of strings", node, source, pointer);
  }
  if (node.members.size() > kMaxTags) {
    return Located("STORE_SYNTAX",
                   std::to_string(node.members.size()) + " tags, over the limit of " +
                       std::to_string(kMaxTags),
                   node, source, pointer);
  }
  Tags tags;
  std::set<std::string> lower_keys;
  for (const json::Member& m : node.members) {
    std::string p = Child(pointer, m.name);
    if (m.name.empty() || m.name.size() > kMaxTagKey) {
      return LocatedAt("STORE_SYNTAX", "tag key " + Tick(m.name) + " must be 1 to 128 characters",
                       m.name_offset, source, p);
    }
    if (match::AsciiLower(m.name).starts_with("aws:")) {
      return LocatedAt("STORE_SYNTAX",
                       "tag key " + Tick(m.name) + " uses the reserved prefix `aws:`",
                       m.name_offset, source, p);
    }
    if (keys_case_insensitive && !lower_keys.insert(match::AsciiLower(m.name)).second) {
      return LocatedAt("STORE_DUPLICATE",
                       "tag key " + Tick(m.name) + " differs from another key only in letter case",
                       m.name_offset, source, p);
    }
    if (!m.value.is_string()) {
      return Located("STORE_SYNTAX", "the value of tag " + Tick(m.name) + " must be a string",
                     m.value, source, p);
    }
    if (m.value.text.size() > kMaxTagValue) {
      return Located("STORE_SYNTAX", "the value of tag " + Tick(m.name) + " is over 256 characters",
                     m.value, source, p);
    }
    tags.emplace_back(m.name, m.value.text);
  }
  return tags;
}

std::string_view PrincipalTypeValue(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kRoot:
      return "Account";
    case PrincipalKind::kUser:
      return "User";
    case PrincipalKind::kRole:
    case PrincipalKind::kAssumedRole:
      return "AssumedRole";
    case PrincipalKind::kFederatedUser:
      return "FederatedUser";
    case PrincipalKind::kService:
      return "Service";
    case PrincipalKind::kAnonymous:
      return "Anonymous";
  }
  return "Anonymous";
}

// The request resource's coordinates, when it is an ARN.
struct ResourceFacts {
  std::string account;
  std::string region;
  bool repository_arn = false;  // arn:…:ecr:REGION:ACCT:repository/NAME
};

ResourceFacts FactsOf(std::string_view resource) {
  ResourceFacts f;
  auto parts = match::SplitArn(resource);
  if (!parts) return f;
  f.account = std::string((*parts)[4]);
  f.region = std::string((*parts)[3]);
  f.repository_arn = (*parts)[2] == "ecr" && (*parts)[5].starts_with("repository/");
  return f;
}

bool IsCreateRepository(std::string_view action) {
  return match::AsciiEqualsIgnoreCase(action, "ecr:CreateRepository");
}

}  // namespace

// Builds a Store from the document tree. Not in the anonymous namespace: Store names it as a
// friend so that the loader can fill the private indexes directly.
class Loader {
 public:
  Loader(std::string_view source, Store& store) : source_(source), store_(store) {}

  Status Run(const Node& root) {
    if (!root.is_object()) {
      return Located("STORE_SYNTAX", "a store must be a JSON object", root, source_, "");
    }
    PE_RETURN_IF_ERROR(CheckFields(root, "", "the store",
                                   {"description", "accounts", "managedPolicies", "groups",
                                    "principals", "repositories", "registries"}));
    PE_RETURN_IF_ERROR(OptionalString(root, "", "description", nullptr));
    PE_RETURN_IF_ERROR(EachItem(root, "", "accounts", &Loader::ReadAccount));
    PE_RETURN_IF_ERROR(EachItem(root, "", "managedPolicies", &Loader::ReadManagedPolicy));
    PE_RETURN_IF_ERROR(EachItem(root, "", "groups", &Loader::ReadGroup));
    PE_RETURN_IF_ERROR(EachItem(root, "", "principals", &Loader::ReadPrincipal));
    PE_RETURN_IF_ERROR(EachItem(root, "", "repositories", &Loader::ReadRepository));
    PE_RETURN_IF_ERROR(EachItem(root, "", "registries", &Loader::ReadRegistry));
    return ParseBoundaries();
  }

 private:
  using ItemReader = Status (Loader::*)(const Node&, const std::string&);

  Status Syntax(std::string message, const Node& at, const std::string& pointer) const {
    return Located("STORE_SYNTAX", std::move(message), at, source_, pointer);
  }

  // Unknown fields are errors: a misspelt `permissionBoundary` must not silently drop a boundary.
  Status CheckFields(const Node& obj, const std::string& pointer, std::string_view what,
                     std::initializer_list<std::string_view> allowed) const {
    for (const json::Member& m : obj.members) {
      if (std::find(allowed.begin(), allowed.end(), m.name) != allowed.end()) continue;
      std::string expected;
      for (std::string_view a : allowed) {
        expected += (expected.empty() ? "" : ", ") + Tick(a);
      }
      return LocatedAt("STORE_UNKNOWN_FIELD",
                       "unknown field " + Tick(m.name) + " in " + std::string(what) +
                           " (expected " + expected + ")",
                       m.name_offset, source_, Child(pointer, m.name));
    }
    return Status::Ok();
  }

  // A member that is absent or JSON null counts as not given.
  static const Node* Present(const Node& obj, std::string_view name) {
    const Node* n = obj.Find(name);
    return (n == nullptr || n->type == Type::kNull) ? nullptr : n;
  }

  Status RequiredString(const Node& obj, const std::string& pointer, std::string_view name,
                        std::string_view what, std::string& out) const {
    const Node* n = Present(obj, name);
    if (n == nullptr) {
      return Located("STORE_MISSING_FIELD", std::string(what) + " has no " + Tick(name), obj,
                     source_, pointer);
    }
    if (!n->is_string()) {
      return Syntax(Tick(name) + " must be a string, got " + std::string(json::TypeName(n->type)),
                    *n, Child(pointer, name));
    }
    out = n->text;
    return Status::Ok();
  }

  Status OptionalString(const Node& obj, const std::string& pointer, std::string_view name,
                        std::optional<std::string>* out) const {
    const Node* n = Present(obj, name);
    if (n == nullptr) return Status::Ok();
    if (!n->is_string()) {
      return Syntax(Tick(name) + " must be a string, got " + std::string(json::TypeName(n->type)),
                    *n, Child(pointer, name));
    }
    if (out != nullptr) *out = n->text;
    return Status::Ok();
  }

  Status ExpectArray(const Node& n, const std::string& pointer, std::string_view name) const {
    if (n.is_array()) return Status::Ok();
    return Syntax(Tick(name) + " must be an array, got " + std::string(json::TypeName(n.type)), n,
                  pointer);
  }

  Status EachItem(const Node& obj, const std::string& pointer, std::string_view name,
                  ItemReader reader) {
    const Node* list = Present(obj, name);
    if (list == nullptr) return Status::Ok();
    std::string p = Child(pointer, name);
    PE_RETURN_IF_ERROR(ExpectArray(*list, p, name));
    for (size_t i = 0; i < list->items.size(); ++i) {
      const Node& item = list->items[i];
      std::string ip = Child(p, i);
      if (!item.is_object()) {
        return Syntax("each entry of " + Tick(name) + " must be an object, got " +
                          std::string(json::TypeName(item.type)),
                      item, ip);
      }
      PE_RETURN_IF_ERROR((this->*reader)(item, ip));
    }
    return Status::Ok();
  }

  Result<eval::PolicyRef> ParseDoc(const Node& doc, const std::string& pointer, std::string name,
                                   PolicyKind kind, bool enforce_size_limit) const {
    parse::PolicyParseOptions opt;
    opt.kind = kind;
    opt.enforce_size_limit = enforce_size_limit;
    auto policy = parse::ParsePolicyNode(doc, source_, pointer, opt);
    if (!policy) return policy.error();
    return eval::PolicyRef{std::move(name),
                           std::make_shared<const model::Policy>(std::move(*policy))};
  }

  // A policy entry: {"name": …, "policy": {…}, "description": …}, or (unless `require_name`) a
  // bare policy document. An object with a `policy` member is an entry; anything else a document.
  Result<eval::PolicyRef> ReadPolicyEntry(const Node& node, const std::string& pointer,
                                          const std::string& default_name, PolicyKind kind,
                                          bool require_name, bool enforce_size_limit,
                                          std::string* name_out = nullptr) const {
    if (!node.is_object()) {
      return Syntax(
          "a policy entry must be an object, got " + std::string(json::TypeName(node.type)), node,
          pointer);
    }
    if (node.Find("policy") == nullptr) {
      if (require_name) {
        return Located("STORE_MISSING_FIELD",
                       "an inline policy must be written as {\"name\": …, \"policy\": {…}}", node,
                       source_, pointer);
      }
      return ParseDoc(node, pointer, default_name, kind, enforce_size_limit);
    }
    PE_RETURN_IF_ERROR(
        CheckFields(node, pointer, "a policy entry", {"name", "policy", "description"}));
    PE_RETURN_IF_ERROR(OptionalString(node, pointer, "description", nullptr));
    std::string name = default_name;
    if (require_name) {
      PE_RETURN_IF_ERROR(RequiredString(node, pointer, "name", "the policy entry", name));
      if (!IsIamName(name, 128)) {
        return Syntax("policy name " + Tick(name) + " must be 1 to 128 of [A-Za-z0-9+=,.@_-]",
                      *node.Find("name"), Child(pointer, "name"));
      }
    } else {
      std::optional<std::string> given;
      PE_RETURN_IF_ERROR(OptionalString(node, pointer, "name", &given));
      if (given) name = *given;
    }
    if (name_out != nullptr) *name_out = name;
    const Node* doc = Present(node, "policy");
    if (doc == nullptr) {
      return Located("STORE_MISSING_FIELD", "the policy entry has a null `policy`", node, source_,
                     pointer);
    }
    return ParseDoc(*doc, Child(pointer, "policy"), std::move(name), kind, enforce_size_limit);
  }

  // SCP / RCP levels: an array of levels (root first), each an array of policy entries.
  Result<std::vector<std::vector<eval::PolicyRef>>> ReadLevels(const Node& node,
                                                               const std::string& pointer,
                                                               std::string_view field,
                                                               PolicyKind kind) const {
    std::vector<std::vector<eval::PolicyRef>> levels;
    PE_RETURN_IF_ERROR(ExpectArray(node, pointer, field));
    for (size_t l = 0; l < node.items.size(); ++l) {
      const Node& level = node.items[l];
      std::string lp = Child(pointer, l);
      if (!level.is_array()) {
        return Syntax(
            Tick(field) + " must be an array of levels (root first), each an array of policies",
            level, lp);
      }
      std::vector<eval::PolicyRef> refs;
      for (size_t i = 0; i < level.items.size(); ++i) {
        std::string name = std::string(field.substr(0, 3)) + "[" + std::to_string(l) + "][" +
                           std::to_string(i) + "]";
        auto ref = ReadPolicyEntry(level.items[i], Child(lp, i), name, kind, false, true);
        if (!ref) return ref.error();
        refs.push_back(std::move(*ref));
      }
      levels.push_back(std::move(refs));
    }
    return levels;
  }

  // `inlinePolicies` of a user, role or group: named entries, names unique per owner, and the
  // aggregate size quota of R32 instead of a per-policy limit.
  Result<std::vector<eval::PolicyRef>> ReadInlinePolicies(const Node& owner,
                                                          const std::string& pointer,
                                                          const std::string& owner_arn,
                                                          std::string_view owner_kind,
                                                          size_t aggregate_limit) const {
    std::vector<eval::PolicyRef> out;
    const Node* list = Present(owner, "inlinePolicies");
    if (list == nullptr) return out;
    std::string p = Child(pointer, "inlinePolicies");
    PE_RETURN_IF_ERROR(ExpectArray(*list, p, "inlinePolicies"));
    std::set<std::string> names;
    size_t total = 0;
    for (size_t i = 0; i < list->items.size(); ++i) {
      std::string name;
      auto ref = ReadPolicyEntry(list->items[i], Child(p, i), "", PolicyKind::kIdentity, true,
                                 false, &name);
      if (!ref) return ref.error();
      if (!names.insert(name).second) {
        return Located("STORE_DUPLICATE",
                       "duplicate inline policy name " + Tick(name) + " on " + Tick(owner_arn),
                       *list->items[i].Find("name"), source_, Child(Child(p, i), "name"));
      }
      const Node& doc = *list->items[i].Find("policy");
      total +=
          parse::MeasurePolicy(source_.substr(doc.begin, doc.end - doc.begin)).without_whitespace;
      ref->name = owner_arn + "#" + name;
      out.push_back(std::move(*ref));
    }
    if (total > aggregate_limit) {
      return Located("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                     "inline policies of " + std::string(owner_kind) + " " + Tick(owner_arn) +
                         " are " + std::to_string(total) +
                         " characters without whitespace, over the aggregate limit of " +
                         std::to_string(aggregate_limit) + " (R32)",
                     *list, source_, p);
    }
    return out;
  }

  // `managedPolicies` of a user, role or group: known ARNs, AWS managed or of the owner's account.
  Result<std::vector<std::string>> ReadAttachments(const Node& owner, const std::string& pointer,
                                                   const std::string& account) const {
    std::vector<std::string> out;
    const Node* list = Present(owner, "managedPolicies");
    if (list == nullptr) return out;
    std::string p = Child(pointer, "managedPolicies");
    PE_RETURN_IF_ERROR(ExpectArray(*list, p, "managedPolicies"));
    for (size_t i = 0; i < list->items.size(); ++i) {
      const Node& item = list->items[i];
      std::string ip = Child(p, i);
      if (!item.is_string()) {
        return Syntax("`managedPolicies` entries must be policy ARNs (strings)", item, ip);
      }
      PE_RETURN_IF_ERROR(CheckManagedReference(item, ip, account));
      if (std::find(out.begin(), out.end(), item.text) != out.end()) {
        return Located("STORE_DUPLICATE",
                       "managed policy " + Tick(item.text) + " is attached twice", item, source_,
                       ip);
      }
      out.push_back(item.text);
    }
    return out;
  }

  Status CheckManagedReference(const Node& ref, const std::string& pointer,
                               const std::string& account) const {
    auto it = store_.managed_.find(ref.text);
    if (it == store_.managed_.end()) {
      return Located("STORE_UNKNOWN_REFERENCE",
                     "unknown managed policy " + Tick(ref.text) + " (not in `managedPolicies`)",
                     ref, source_, pointer);
    }
    if (!it->second.aws_managed) {
      std::string_view owner = (*match::SplitArn(ref.text))[4];
      if (owner != account) {
        return Located("STORE_INVALID_REFERENCE",
                       "managed policy " + Tick(ref.text) + " belongs to account " + Tick(owner) +
                           " and cannot be attached in account " + Tick(account),
                       ref, source_, pointer);
      }
    }
    return Status::Ok();
  }

  Status CheckAccountKnown(const Node& at, const std::string& pointer,
                           const std::string& account) const {
    if (store_.accounts_.count(account) != 0) return Status::Ok();
    return Located("STORE_UNKNOWN_REFERENCE", "account " + Tick(account) + " is not in `accounts`",
                   at, source_, pointer);
  }

  Status ReadAccount(const Node& obj, const std::string& p) {
    PE_RETURN_IF_ERROR(
        CheckFields(obj, p, "an account",
                    {"id", "description", "orgId", "orgPaths", "management", "scps", "rcps"}));
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "description", nullptr));
    Account a;
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "id", "the account", a.id));
    const Node& id = *obj.Find("id");
    if (!IsAccountId(a.id))
      return Syntax("account id " + Tick(a.id) + " must be 12 digits", id, Child(p, "id"));
    if (store_.accounts_.count(a.id) != 0) {
      return Located("STORE_DUPLICATE", "duplicate account " + Tick(a.id), id, source_,
                     Child(p, "id"));
    }
    std::optional<std::string> org;
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "orgId", &org));
    if (org) {
      if (!IsOrgId(*org)) {
        return Syntax("organization id " + Tick(*org) + " must match `o-[a-z0-9]{10,32}`",
                      *obj.Find("orgId"), Child(p, "orgId"));
      }
      a.org_id = *org;
    }
    // Everything below describes an organization member and needs `orgId`.
    auto needs_org = [&](std::string_view field) -> Status {
      if (!a.org_id.empty()) return Status::Ok();
      return Located("STORE_MISSING_FIELD",
                     Tick(field) + " needs `orgId`: only organization members have it",
                     *obj.Find(field), source_, Child(p, field));
    };
    if (const Node* paths = Present(obj, "orgPaths")) {
      PE_RETURN_IF_ERROR(needs_org("orgPaths"));
      std::string pp = Child(p, "orgPaths");
      PE_RETURN_IF_ERROR(ExpectArray(*paths, pp, "orgPaths"));
      for (size_t i = 0; i < paths->items.size(); ++i) {
        const Node& path = paths->items[i];
        // aws:PrincipalOrgPaths values look like o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/.
        if (!path.is_string() || !path.text.starts_with(a.org_id + "/r-") ||
            !path.text.ends_with("/")) {
          return Syntax("organization path must be a string `" + a.org_id + "/r-…/…/`", path,
                        Child(pp, i));
        }
        a.org_paths.push_back(path.text);
      }
    }
    if (const Node* m = Present(obj, "management")) {
      if (m->type != Type::kBool) {
        return Syntax("`management` must be a boolean", *m, Child(p, "management"));
      }
      if (m->boolean) PE_RETURN_IF_ERROR(needs_org("management"));
      a.management = m->boolean;
    }
    if (const Node* scps = Present(obj, "scps")) {
      PE_RETURN_IF_ERROR(needs_org("scps"));
      auto levels = ReadLevels(*scps, Child(p, "scps"), "scps", PolicyKind::kScp);
      if (!levels) return levels.error();
      a.scp_levels = std::move(*levels);
    }
    if (const Node* rcps = Present(obj, "rcps")) {
      PE_RETURN_IF_ERROR(needs_org("rcps"));
      auto levels = ReadLevels(*rcps, Child(p, "rcps"), "rcps", PolicyKind::kRcp);
      if (!levels) return levels.error();
      a.rcp_levels = std::move(*levels);
    }
    std::string key = a.id;
    store_.accounts_.emplace(std::move(key), std::move(a));
    return Status::Ok();
  }

  Status ReadManagedPolicy(const Node& obj, const std::string& p) {
    PE_RETURN_IF_ERROR(CheckFields(obj, p, "a managed policy", {"arn", "description", "policy"}));
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "description", nullptr));
    ManagedPolicy mp;
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "arn", "the managed policy", mp.arn));
    const Node& arn = *obj.Find("arn");
    std::string ap = Child(p, "arn");
    auto parts = match::SplitArn(mp.arn);
    bool shape = parts && !(*parts)[1].empty() && (*parts)[2] == "iam" && (*parts)[3].empty() &&
                 ((*parts)[4] == "aws" || IsAccountId((*parts)[4])) &&
                 (*parts)[5].starts_with("policy/") && IsIamPathAndName((*parts)[5].substr(7), 128);
    if (!shape) {
      return Syntax(Tick(mp.arn) + " is not a managed policy ARN " +
                        "(arn:aws:iam::ACCOUNT:policy/NAME or arn:aws:iam::aws:policy/NAME)",
                    arn, ap);
    }
    mp.aws_managed = (*parts)[4] == "aws";
    if (!mp.aws_managed) PE_RETURN_IF_ERROR(CheckAccountKnown(arn, ap, std::string((*parts)[4])));
    if (store_.managed_.count(mp.arn) != 0) {
      return Located("STORE_DUPLICATE", "duplicate managed policy " + Tick(mp.arn), arn, source_,
                     ap);
    }
    const Node* doc = Present(obj, "policy");
    if (doc == nullptr) {
      return Located("STORE_MISSING_FIELD", "the managed policy has no `policy`", obj, source_, p);
    }
    // R32: AWS managed policies are exempt from the customer-managed quota.
    auto ref = ParseDoc(*doc, Child(p, "policy"), mp.arn, PolicyKind::kIdentity, !mp.aws_managed);
    if (!ref) return ref.error();
    mp.policy = std::move(ref->policy);
    managed_docs_[mp.arn] = {doc, Child(p, "policy")};
    std::string key = mp.arn;
    store_.managed_.emplace(std::move(key), std::move(mp));
    return Status::Ok();
  }

  Status ReadGroup(const Node& obj, const std::string& p) {
    PE_RETURN_IF_ERROR(
        CheckFields(obj, p, "a group",
                    {"account", "name", "description", "inlinePolicies", "managedPolicies"}));
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "description", nullptr));
    Group g;
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "account", "the group", g.account));
    PE_RETURN_IF_ERROR(CheckAccountKnown(*obj.Find("account"), Child(p, "account"), g.account));
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "name", "the group", g.name));
    const Node& name = *obj.Find("name");
    if (!IsIamName(g.name, 128)) {
      return Syntax("group name " + Tick(g.name) + " must be 1 to 128 of [A-Za-z0-9+=,.@_-]", name,
                    Child(p, "name"));
    }
    // IAM names are unique ignoring case within an account.
    if (!group_names_.insert(g.account + "/" + match::AsciiLower(g.name)).second) {
      return Located("STORE_DUPLICATE",
                     "duplicate group " + Tick(g.name) + " in account " + Tick(g.account), name,
                     source_, Child(p, "name"));
    }
    g.arn = "arn:aws:iam::" + g.account + ":group/" + g.name;
    auto inl = ReadInlinePolicies(obj, p, g.arn, "group", kGroupInlineLimit);
    if (!inl) return inl.error();
    g.inline_policies = std::move(*inl);
    auto managed = ReadAttachments(obj, p, g.account);
    if (!managed) return managed.error();
    g.managed_policy_arns = std::move(*managed);
    std::string key = g.account + "/" + g.name;
    store_.groups_.emplace(std::move(key), std::move(g));
    return Status::Ok();
  }

  Status ReadPrincipal(const Node& obj, const std::string& p) {
    PE_RETURN_IF_ERROR(
        CheckFields(obj, p, "a principal",
                    {"arn", "description", "uniqueId", "tags", "groups", "inlinePolicies",
                     "managedPolicies", "permissionsBoundary", "accessKeys"}));
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "description", nullptr));
    Entity e;
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "arn", "the principal", e.arn));
    const Node& arn = *obj.Find("arn");
    std::string ap = Child(p, "arn");
    auto parsed = model::ParsePrincipal(e.arn);
    auto parts = match::SplitArn(e.arn);
    if (!parsed || !parts ||
        (parsed->kind != PrincipalKind::kUser && parsed->kind != PrincipalKind::kRole) ||
        !IsIamPathAndName((*parts)[5].substr((*parts)[5].find('/') + 1), 64)) {
      return Syntax(Tick(e.arn) + " is not an IAM user or role ARN " +
                        "(arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME)",
                    arn, ap);
    }
    e.kind = parsed->kind;
    e.partition = parsed->partition;
    e.account = parsed->account;
    e.name = e.arn.substr(e.arn.rfind('/') + 1);
    bool user = e.kind == PrincipalKind::kUser;
    PE_RETURN_IF_ERROR(CheckAccountKnown(arn, ap, e.account));
    if (store_.entities_.count(e.arn) != 0) {
      return Located("STORE_DUPLICATE", "duplicate principal " + Tick(e.arn), arn, source_, ap);
    }
    // IAM user and role names are unique ignoring case within an account, whatever the path (R54).
    std::string name_key = e.account + "/" + match::AsciiLower(e.name);
    if (!(user ? user_names_ : store_.roles_by_name_).emplace(name_key, e.arn).second) {
      return Located("STORE_DUPLICATE",
                     std::string(user ? "another user" : "another role") + " named " +
                         Tick(e.name) + " exists in account " + Tick(e.account) +
                         " (IAM names are unique ignoring case)",
                     arn, source_, ap);
    }
    std::optional<std::string> uid;
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "uniqueId", &uid));
    if (uid) {
      if (!IsUniqueId(*uid, e.kind)) {
        return Syntax("unique id " + Tick(*uid) + " must be " + (user ? "`AIDA`" : "`AROA`") +
                          " followed by upper-case letters and digits, 16 to 32 in all",
                      *obj.Find("uniqueId"), Child(p, "uniqueId"));
      }
      e.unique_id = *uid;
    } else {
      e.unique_id = GeneratedUniqueId(user ? "AIDA" : "AROA", e.arn);
    }
    if (!unique_ids_.insert(e.unique_id).second) {
      const Node& at = uid ? *obj.Find("uniqueId") : arn;
      return Located("STORE_DUPLICATE", "unique id " + Tick(e.unique_id) + " is used twice", at,
                     source_, uid ? Child(p, "uniqueId") : ap);
    }
    if (const Node* tags = Present(obj, "tags")) {
      auto t = ReadTags(*tags, source_, Child(p, "tags"), /*keys_case_insensitive=*/true);
      if (!t) return t.error();
      e.tags = std::move(*t);
    }
    if (const Node* groups = Present(obj, "groups")) {
      std::string gp = Child(p, "groups");
      if (!user) {
        return Located("STORE_INVALID_REFERENCE",
                       "only users belong to groups, " + Tick(e.arn) + " is a role", *groups,
                       source_, gp);
      }
      PE_RETURN_IF_ERROR(ExpectArray(*groups, gp, "groups"));
      for (size_t i = 0; i < groups->items.size(); ++i) {
        const Node& g = groups->items[i];
        if (!g.is_string()) return Syntax("`groups` entries must be group names", g, Child(gp, i));
        if (store_.groups_.count(e.account + "/" + g.text) == 0) {
          return Located("STORE_UNKNOWN_REFERENCE",
                         "unknown group " + Tick(g.text) + " in account " + Tick(e.account), g,
                         source_, Child(gp, i));
        }
        if (std::find(e.groups.begin(), e.groups.end(), g.text) != e.groups.end()) {
          return Located("STORE_DUPLICATE", "group " + Tick(g.text) + " is listed twice", g,
                         source_, Child(gp, i));
        }
        e.groups.push_back(g.text);
      }
    }
    auto inl = ReadInlinePolicies(obj, p, e.arn, user ? "user" : "role",
                                  user ? kUserInlineLimit : kRoleInlineLimit);
    if (!inl) return inl.error();
    e.inline_policies = std::move(*inl);
    auto managed = ReadAttachments(obj, p, e.account);
    if (!managed) return managed.error();
    e.managed_policy_arns = std::move(*managed);
    if (const Node* pb = Present(obj, "permissionsBoundary")) {
      std::string bp = Child(p, "permissionsBoundary");
      if (!pb->is_string()) {
        return Syntax("`permissionsBoundary` must be a managed policy ARN", *pb, bp);
      }
      PE_RETURN_IF_ERROR(CheckManagedReference(*pb, bp, e.account));
      e.boundary_arn = pb->text;
      boundaries_.insert(pb->text);
    }
    if (const Node* keys = Present(obj, "accessKeys")) {
      PE_RETURN_IF_ERROR(ReadAccessKeys(*keys, Child(p, "accessKeys"), e));
    }
    std::string key = e.arn;
    store_.entities_.emplace(std::move(key), std::move(e));
    return Status::Ok();
  }

  // IAM: users only, at most two keys each; ids AKIA + upper-case letters and digits (16–128
  // characters), unique in the store; secrets 16–128 printable ASCII characters.
  Status ReadAccessKeys(const Node& keys, const std::string& kp, const Entity& e) {
    if (e.kind != PrincipalKind::kUser) {
      return Located("STORE_INVALID_REFERENCE",
                     "only users have access keys, " + Tick(e.arn) + " is a role", keys, source_,
                     kp);
    }
    PE_RETURN_IF_ERROR(ExpectArray(keys, kp, "accessKeys"));
    if (keys.items.size() > 2) {
      return Syntax("a user has at most 2 access keys (IAM quota)", keys, kp);
    }
    for (size_t i = 0; i < keys.items.size(); ++i) {
      const Node& k = keys.items[i];
      std::string ip = Child(kp, i);
      if (!k.is_object()) return Syntax("an access key must be an object", k, ip);
      PE_RETURN_IF_ERROR(CheckFields(k, ip, "an access key",
                                     {"accessKeyId", "secretAccessKey", "status", "description"}));
      AccessKey key;
      key.principal_arn = e.arn;
      PE_RETURN_IF_ERROR(RequiredString(k, ip, "accessKeyId", "the access key", key.id));
      PE_RETURN_IF_ERROR(RequiredString(k, ip, "secretAccessKey", "the access key", key.secret));
      const Node& id = *k.Find("accessKeyId");
      bool id_ok = key.id.size() >= 16 && key.id.size() <= 128 && key.id.starts_with("AKIA") &&
                   std::all_of(key.id.begin(), key.id.end(), [](char c) {
                     return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                   });
      if (!id_ok) {
        return Syntax(
            "access key id " + Tick(key.id) +
                " must be AKIA followed by upper-case letters and digits, 16 to 128 in all",
            id, Child(ip, "accessKeyId"));
      }
      bool secret_ok = key.secret.size() >= 16 && key.secret.size() <= 128 &&
                       std::all_of(key.secret.begin(), key.secret.end(),
                                   [](char c) { return c > ' ' && c < 0x7f; });
      if (!secret_ok) {
        // The secret itself is never echoed in an error.
        return Syntax("a secret access key must be 16 to 128 printable ASCII characters",
                      *k.Find("secretAccessKey"), Child(ip, "secretAccessKey"));
      }
      std::optional<std::string> status;
      PE_RETURN_IF_ERROR(OptionalString(k, ip, "status", &status));
      if (status && *status != "Active" && *status != "Inactive") {
        return Syntax("`status` must be \"Active\" or \"Inactive\"", *k.Find("status"),
                      Child(ip, "status"));
      }
      key.active = !status || *status == "Active";
      if (store_.access_keys_.count(key.id) != 0) {
        return Located("STORE_DUPLICATE", "access key id " + Tick(key.id) + " is used twice", id,
                       source_, Child(ip, "accessKeyId"));
      }
      std::string id_copy = key.id;
      store_.access_keys_.emplace(std::move(id_copy), std::move(key));
    }
    return Status::Ok();
  }

  // ECR's repository settings (CreateRepository's names) are registry state, not authorization
  // input: checked for shape here, carried verbatim to the front end, validated there.
  Status ReadRegistrySettings(const Node& obj, const std::string& p, Repository& r) {
    std::string text;
    for (const char* field : {"imageTagMutability", "imageTagMutabilityExclusionFilters"}) {
      const Node* value = Present(obj, field);
      if (value == nullptr) continue;
      bool is_mode = std::string_view(field) == "imageTagMutability";
      if (is_mode ? !value->is_string() : !value->is_array()) {
        return Syntax(Tick(field) + (is_mode ? " must be a string" : " must be an array"), *value,
                      Child(p, field));
      }
      text += text.empty() ? "{" : ",";
      text += "\"" + std::string(field) + "\":";
      text += source_.substr(value->begin, value->end - value->begin);
    }
    if (!text.empty()) r.registry_settings = text + "}";
    return Status::Ok();
  }

  Status ReadRepository(const Node& obj, const std::string& p) {
    PE_RETURN_IF_ERROR(CheckFields(obj, p, "a repository",
                                   {"arn", "description", "tags", "policy", "imageTagMutability",
                                    "imageTagMutabilityExclusionFilters"}));
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "description", nullptr));
    Repository r;
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "arn", "the repository", r.arn));
    const Node& arn = *obj.Find("arn");
    std::string ap = Child(p, "arn");
    auto parts = match::SplitArn(r.arn);
    bool shape = parts && !(*parts)[1].empty() && (*parts)[2] == "ecr" && IsRegion((*parts)[3]) &&
                 IsAccountId((*parts)[4]) && (*parts)[5].starts_with("repository/") &&
                 IsRepositoryName((*parts)[5].substr(11));
    if (!shape) {
      return Syntax(Tick(r.arn) + " is not a repository ARN " +
                        "(arn:aws:ecr:REGION:ACCOUNT:repository/NAME, NAME as in R137)",
                    arn, ap);
    }
    r.region = std::string((*parts)[3]);
    r.account = std::string((*parts)[4]);
    r.name = std::string((*parts)[5].substr(11));
    PE_RETURN_IF_ERROR(CheckAccountKnown(arn, ap, r.account));
    if (store_.repositories_.count(r.arn) != 0) {
      return Located("STORE_DUPLICATE", "duplicate repository " + Tick(r.arn), arn, source_, ap);
    }
    if (const Node* tags = Present(obj, "tags")) {
      // R63: ECR tag keys are case-sensitive; `env` and `Env` may both exist.
      auto t = ReadTags(*tags, source_, Child(p, "tags"), /*keys_case_insensitive=*/false);
      if (!t) return t.error();
      r.tags = std::move(*t);
    }
    if (const Node* doc = Present(obj, "policy")) {
      auto ref = ParseDoc(*doc, Child(p, "policy"), r.arn, PolicyKind::kRepository, true);
      if (!ref) return ref.error();
      r.policy = std::move(*ref);
    }
    PE_RETURN_IF_ERROR(ReadRegistrySettings(obj, p, r));
    std::string key = r.arn;
    store_.repositories_.emplace(std::move(key), std::move(r));
    return Status::Ok();
  }

  Status ReadRegistry(const Node& obj, const std::string& p) {
    PE_RETURN_IF_ERROR(
        CheckFields(obj, p, "a registry", {"account", "region", "description", "policy"}));
    PE_RETURN_IF_ERROR(OptionalString(obj, p, "description", nullptr));
    Registry r;
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "account", "the registry", r.account));
    PE_RETURN_IF_ERROR(CheckAccountKnown(*obj.Find("account"), Child(p, "account"), r.account));
    PE_RETURN_IF_ERROR(RequiredString(obj, p, "region", "the registry", r.region));
    const Node& region = *obj.Find("region");
    if (!IsRegion(r.region)) {
      return Syntax("region " + Tick(r.region) + " must be lower-case letters, digits and `-`",
                    region, Child(p, "region"));
    }
    if (store_.FindRegistry(r.account, r.region) != nullptr) {
      return Located("STORE_DUPLICATE",
                     "duplicate registry for account " + Tick(r.account) + " in " + Tick(r.region),
                     region, source_, Child(p, "region"));
    }
    const Node* doc = Present(obj, "policy");
    if (doc == nullptr) {
      return Located("STORE_MISSING_FIELD", "the registry has no `policy`", obj, source_, p);
    }
    auto ref = ParseDoc(*doc, Child(p, "policy"), "registry:" + r.account + ":" + r.region,
                        PolicyKind::kRegistry, true);
    if (!ref) return ref.error();
    r.policy = std::move(*ref);
    store_.registries_.push_back(std::move(r));
    return Status::Ok();
  }

  // A managed policy used as a boundary is parsed a second time with the boundary kind (R24), so
  // that explanations and the compiled engine see the role it plays.
  Status ParseBoundaries() {
    for (const std::string& arn : boundaries_) {
      ManagedPolicy& mp = store_.managed_.at(arn);
      const auto& [doc, pointer] = managed_docs_.at(arn);
      auto ref = ParseDoc(*doc, pointer, arn, PolicyKind::kPermissionsBoundary, !mp.aws_managed);
      if (!ref) return ref.error();
      mp.boundary = std::move(ref->policy);
    }
    return Status::Ok();
  }

  std::string_view source_;
  Store& store_;
  std::set<std::string> group_names_;              // "ACCT/lower-case name"
  std::map<std::string, std::string> user_names_;  // "ACCT/lower-case name" -> ARN
  std::set<std::string> unique_ids_;
  std::set<std::string> boundaries_;  // managed ARNs used as boundaries
  std::map<std::string, std::pair<const Node*, std::string>> managed_docs_;  // ARN -> doc, pointer
};

Result<Store> Store::Load(std::string_view text) {
  auto root = json::Parse(text);
  if (!root) return root.error();
  Store store;
  Loader loader(text, store);
  PE_RETURN_IF_ERROR(loader.Run(*root));
  return store;
}

const Entity* Store::FindRoleByName(std::string_view account, std::string_view name) const {
  auto it = roles_by_name_.find(std::string(account) + "/" + match::AsciiLower(name));
  if (it == roles_by_name_.end()) return nullptr;
  return &entities_.at(it->second);
}

const Entity* Store::EntityFor(const model::Principal& principal) const {
  std::string_view arn;
  if (principal.kind == PrincipalKind::kUser) {
    arn = principal.arn;
  } else if (principal.kind == PrincipalKind::kAssumedRole ||
             principal.kind == PrincipalKind::kRole) {
    arn = principal.role_arn;
  } else {
    return nullptr;
  }
  auto it = entities_.find(std::string(arn));
  return it == entities_.end() ? nullptr : &it->second;
}

const Registry* Store::FindRegistry(std::string_view account, std::string_view region) const {
  for (const Registry& r : registries_) {
    if (r.account == account && r.region == region) return &r;
  }
  return nullptr;
}

Status Store::ResolveRequest(std::string_view principal, StoreRequest& r) const {
  // The principal: resolved against the store, so it carries what the store knows (R106).
  auto unknown = [&](std::string message) {
    SourceLocation at;
    at.pointer = "/principal";
    return Status("UNKNOWN_PRINCIPAL", std::move(message), at);
  };
  auto bad = [&](std::string message, const char* field) {
    SourceLocation at;
    at.pointer = field;
    return Status("BAD_REQUEST", std::move(message), at);
  };
  auto parsed = model::ParsePrincipal(principal);
  if (!parsed) {
    return bad(Tick(principal) +
                   " is not a principal (an IAM user, role or root ARN, an assumed-role session "
                   "ARN, a service principal name or `anonymous`)",
               "/principal");
  }
  model::Principal& p = r.request.principal;
  p = std::move(*parsed);
  switch (p.kind) {
    case PrincipalKind::kUser:
    case PrincipalKind::kRole: {
      auto it = entities_.find(p.arn);
      if (it == entities_.end() || it->second.kind != p.kind) {
        return unknown("unknown principal " + Tick(p.arn) + ": no such " +
                       (p.kind == PrincipalKind::kUser ? "user" : "role") + " in the store");
      }
      p.unique_id = it->second.unique_id;
      if (p.kind == PrincipalKind::kRole) p.role_name = it->second.name;
      break;
    }
    case PrincipalKind::kAssumedRole: {
      const Entity* role = FindRoleByName(p.account, p.role_name);
      if (role == nullptr || role->partition != p.partition) {
        return unknown("unknown principal " + Tick(p.arn) + ": no role " + Tick(p.role_name) +
                       " in account " + Tick(p.account));
      }
      if (!IsIamName(p.session_name, 64) || p.session_name.size() < 2) {
        return bad(
            "role session name " + Tick(p.session_name) + " must be 2 to 64 of [A-Za-z0-9+=,.@_-]",
            "/principal");
      }
      // The session ARN carries the role's own spelling; aws:PrincipalArn is the role ARN with
      // its path (R105), while matching ignores the path (R55).
      p.role_name = role->name;
      p.role_arn = role->arn;
      p.arn = "arn:" + p.partition + ":sts::" + p.account + ":assumed-role/" + role->name + "/" +
              p.session_name;
      // A unique-id principal naming the role matches its sessions (R56).
      p.unique_id = role->unique_id;
      break;
    }
    case PrincipalKind::kRoot:
      if (accounts_.count(p.account) == 0) {
        return unknown("unknown principal " + Tick(p.arn) + ": account " + Tick(p.account) +
                       " is not in the store");
      }
      break;
    case PrincipalKind::kFederatedUser:
      return unknown("federated-user sessions are not modelled by the store: " + Tick(p.arn));
    case PrincipalKind::kService:
    case PrincipalKind::kAnonymous:
      break;
  }
  // The action and resource, with the checks of the case format (R35, R40, R43).
  Status action_ok = match::ValidateActionPattern(r.request.action);
  if (!action_ok.ok() || r.request.action.find_first_of("*?") != std::string::npos) {
    return bad(Tick(r.request.action) + " is not an action name (`service:Action`)", "/action");
  }
  if (r.request.resource != "*" && !match::SplitArn(r.request.resource)) {
    return bad(Tick(r.request.resource) + " is not an ARN or `*`", "/resource");
  }
  PE_RETURN_IF_ERROR(driver::CheckRequestAgainstCatalog(r.request));
  if (r.request.resource != "*") r.request.resource_account = FactsOf(r.request.resource).account;

  return Status::Ok();
}

Result<StoreRequest> Store::ReadRequest(std::string_view line) const {
  auto doc = json::Parse(line);
  if (!doc) return doc.error();
  return ReadRequest(*doc, line);
}

Result<StoreRequest> Store::ReadRequest(const json::Node& node, std::string_view source) const {
  auto bad = [&](std::string message, const Node& at, std::string pointer) {
    return Located("BAD_REQUEST", std::move(message), at, source, std::move(pointer));
  };
  if (!node.is_object()) return bad("a request must be a JSON object", node, "");
  StoreRequest r;
  if (const Node* id = node.Find("id")) r.id_json = json::Dump(*id);
  static constexpr std::array<std::string_view, 8> kFields = {
      "id",       "description", "principal",     "action",
      "resource", "context",     "sessionPolicy", "sessionTags"};
  for (const json::Member& m : node.members) {
    if (std::find(kFields.begin(), kFields.end(), m.name) == kFields.end()) {
      return LocatedAt("BAD_REQUEST",
                       "unknown field " + Tick(m.name) +
                           " in a request (expected `id`, `description`, `principal`, `action`, "
                           "`resource`, `context`, `sessionPolicy`, `sessionTags`)",
                       m.name_offset, source, "/" + json::EscapePointerToken(m.name));
    }
  }
  auto field = [&](const char* name, std::string& out) -> Status {
    const Node* n = node.Find(name);
    if (n == nullptr || n->type == Type::kNull) {
      return bad(std::string("the request has no `") + name + "`", node, "");
    }
    if (!n->is_string()) {
      return bad(std::string("`") + name + "` must be a string", *n, std::string("/") + name);
    }
    out = n->text;
    return Status::Ok();
  };
  if (const Node* d = node.Find("description"); d && !d->is_string()) {
    return bad("`description` must be a string", *d, "/description");
  }
  std::string principal;
  PE_RETURN_IF_ERROR(field("principal", principal));
  PE_RETURN_IF_ERROR(field("action", r.request.action));
  PE_RETURN_IF_ERROR(field("resource", r.request.resource));

  // Principal, action and resource: checked by ResolveRequest, whose errors name the field;
  // located here in the request line.
  Status core = ResolveRequest(principal, r);
  if (!core.ok()) {
    const std::string& at = core.location().pointer;  // "/principal", "/action", "/resource"
    return Located(core.code(), core.message(), *node.Find(at.substr(1)), source, at);
  }
  const model::Principal& p = r.request.principal;
  bool session = p.kind == PrincipalKind::kAssumedRole || p.kind == PrincipalKind::kRole;

  if (const Node* ctx = node.Find("context"); ctx && ctx->type != Type::kNull) {
    auto context = driver::ReadContext(*ctx, source, "/context");
    if (!context) {
      const Status& e = context.error();
      return Status("BAD_REQUEST", e.message(), e.location());
    }
    r.request.context = std::move(*context);
  }
  if (const Node* sp = node.Find("sessionPolicy"); sp && sp->type != Type::kNull) {
    if (!session) {
      return bad("`sessionPolicy` applies only to role sessions", *sp, "/sessionPolicy");
    }
    const Node* doc = sp;
    std::string name = "session";
    std::string pointer = "/sessionPolicy";
    if (sp->is_object() && sp->Find("policy") != nullptr) {
      for (const json::Member& m : sp->members) {
        if (m.name != "name" && m.name != "policy") {
          return LocatedAt(
              "BAD_REQUEST",
              "unknown field " + Tick(m.name) + " in `sessionPolicy` (expected `name`, `policy`)",
              m.name_offset, source, "/sessionPolicy/" + json::EscapePointerToken(m.name));
        }
      }
      if (const Node* n = sp->Find("name")) {
        if (!n->is_string()) return bad("`name` must be a string", *n, "/sessionPolicy/name");
        name = n->text;
      }
      doc = sp->Find("policy");
      pointer = "/sessionPolicy/policy";
    }
    parse::PolicyParseOptions opt;
    opt.kind = PolicyKind::kSession;
    auto policy = parse::ParsePolicyNode(*doc, source, pointer, opt);
    if (!policy) return policy.error();
    r.session_policies = std::vector<eval::PolicyRef>{
        {name, std::make_shared<const model::Policy>(std::move(*policy))}};
  }
  if (const Node* st = node.Find("sessionTags"); st && st->type != Type::kNull) {
    if (!session) return bad("`sessionTags` apply only to role sessions", *st, "/sessionTags");
    auto tags = ReadTags(*st, source, "/sessionTags", /*keys_case_insensitive=*/true);
    if (!tags) {
      const Status& e = tags.error();
      return Status("BAD_REQUEST", e.message(), e.location());
    }
    r.session_tags = std::move(*tags);
  }
  return r;
}

void Store::CompleteContext(StoreRequest& request) const {
  model::Request& req = request.request;
  model::Context& c = req.context;
  // Caller-supplied keys win, compared ignoring case (R62). Derived keys are added with Set, not
  // SetDefault, so that two repository tags differing only in case both reach the context (R63).
  // The caller's keys are few (the front end supplies ~5): a scan without allocation beats a
  // set of lowered copies on the per-request path (measured: BM_EngineDecide).
  // Views into the context's own keys: std::map never moves them while keys are added.
  std::vector<std::string_view> supplied;
  supplied.reserve(c.entries().size());
  for (const auto& [lower, spellings] : c.entries()) supplied.push_back(lower);
  AddPrincipalKeys(request, supplied, c);
  AddResourceKeys(req.action, req.resource, supplied, c);
}

model::Context Store::PrincipalKeys(const StoreRequest& request) const {
  model::Context c;
  AddPrincipalKeys(request, {}, c);
  return c;
}

model::Context Store::ResourceKeys(std::string_view action, std::string_view resource) const {
  model::Context c;
  AddResourceKeys(action, resource, {}, c);
  return c;
}

namespace {

// Adds a derived key unless the caller supplied one of the same name (R62).
void AddDerived(const std::vector<std::string_view>& supplied, model::Context& c, std::string key,
                model::ContextValue value) {
  for (std::string_view lower : supplied) {
    if (match::AsciiEqualsIgnoreCase(lower, key)) return;
  }
  c.Set(std::move(key), std::move(value));
}

model::ContextValue Single(std::string v) { return model::ContextValue{false, {std::move(v)}}; }

}  // namespace

void Store::AddPrincipalKeys(const StoreRequest& request,
                             const std::vector<std::string_view>& supplied,
                             model::Context& c) const {
  const model::Principal& p = request.request.principal;
  auto add = [&](std::string key, model::ContextValue value) {
    AddDerived(supplied, c, std::move(key), std::move(value));
  };
  // R105, R146.
  const Entity* entity = EntityFor(p);
  switch (p.kind) {
    case PrincipalKind::kAnonymous:
      add("aws:PrincipalType", Single("Anonymous"));
      add("aws:userid", Single("anonymous"));
      break;
    case PrincipalKind::kService:
      add("aws:PrincipalIsAWSService", Single("true"));
      add("aws:PrincipalServiceName", Single(p.arn));
      break;
    default: {
      add("aws:PrincipalArn", Single(p.role_arn.empty() ? p.arn : p.role_arn));
      add("aws:PrincipalAccount", Single(p.account));
      add("aws:PrincipalType", Single(std::string(PrincipalTypeValue(p.kind))));
      add("aws:PrincipalIsAWSService", Single("false"));
      if (p.kind == PrincipalKind::kRoot) add("aws:userid", Single(p.account));
      if (p.kind == PrincipalKind::kUser && entity != nullptr) {
        add("aws:userid", Single(entity->unique_id));
        add("aws:username", Single(entity->name));
      }
      // A role ARN as caller stands for a session whose name is unknown: no aws:userid.
      if (p.kind == PrincipalKind::kAssumedRole && entity != nullptr) {
        add("aws:userid", Single(entity->unique_id + ":" + p.session_name));
      }
      // Session tags override the entity's tags with the same key, ignoring case (R146).
      if (entity != nullptr) {
        Tags tags = request.session_tags;
        for (const auto& [k, v] : entity->tags) {
          bool overridden = std::any_of(tags.begin(), tags.end(), [&](const auto& t) {
            return match::AsciiEqualsIgnoreCase(t.first, k);
          });
          if (!overridden) tags.emplace_back(k, v);
        }
        for (auto& [k, v] : tags) add("aws:PrincipalTag/" + k, Single(v));
      }
      auto account = accounts_.find(p.account);
      if (account != accounts_.end() && !account->second.org_id.empty()) {
        add("aws:PrincipalOrgID", Single(account->second.org_id));
        if (!account->second.org_paths.empty()) {
          add("aws:PrincipalOrgPaths", model::ContextValue{true, account->second.org_paths});
        }
      }
      break;
    }
  }
}

void Store::AddResourceKeys(std::string_view action, std::string_view resource,
                            const std::vector<std::string_view>& supplied,
                            model::Context& c) const {
  auto add = [&](std::string key, model::ContextValue value) {
    AddDerived(supplied, c, std::move(key), std::move(value));
  };
  // R146, §6.3. Nothing for `*`: the wildcard-only request names no registry.
  if (resource == "*") return;
  ResourceFacts f = FactsOf(resource);
  if (!f.account.empty()) {
    add("aws:ResourceAccount", Single(f.account));
    auto acct = accounts_.find(f.account);
    if (acct != accounts_.end() && !acct->second.org_id.empty()) {
      add("aws:ResourceOrgID", Single(acct->second.org_id));
      if (!acct->second.org_paths.empty()) {
        add("aws:ResourceOrgPaths", model::ContextValue{true, acct->second.org_paths});
      }
    }
  }
  if (!f.region.empty()) add("aws:RequestedRegion", Single(f.region));
  // R129, R130, R142: tags only for a repository that exists and is not being created.
  if (!f.repository_arn || IsCreateRepository(action)) return;
  auto repo = repositories_.find(std::string(resource));
  if (repo == repositories_.end()) return;
  for (const auto& [k, v] : repo->second.tags) {
    add("aws:ResourceTag/" + k, Single(v));  // R140: both prefixes, interchangeable
    add("ecr:ResourceTag/" + k, Single(v));
  }
}

eval::PolicySet Store::PolicySetFor(const StoreRequest& request) const {
  eval::PolicySet set;
  const model::Request& req = request.request;
  const model::Principal& p = req.principal;

  // Principal side: ID, PB, SP, SCP[] (R107). The `.at` lookups below cannot fail: Load checked
  // every group, managed policy and boundary reference.
  const Entity* entity = EntityFor(p);
  if (entity != nullptr) {
    std::set<std::string> attached;  // a policy attached directly and via a group counts once
    auto add_managed = [&](const std::vector<std::string>& arns) {
      for (const std::string& arn : arns) {
        if (attached.insert(arn).second) set.identity.push_back({arn, managed_.at(arn).policy});
      }
    };
    set.identity = entity->inline_policies;
    add_managed(entity->managed_policy_arns);
    for (const std::string& name : entity->groups) {
      const Group& g = groups_.at(entity->account + "/" + name);
      set.identity.insert(set.identity.end(), g.inline_policies.begin(), g.inline_policies.end());
      add_managed(g.managed_policy_arns);
    }
    if (entity->boundary_arn) {
      set.boundary.push_back({*entity->boundary_arn, managed_.at(*entity->boundary_arn).boundary});
    }
  }
  set.session = request.session_policies;
  // Service principals and anonymous callers have no account, hence no SCPs.
  auto account = accounts_.find(p.account);
  if (!p.account.empty() && account != accounts_.end() && !account->second.management) {
    set.scp_levels = account->second.scp_levels;
  }

  // Resource side: RCP[], RP (R107, R117, R128–R130). Wildcard-only actions have neither.
  if (req.resource == "*") return set;
  ResourceFacts f = FactsOf(req.resource);
  auto acct = accounts_.find(f.account);
  if (acct != accounts_.end() && !acct->second.management) set.rcp_levels = acct->second.rcp_levels;
  if (!f.repository_arn) return set;
  // R129: CreateRepository consults no repository policy; R130: an unknown repository has none.
  if (!IsCreateRepository(req.action)) {
    auto repo = repositories_.find(req.resource);
    if (repo != repositories_.end() && repo->second.policy) {
      set.resource.push_back(*repo->second.policy);
    }
  }
  // R127 (scope V2), R128: the registry policy applies to every repository of its registry,
  // existing or not (it is what grants CreateRepository and ReplicateImage, R133, R134).
  if (const Registry* registry = FindRegistry(f.account, f.region)) {
    set.resource.push_back(registry->policy);
  }
  return set;
}

model::DecisionResult Store::EvaluateReference(const StoreRequest& request) const {
  return eval::EvaluateReference(PolicySetFor(request), request.request);
}

Result<StoreRequest> Store::MakeRequest(std::string_view principal, std::string_view action,
                                        std::string_view resource, model::Context context) const {
  // ResolveRequest is the single place that resolves principals and checks actions and
  // resources, for request lines and for front ends alike (no JSON on this path: it is the
  // registry's and the sidecar's per-request cost).
  StoreRequest r;
  r.request.action = std::string(action);
  r.request.resource = std::string(resource);
  PE_RETURN_IF_ERROR(ResolveRequest(principal, r));
  r.request.context = std::move(context);
  return r;
}

PreparedRequest Store::Prepare(std::string_view line, size_t line_number) const {
  PreparedRequest out;
  std::string where = "line " + std::to_string(line_number) + ": ";
  auto doc = json::Parse(line);
  if (!doc) {
    out.error = where + doc.error().ToString();
    return out;
  }
  if (doc->is_object()) {
    if (const Node* id = doc->Find("id")) out.id_json = json::Dump(*id);
  }
  auto request = ReadRequest(*doc, line);
  if (!request) {
    out.error = where + request.error().ToString();
    return out;
  }
  CompleteContext(*request);
  out.policies = PolicySetFor(*request);
  out.request = std::move(request->request);
  return out;
}

}  // namespace policy_engine::store
