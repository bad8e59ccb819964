// This file's external interface is ParsePolicy / ParsePolicyNode / ValidatePolicy.
//
// The Builder walks the json::Node tree once, appending every error it finds to a list (so the
// linter sees them all); ParsePolicy returns the first. Checks are ordered so that one mistake
// yields one error: an element with the wrong JSON type is reported once and not inspected further.
#include "policy_engine/parse/parse.h"

#include <algorithm>
#include <set>

#include "policy_engine/match/match.h"

namespace policy_engine::parse {
namespace {

using json::Node;
using json::Type;
using model::PolicyKind;

constexpr std::string_view kTopLevelNames[] = {"Version", "Id", "Statement"};
constexpr std::string_view kStatementNames[] = {"Sid",          "Effect",      "Principal",
                                                "NotPrincipal", "Action",      "NotAction",
                                                "Resource",     "NotResource", "Condition"};

bool IsIamStoredKind(PolicyKind kind) {
  return kind == PolicyKind::kIdentity || kind == PolicyKind::kPermissionsBoundary ||
         kind == PolicyKind::kSession;
}

std::string SizeErrorCode(PolicyKind kind) {
  if (kind == PolicyKind::kScp) return "POLICY_SIZE_EXCEEDS_SCP_QUOTA";
  if (kind == PolicyKind::kRcp) return "POLICY_SIZE_EXCEEDS_RCP_QUOTA";
  return IsIamStoredKind(kind) ? "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"
                               : "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA";
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 80;
  if (s.size() > kMax) return "`" + std::string(s.substr(0, kMax)) + "…`";
  return "`" + std::string(s) + "`";
}

class Builder {
 public:
  Builder(std::string_view source, std::string prefix, const PolicyParseOptions& options,
          bool stop_at_first)
      : source_(source), prefix_(std::move(prefix)), opt_(options), stop_(stop_at_first) {}

  std::vector<Status>& errors() { return errors_; }

  model::Policy Build(const Node& root) {
    model::Policy policy;
    policy.kind = opt_.kind;
    if (!root.is_object()) {
      Error("DATA_TYPE_MISMATCH",
            "a policy must be a JSON object, not " + std::string(json::TypeName(root.type)), root,
            "");
      return policy;
    }
    CheckSize(root);
    if (IsIamStoredKind(opt_.kind)) CheckCharacters(root);
    for (const json::Member& m : root.members) {
      if (std::find(std::begin(kTopLevelNames), std::end(kTopLevelNames), m.name) ==
          std::end(kTopLevelNames)) {
        ErrorAtName("INVALID_POLICY_ELEMENT",
                    "unknown policy element " + Quote(m.name) +
                        " (expected `Version`, `Id` or `Statement`)",
                    m, "/" + json::EscapePointerToken(m.name));
      }
    }
    ParseVersion(root, policy);
    if (const Node* id = root.Find("Id")) {
      if (id->is_string()) {
        policy.id = id->text;
      } else {
        TypeError(*id, "/Id", "string");
      }
    }
    const Node* st = root.Find("Statement");
    if (st == nullptr) {
      Error("MISSING_STATEMENT", "the policy has no `Statement` element", root, "");
    } else if (st->is_object()) {
      ParseStatement(*st, 0, "/Statement", policy);
    } else if (st->is_array()) {
      for (size_t i = 0; i < st->items.size(); ++i) {
        const Node& s = st->items[i];
        std::string ptr = "/Statement/" + std::to_string(i);
        if (!s.is_object()) {
          TypeError(s, ptr, "object");
          continue;
        }
        ParseStatement(s, i, ptr, policy);
      }
    } else {
      TypeError(*st, "/Statement", "object or array of objects");
    }
    CheckSids(policy);
    return policy;
  }

 private:
  bool Stopped() const { return stop_ && !errors_.empty(); }

  void AddError(std::string code, std::string message, uint32_t offset, const std::string& ptr) {
    if (Stopped()) return;
    SourceLocation loc;
    loc.pointer = prefix_ + ptr;
    loc.offset = offset;
    json::FillLineColumn(source_, loc);
    errors_.emplace_back(std::move(code), std::move(message), std::move(loc));
  }
  void Error(std::string code, std::string message, const Node& at, const std::string& ptr) {
    AddError(std::move(code), std::move(message), at.begin, ptr);
  }
  void ErrorAtName(std::string code, std::string message, const json::Member& m,
                   const std::string& ptr) {
    AddError(std::move(code), std::move(message), m.name_offset, ptr);
  }
  void TypeError(const Node& at, const std::string& ptr, std::string_view expected) {
    std::string got(json::TypeName(at.type));
    Error("DATA_TYPE_MISMATCH", "expected " + std::string(expected) + ", got " + got, at, ptr);
  }

  void CheckSize(const Node& root) {
    if (!opt_.enforce_size_limit) return;
    std::string_view text = source_.substr(root.begin, root.end - root.begin);
    PolicySize size = MeasurePolicy(text);
    SizeLimit limit = SizeLimitFor(opt_.kind);
    size_t measured = limit.counts_whitespace ? size.characters : size.without_whitespace;
    if (measured > limit.limit) {
      Error(SizeErrorCode(opt_.kind),
            "policy is " + std::to_string(measured) + " characters" +
                (limit.counts_whitespace ? "" : " without whitespace") + ", over the " +
                std::string(model::PolicyKindName(opt_.kind)) + " policy limit of " +
                std::to_string(limit.limit),
            root, "");
    }
  }

  // R7: IAM-stored kinds accept only U+0009, U+000A, U+000D and U+0020–U+00FF. Strings are where
  // other characters can appear (the JSON reader already rejected stray bytes elsewhere).
  void CheckCharacters(const Node& node) {
    if (Stopped()) return;
    auto check = [&](const std::string& s, uint32_t offset) {
      for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        bool bad = false;
        if (c < 0x20) {
          bad = c != '\t' && c != '\n' && c != '\r';
        } else if (c >= 0x80) {
          // U+0080–U+00FF encode as C2/C3 lead bytes.
          bad = c != 0xC2 && c != 0xC3;
          if (!bad) ++i;
        }
        if (bad) {
          AddError("INVALID_CHARACTER",
                   "character outside U+0009, U+000A, U+000D and U+0020–U+00FF in " +
                       std::string(model::PolicyKindName(opt_.kind)) + " policy text",
                   offset, "");
          return false;
        }
      }
      return true;
    };
    if (node.type == Type::kString && !check(node.text, node.begin)) return;
    for (const json::Member& m : node.members) {
      if (!check(m.name, m.name_offset)) return;
      CheckCharacters(m.value);
    }
    for (const Node& item : node.items) CheckCharacters(item);
  }

  void ParseVersion(const Node& root, model::Policy& policy) {
    const Node* v = root.Find("Version");
    if (v == nullptr) {
      policy.version = model::PolicyVersion::kMissing;
      return;
    }
    if (v->is_string() && v->text == "2012-10-17") {
      policy.version = model::PolicyVersion::k2012_10_17;
    } else if (v->is_string() && v->text == "2008-10-17") {
      policy.version = model::PolicyVersion::k2008_10_17;
    } else {
      Error("INVALID_VERSION",
            "`Version` must be the string \"2012-10-17\" or \"2008-10-17\", got " +
                (v->is_string() ? Quote(v->text) : std::string(json::TypeName(v->type))),
            *v, "/Version");
      policy.version = model::PolicyVersion::kMissing;
    }
    variables_ = policy.version == model::PolicyVersion::k2012_10_17;
  }

  void CheckSids(const model::Policy& policy) {
    std::set<std::string> seen;
    for (const model::Statement& s : policy.statements) {
      if (!s.sid) continue;
      if (!seen.insert(*s.sid).second && IsIamStoredKind(opt_.kind) && !s.sid->empty()) {
        AddError("UNIQUE_SIDS_REQUIRED", "duplicate `Sid` " + Quote(*s.sid), sid_offsets_[s.index],
                 s.pointer + "/Sid");
      }
    }
  }

  // Reads a string-or-array-of-strings element (R21). Returns false on a type error.
  bool StringList(const Node& node, const std::string& ptr, std::vector<const Node*>& out) {
    if (node.is_string()) {
      out.push_back(&node);
      return true;
    }
    if (!node.is_array()) {
      TypeError(node, ptr, "string or array of strings");
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < node.items.size(); ++i) {
      if (!node.items[i].is_string()) {
        TypeError(node.items[i], ptr + "/" + std::to_string(i), "string");
        ok = false;
      } else {
        out.push_back(&node.items[i]);
      }
    }
    return ok;
  }

  std::string ItemPointer(const Node& list, const Node* item, const std::string& ptr) {
    if (!list.is_array()) return ptr;
    return ptr + "/" + std::to_string(item - list.items.data());
  }

  void ParseStatement(const Node& node, size_t index, const std::string& ptr,
                      model::Policy& policy) {
    model::Statement st;
    st.index = index;
    st.pointer = ptr;
    for (const json::Member& m : node.members) {
      std::string mptr = ptr + "/" + json::EscapePointerToken(m.name);
      if (std::find(std::begin(kStatementNames), std::end(kStatementNames), m.name) ==
          std::end(kStatementNames)) {
        ErrorAtName("INVALID_POLICY_ELEMENT", "unknown statement element " + Quote(m.name), m,
                    mptr);
      } else if (m.value.type == Type::kNull) {
        Error("DATA_TYPE_MISMATCH", "element " + Quote(m.name) + " is null", m.value, mptr);
      }
    }
    // Sid (R12, R13).
    if (const Node* sid = node.Find("Sid"); sid && sid->type != Type::kNull) {
      if (!sid->is_string()) {
        TypeError(*sid, ptr + "/Sid", "string");
      } else {
        st.sid = sid->text;
        if (sid_offsets_.size() <= index) sid_offsets_.resize(index + 1);
        sid_offsets_[index] = sid->begin;
        if (IsIamStoredKind(opt_.kind) &&
            !std::all_of(sid->text.begin(), sid->text.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            })) {
          Error("UNSUPPORTED_SID",
                "`Sid` " + Quote(sid->text) + " may contain only letters and digits in " +
                    std::string(model::PolicyKindName(opt_.kind)) + " policies",
                *sid, ptr + "/Sid");
        }
      }
    }
    // Effect (R16).
    const Node* effect = node.Find("Effect");
    if (effect == nullptr) {
      Error("MISSING_EFFECT", "statement has no `Effect`", node, ptr);
    } else if (effect->type != Type::kNull) {
      if (effect->is_string() && effect->text == "Allow") {
        st.effect = model::Effect::kAllow;
      } else if (effect->is_string() && effect->text == "Deny") {
        st.effect = model::Effect::kDeny;
      } else {
        Error("INVALID_EFFECT",
              "`Effect` must be \"Allow\" or \"Deny\" (case-sensitive), got " +
                  (effect->is_string() ? Quote(effect->text)
                                       : std::string(json::TypeName(effect->type))),
              *effect, ptr + "/Effect");
      }
    }
    ParseActions(node, ptr, st);
    ParseResources(node, ptr, st);
    ParsePrincipal(node, ptr, st);
    if (const Node* cond = node.Find("Condition"); cond && cond->type != Type::kNull) {
      ParseCondition(*cond, ptr + "/Condition", st);
    }
    if (opt_.kind == PolicyKind::kRcp && st.effect == model::Effect::kAllow)
      CheckRcpAllow(st, node);
    policy.statements.push_back(std::move(st));
  }

  void ParseActions(const Node& node, const std::string& ptr, model::Statement& st) {
    const Node* action = node.Find("Action");
    const Node* not_action = node.Find("NotAction");
    if (action && not_action) {
      Error("UNSUPPORTED_ELEMENT_COMBINATION", "statement has both `Action` and `NotAction`",
            *not_action, ptr + "/NotAction");
      return;
    }
    if (!action && !not_action) {
      Error("MISSING_ACTION", "statement has no `Action` or `NotAction`", node, ptr);
      return;
    }
    const Node& list = action ? *action : *not_action;
    if (list.type == Type::kNull) return;
    st.not_action = action == nullptr;
    std::string lptr = ptr + (action ? "/Action" : "/NotAction");
    std::vector<const Node*> items;
    if (!StringList(list, lptr, items)) return;
    for (const Node* item : items) {
      std::string iptr = ItemPointer(list, item, lptr);
      if (variables_ && item->text.find("${") != std::string::npos) {
        Error("VARIABLE_UNSUPPORTED_IN_ELEMENT", "policy variables are not allowed in `Action`",
              *item, iptr);
        continue;
      }
      Status s = match::ValidateActionPattern(item->text);
      if (!s.ok()) {
        Error(s.code(), s.message(), *item, iptr);
        continue;
      }
      model::PatternValue v;
      v.raw = item->text;
      auto tmpl = match::ParseTemplate(item->text, false);
      if (tmpl) v.tmpl = std::move(*tmpl);
      st.actions.push_back(std::move(v));
    }
  }

  void ParseResources(const Node& node, const std::string& ptr, model::Statement& st) {
    const Node* res = node.Find("Resource");
    const Node* not_res = node.Find("NotResource");
    if (res && not_res) {
      Error("UNSUPPORTED_ELEMENT_COMBINATION", "statement has both `Resource` and `NotResource`",
            *not_res, ptr + "/NotResource");
      return;
    }
    if (opt_.kind == PolicyKind::kRepository) {
      if (res || not_res) {
        const Node& at = res ? *res : *not_res;
        Error("ECR_REPO_POLICY_HAS_RESOURCE",
              "an ECR repository policy must not have `Resource` or `NotResource`: the "
              "repository is implied (ECR rejects such policies)",
              at, ptr + (res ? "/Resource" : "/NotResource"));
      }
      return;
    }
    if (!res && !not_res) {
      Error("MISSING_RESOURCE", "statement has no `Resource` or `NotResource`", node, ptr);
      return;
    }
    const Node& list = res ? *res : *not_res;
    if (list.type == Type::kNull) return;
    st.resource_present = true;
    st.not_resource = res == nullptr;
    std::string lptr = ptr + (res ? "/Resource" : "/NotResource");
    std::vector<const Node*> items;
    if (!StringList(list, lptr, items)) return;
    for (const Node* item : items) {
      std::string iptr = ItemPointer(list, item, lptr);
      auto tmpl = match::ParseTemplate(item->text, variables_);
      if (!tmpl) {
        Error(tmpl.error().code(), tmpl.error().message(), *item, iptr);
        continue;
      }
      if (tmpl->has_variables()) {
        // R99: no variable in the service segment (the third colon-separated field).
        std::string_view text = item->text;
        size_t colons = 0, pos = 0;
        while (colons < 2 && (pos = text.find(':', pos)) != std::string_view::npos) {
          ++colons;
          ++pos;
        }
        size_t service_end = text.find(':', pos);
        if (colons == 2 && text.substr(pos, service_end - pos).find("${") != std::string::npos) {
          Error("VARIABLE_UNSUPPORTED_IN_ELEMENT",
                "policy variables are not allowed in the service segment of an ARN", *item, iptr);
          continue;
        }
      }
      st.resources.push_back({item->text, std::move(*tmpl)});
    }
  }

  bool ValidAwsPrincipal(std::string_view v) {
    if (v == "*") return true;
    if (v.size() == 12 && AllDigits(v)) return true;
    // Unique ids (AIDA…, AROA…) appear when an entity named in a policy was deleted.
    if (v.size() >= 16 && v.size() <= 32 && v[0] == 'A' &&
        std::all_of(v.begin(), v.end(),
                    [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
      return true;
    }
    auto parts = match::SplitArn(v);
    if (!parts) return false;
    auto [arn, partition, service, region, account, resource] = *parts;
    (void)arn;
    if (partition.empty() || !region.empty() || account.size() != 12 || !AllDigits(account)) {
      return false;
    }
    if (service == "iam") {
      return resource == "root" || (resource.starts_with("user/") && resource.size() > 5) ||
             (resource.starts_with("role/") && resource.size() > 5);
    }
    if (service == "sts") {
      return (resource.starts_with("assumed-role/") && resource.size() > 13) ||
             (resource.starts_with("federated-user/") && resource.size() > 15);
    }
    return false;
  }

  void ParsePrincipal(const Node& node, const std::string& ptr, model::Statement& st) {
    const Node* pr = node.Find("Principal");
    const Node* not_pr = node.Find("NotPrincipal");
    bool resource_kind = model::IsResourceBasedKind(opt_.kind);
    if (pr && not_pr) {
      Error("UNSUPPORTED_ELEMENT_COMBINATION", "statement has both `Principal` and `NotPrincipal`",
            *not_pr, ptr + "/NotPrincipal");
      return;
    }
    if (!resource_kind) {
      if (pr || not_pr) {
        Error("UNSUPPORTED_PRINCIPAL",
              "a " + std::string(model::PolicyKindName(opt_.kind)) +
                  " policy must not have a `Principal` or `NotPrincipal` element",
              pr ? *pr : *not_pr, ptr + (pr ? "/Principal" : "/NotPrincipal"));
      }
      return;
    }
    if (!pr && !not_pr) {
      Error("MISSING_PRINCIPAL", "statement has no `Principal`", node, ptr);
      return;
    }
    const Node& el = pr ? *pr : *not_pr;
    std::string eptr = ptr + (pr ? "/Principal" : "/NotPrincipal");
    if (el.type == Type::kNull) return;
    if (not_pr) {
      if (opt_.kind != PolicyKind::kRepository && opt_.kind != PolicyKind::kResource) {
        Error("UNSUPPORTED_ELEMENT_COMBINATION",
              "`NotPrincipal` is not supported in " +
                  std::string(model::PolicyKindName(opt_.kind)) + " policies",
              el, eptr);
        return;
      }
      if (st.effect == model::Effect::kAllow && opt_.kind == PolicyKind::kRepository) {  // R24
        Error("ALLOW_WITH_NOT_PRINCIPAL", "`NotPrincipal` may only be used with `Deny`", el, eptr);
        return;
      }
    }
    model::PrincipalElement out;
    out.present = true;
    out.negated = not_pr != nullptr;
    out.pointer = eptr;
    if (el.is_string()) {
      if (el.text != "*") {
        Error("INVALID_PRINCIPAL_FORMAT",
              "a `Principal` string must be \"*\"; name principals as {\"AWS\": " + Quote(el.text) +
                  "}",
              el, eptr);
        return;
      }
      out.wildcard = true;
    } else if (!el.is_object()) {
      TypeError(el, eptr, "\"*\" or object");
      return;
    } else {
      for (const json::Member& m : el.members) {
        std::string kptr = eptr + "/" + json::EscapePointerToken(m.name);
        model::PrincipalType type;
        if (m.name == "AWS") {
          type = model::PrincipalType::kAws;
        } else if (m.name == "Service") {
          type = model::PrincipalType::kService;
        } else if (m.name == "Federated") {
          type = model::PrincipalType::kFederated;
        } else if (m.name == "CanonicalUser") {
          type = model::PrincipalType::kCanonicalUser;
        } else {
          ErrorAtName("INVALID_PRINCIPAL_KEY",
                      "unknown principal type " + Quote(m.name) +
                          " (expected `AWS`, `Service`, `Federated` or `CanonicalUser`)",
                      m, kptr);
          continue;
        }
        if (type == model::PrincipalType::kFederated ||
            type == model::PrincipalType::kCanonicalUser) {
          ErrorAtName(type == model::PrincipalType::kFederated ? "FEDERATED_PRINCIPAL_NOT_SUPPORTED"
                                                               : "UNSUPPORTED_PRINCIPAL",
                      "principal type " + Quote(m.name) + " is not supported in " +
                          std::string(model::PolicyKindName(opt_.kind)) + " policies",
                      m, kptr);
          continue;
        }
        std::vector<const Node*> items;
        if (!StringList(m.value, kptr, items)) continue;
        for (const Node* item : items) {
          std::string iptr = ItemPointer(m.value, item, kptr);
          const std::string& v = item->text;
          if (v.find("${") != std::string::npos) {
            Error("VARIABLE_UNSUPPORTED_IN_ELEMENT",
                  "policy variables are not allowed in `Principal`", *item, iptr);
            continue;
          }
          if (v != "*" && (v.find('*') != std::string::npos || v.find('?') != std::string::npos)) {
            Error("UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                  "wildcards are not allowed inside principal " + Quote(v) +
                      "; use \"*\" with an `ArnLike` condition on `aws:PrincipalArn`",
                  *item, iptr);
            continue;
          }
          if (type == model::PrincipalType::kAws) {
            if (!ValidAwsPrincipal(v)) {
              Error("INVALID_PRINCIPAL_FORMAT",
                    "principal " + Quote(v) +
                        " is not an account id, an IAM or STS principal ARN, or \"*\"",
                    *item, iptr);
              continue;
            }
            if (v == "*") out.wildcard = true;
          } else if (type == model::PrincipalType::kService) {
            bool dns = !v.empty() && v.find('.') != std::string::npos &&
                       std::all_of(v.begin(), v.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '.' || c == '-';
                       });
            if (!dns && v != "*") {
              Error("INVALID_SERVICE_PRINCIPAL_FORMAT",
                    "service principal " + Quote(v) +
                        " is not a service name such as "
                        "`codebuild.amazonaws.com`",
                    *item, iptr);
              continue;
            }
          }
          out.values.push_back({type, v});
        }
      }
    }
    if (opt_.kind == PolicyKind::kRcp && !out.wildcard) {
      Error("UNSUPPORTED_PRINCIPAL", "the `Principal` of a resource control policy must be \"*\"",
            el, eptr);
    }
    st.principal = std::move(out);
  }

  // R24: RCPs allow only the built-in full-access statement.
  void CheckRcpAllow(const model::Statement& st, const Node& node) {
    bool full = st.principal.wildcard && !st.not_action && st.actions.size() == 1 &&
                st.actions[0].raw == "*" && !st.not_resource && st.resources.size() == 1 &&
                st.resources[0].raw == "*" && st.conditions.empty();
    if (!full) {
      Error("RCP_ALLOW_NOT_SUPPORTED",
            "resource control policies support `Allow` only in the full-access statement "
            "(Principal, Action and Resource \"*\", no Condition)",
            node, st.pointer + "/Effect");
    }
  }

  // Condition value text (R22): strings as is; numbers by their token; booleans as true/false.
  bool ConditionValues(const Node& node, const std::string& ptr,
                       std::vector<std::pair<std::string, const Node*>>& out) {
    auto one = [&](const Node& v, const std::string& vptr) {
      switch (v.type) {
        case Type::kString:
        case Type::kNumber:
          out.emplace_back(v.text, &v);
          return true;
        case Type::kBool:
          out.emplace_back(v.boolean ? "true" : "false", &v);
          return true;
        default:
          TypeError(v, vptr, "string, number or boolean");
          return false;
      }
    };
    if (node.is_array()) {
      bool ok = true;
      for (size_t i = 0; i < node.items.size(); ++i) {
        ok = one(node.items[i], ptr + "/" + std::to_string(i)) && ok;
      }
      return ok;
    }
    return one(node, ptr);
  }

  void ParseCondition(const Node& node, const std::string& ptr, model::Statement& st) {
    if (!node.is_object()) {
      TypeError(node, ptr, "object");
      return;
    }
    for (const json::Member& om : node.members) {
      std::string optr = ptr + "/" + json::EscapePointerToken(om.name);
      std::string_view name = om.name;
      model::SetQualifier qualifier = model::SetQualifier::kNone;
      if (name.starts_with("ForAllValues:")) {
        qualifier = model::SetQualifier::kForAllValues;
        name.remove_prefix(13);
      } else if (name.starts_with("ForAnyValue:")) {
        qualifier = model::SetQualifier::kForAnyValue;
        name.remove_prefix(12);
      }
      bool if_exists = false;
      std::optional<model::ConditionOperator> op = model::ConditionOperatorFromName(name);
      if (!op && name.ends_with("IfExists")) {
        op = model::ConditionOperatorFromName(name.substr(0, name.size() - 8));
        if_exists = op.has_value();
      }
      if (!op) {
        ErrorAtName("INVALID_CONDITION_OPERATOR", "unknown condition operator " + Quote(om.name),
                    om, optr);
        continue;
      }
      if (*op == model::ConditionOperator::kNull && if_exists) {
        ErrorAtName("NULL_WITH_IF_EXISTS", "the `Null` operator cannot be used with `IfExists`", om,
                    optr);
        continue;
      }
      if (!om.value.is_object()) {
        TypeError(om.value, optr, "object mapping condition keys to values");
        continue;
      }
      std::set<std::string> lower_keys;
      for (const json::Member& km : om.value.members) {
        std::string kptr = optr + "/" + json::EscapePointerToken(km.name);
        model::ConditionClause clause;
        clause.qualifier = qualifier;
        clause.op = *op;
        clause.if_exists = if_exists;
        clause.operator_text = om.name;
        clause.key = km.name;
        clause.key_lower = match::AsciiLower(km.name);
        clause.pointer = kptr;
        if (!lower_keys.insert(clause.key_lower).second) {
          ErrorAtName("DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                      "condition key " + Quote(km.name) +
                          " repeats another key of this operator that differs only in case",
                      km, kptr);
          continue;
        }
        if (km.name.find("${") != std::string::npos) {
          ErrorAtName("VARIABLE_UNSUPPORTED_IN_ELEMENT",
                      "policy variables are not allowed in condition key names", km, kptr);
          continue;
        }
        size_t colon = km.name.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == km.name.size()) {
          ErrorAtName("INVALID_CONDITION_KEY_FORMAT",
                      "condition key " + Quote(km.name) + " must have the form `prefix:name`", km,
                      kptr);
          continue;
        }
        std::vector<std::pair<std::string, const Node*>> values;
        if (km.value.is_object() || km.value.type == Type::kNull) {
          TypeError(km.value, kptr, "string, number, boolean or array of them");
          continue;
        }
        if (!ConditionValues(km.value, kptr, values)) continue;
        if (values.empty() && !opt_.aws_compat) {
          Error("EMPTY_CONDITION_VALUES",
                "condition key " + Quote(km.name) + " has an empty value array", km.value, kptr);
          continue;
        }
        bool ok = true;
        for (auto& [text, vnode] : values) {
          std::string vptr = km.value.is_array() ? ItemPointer(km.value, vnode, kptr) : kptr;
          auto v = ConditionValue(clause, text, *vnode, vptr);
          if (!v) {
            ok = false;
            continue;
          }
          clause.values.push_back(std::move(*v));
        }
        if (ok) st.conditions.push_back(std::move(clause));
      }
    }
  }

  std::optional<model::PatternValue> ConditionValue(const model::ConditionClause& clause,
                                                    const std::string& text, const Node& at,
                                                    const std::string& ptr) {
    model::OperatorFamily family = model::FamilyOf(clause.op);
    bool variables_allowed = family == model::OperatorFamily::kString ||
                             family == model::OperatorFamily::kArn ||
                             family == model::OperatorFamily::kBool;
    bool has_var_syntax = variables_ && text.find("${") != std::string::npos;
    if (has_var_syntax && !variables_allowed) {
      Error("INVALID_VARIABLE_FOR_OPERATOR",
            "policy variables are not allowed in values of `" +
                std::string(model::ConditionOperatorName(clause.op)) + "`",
            at, ptr);
      return std::nullopt;
    }
    auto tmpl = match::ParseTemplate(text, variables_ && variables_allowed);
    if (!tmpl) {
      Error(tmpl.error().code(), tmpl.error().message(), at, ptr);
      return std::nullopt;
    }
    auto bad = [&](std::string_view what) {
      Error("INVALID_CONDITION_DATA_TYPE",
            Quote(text) + " is not " + std::string(what) + " (operator `" + clause.operator_text +
                "`)",
            at, ptr);
      return std::nullopt;
    };
    switch (family) {
      case model::OperatorFamily::kNumeric:
        if (!match::ParseDecimal(text)) return bad("a decimal number");
        break;
      case model::OperatorFamily::kDate:
        if (!match::ParseDateMillis(text)) return bad("a date (ISO 8601 or epoch seconds)");
        break;
      case model::OperatorFamily::kIp:
        if (!match::ParseIpNetwork(text)) return bad("an IPv4 or IPv6 address or CIDR range");
        break;
      case model::OperatorFamily::kBinary:
        if (!match::DecodeBase64(text)) return bad("base64");
        break;
      case model::OperatorFamily::kNull:
        if (!match::ParseBool(text)) return bad("`true` or `false`");
        break;
      case model::OperatorFamily::kBool:
        if (!tmpl->has_variables() && !match::ParseBool(text)) return bad("`true` or `false`");
        break;
      case model::OperatorFamily::kArn:
        if (!tmpl->has_variables() && tmpl->pieces.size() <= 1) {
          std::string glob = tmpl->pieces.empty() ? std::string() : tmpl->pieces[0].text;
          if (!match::IsArnGlob(glob)) return bad("an ARN (six colon-separated fields)");
        }
        break;
      case model::OperatorFamily::kString:
        break;
    }
    return model::PatternValue{text, std::move(*tmpl)};
  }

  std::string_view source_;
  std::string prefix_;
  const PolicyParseOptions& opt_;
  bool stop_;
  bool variables_ = false;
  std::vector<Status> errors_;
  std::vector<uint32_t> sid_offsets_;
};

Result<model::Policy> Run(const Node& node, std::string_view source, std::string prefix,
                          const PolicyParseOptions& options) {
  Builder b(source, std::move(prefix), options, /*stop_at_first=*/true);
  model::Policy policy = b.Build(node);
  if (!b.errors().empty()) return std::move(b.errors().front());
  return policy;
}

}  // namespace

Result<model::Policy> ParsePolicy(std::string_view text, const PolicyParseOptions& options) {
  // An oversized document is rejected before it is turned into a tree: a 10 MB upload costs one
  // linear scan, not a parse.
  if (options.enforce_size_limit) {
    SizeLimit limit = SizeLimitFor(options.kind);
    PolicySize size = MeasurePolicy(text);
    size_t measured = limit.counts_whitespace ? size.characters : size.without_whitespace;
    if (measured > 4 * limit.limit) {
      SourceLocation loc;
      loc.offset = 0;
      json::FillLineColumn(text, loc);
      return Status(SizeErrorCode(options.kind),
                    "policy is " + std::to_string(measured) + " characters, far over the " +
                        std::string(model::PolicyKindName(options.kind)) + " policy limit of " +
                        std::to_string(limit.limit),
                    loc);
    }
  }
  auto root = json::Parse(text);
  if (!root) return root.error();
  return Run(*root, text, "", options);
}

Result<model::Policy> ParsePolicyNode(const json::Node& node, std::string_view source,
                                      std::string_view pointer_prefix,
                                      const PolicyParseOptions& options) {
  return Run(node, source, std::string(pointer_prefix), options);
}

std::vector<Status> ValidatePolicy(std::string_view text, const PolicyParseOptions& options) {
  auto root = json::Parse(text);
  if (!root) return {root.error()};
  Builder b(text, "", options, /*stop_at_first=*/false);
  (void)b.Build(*root);
  return std::move(b.errors());
}

PolicySize MeasurePolicy(std::string_view text) {
  PolicySize size;
  bool in_string = false;
  bool escaped = false;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool continuation = (c & 0xC0) == 0x80;
    if (!continuation) ++size.characters;
    if (in_string) {
      if (!continuation) ++size.without_whitespace;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    if (!continuation) ++size.without_whitespace;
  }
  return size;
}

SizeLimit SizeLimitFor(model::PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
    case PolicyKind::kPermissionsBoundary:
      return {6144, false};  // customer managed policy version
    case PolicyKind::kSession:
      return {2048, false};  // packed session policy (AWS: 2,048 characters)
    case PolicyKind::kScp:
    case PolicyKind::kRcp:
      return {5120, true};
    case PolicyKind::kRepository:
    case PolicyKind::kRegistry:
      return {10240, true};
    case PolicyKind::kResource:
      return {20480, true};  // VPC endpoint and S3 bucket policies
  }
  return {6144, false};
}

}  // namespace policy_engine::parse
