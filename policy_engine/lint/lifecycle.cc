// ECR lifecycle policy checks R168–R174 (R195): every violation is an ERROR, located at the
// offending value (or member name), and the checks go on after the first one.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy_engine/json/json.h"
#include "policy_engine/lint/checks.h"

namespace policy_engine::lint {
namespace {

using json::Node;

constexpr CheckInfo kLifecycleCodes[] = {
    {"ECR_LIFECYCLE_INVALID_ELEMENT", Severity::kError, "R168, R170, R173, R174",
     "a lifecycle policy element is missing, unknown, of the wrong type or out of its value set"},
    {"ECR_LIFECYCLE_TEXT_LENGTH", Severity::kError, "R168",
     "the lifecycle policy text is shorter than 100 or longer than 30,720 characters"},
    {"ECR_LIFECYCLE_DUPLICATE_PRIORITY", Severity::kError, "R169",
     "two rules share a `rulePriority`"},
    {"ECR_LIFECYCLE_PREFIX_AND_PATTERN", Severity::kError, "R170",
     "a `tagged` rule without exactly one of `tagPrefixList` / `tagPatternList`, or another "
     "`tagStatus` with one"},
    {"ECR_LIFECYCLE_MULTIPLE_UNTAGGED", Severity::kError, "R170",
     "more than one rule selects `untagged` images"},
    {"ECR_LIFECYCLE_ANY_NOT_LAST", Severity::kError, "R170",
     "a `tagStatus: any` rule does not have the highest `rulePriority`"},
    {"ECR_LIFECYCLE_TOO_MANY_WILDCARDS", Severity::kError, "R171",
     "a `tagPatternList` entry has more than four `*`"},
    {"ECR_LIFECYCLE_DUPLICATE_PREFIX_SET", Severity::kError, "R172",
     "two `tagged` rules have the same set of tag prefixes"},
    {"ECR_LIFECYCLE_COUNTUNIT_MISMATCH", Severity::kError, "R173",
     "`countUnit` is not `days` for a `since…` count type, or present for `imageCountMoreThan`"},
    {"ECR_LIFECYCLE_BAD_COUNTNUMBER", Severity::kError, "R173",
     "`countNumber` is not an integer ≥ 1"},
    {"ECR_LIFECYCLE_TRANSITION_TARGET", Severity::kError, "R174",
     "`transition` without `targetStorageClass: archive`, or `expire` with one"},
};

class Out {
 public:
  Out(std::string_view text, std::vector<Finding>& findings) : text_(text), findings_(findings) {}
  void At(std::string_view code, const Node& node, std::string pointer, std::string message,
          std::string hint) {
    Emit(code, node.begin, node.end, std::move(pointer), std::move(message), std::move(hint));
  }
  void AtName(std::string_view code, const json::Member& m, std::string pointer,
              std::string message, std::string hint) {
    Emit(code, m.name_offset, EndOfQuotedString(text_, m.name_offset), std::move(pointer),
         std::move(message), std::move(hint));
  }

 private:
  void Emit(std::string_view code, uint32_t begin, uint32_t end, std::string pointer,
            std::string message, std::string hint) {
    Finding f;
    f.code = std::string(code);
    f.severity = Severity::kError;
    f.message = std::move(message);
    f.hint = std::move(hint);
    f.location.pointer = std::move(pointer);
    f.location.offset = begin;
    f.end_offset = std::max(begin, end);
    findings_.push_back(std::move(f));
  }
  std::string_view text_;
  std::vector<Finding>& findings_;
};

// An integer ≥ 1 written without fraction or exponent (R169, R173).
std::optional<long long> PositiveInteger(const Node& n) {
  if (n.type != json::Type::kNumber || n.text.empty() || n.text.size() > 15 ||
      !std::all_of(n.text.begin(), n.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  long long v = std::stoll(n.text);
  return v >= 1 ? std::optional<long long>(v) : std::nullopt;
}

// Reports members of `obj` not in `allowed`, and each `required` one that is missing.
void CheckMembers(Out& out, const Node& obj, const std::string& ptr,
                  std::initializer_list<std::string_view> allowed,
                  std::initializer_list<std::string_view> required) {
  for (const json::Member& m : obj.members) {
    if (std::find(allowed.begin(), allowed.end(), m.name) == allowed.end()) {
      out.AtName("ECR_LIFECYCLE_INVALID_ELEMENT", m, ptr + "/" + json::EscapePointerToken(m.name),
                 "unknown element " + Quote(m.name) + " in a lifecycle policy",
                 "remove it; see R168 for the elements");
    }
  }
  for (std::string_view r : required) {
    if (obj.Find(r) == nullptr) {
      out.At("ECR_LIFECYCLE_INVALID_ELEMENT", obj, ptr, "missing required `" + std::string(r) + "`",
             "add `" + std::string(r) + "`");
    }
  }
}

const Node* StringIn(Out& out, const Node& obj, const std::string& ptr, std::string_view name,
                     std::initializer_list<std::string_view> values) {
  const Node* n = obj.Find(name);
  if (n == nullptr) return nullptr;
  if (n->is_string() && std::find(values.begin(), values.end(), n->text) != values.end()) return n;
  std::string list;
  for (std::string_view v : values) {
    if (!list.empty()) list += ", ";
    list.append("`").append(v).append("`");
  }
  // Built with append: GCC 12 -O3 warns falsely (-Wrestrict) on `"`" + std::string(…)` here.
  std::string message = "`";
  message.append(name).append("` must be one of ").append(list);
  out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *n, ptr + "/" + std::string(name), std::move(message),
         "use one of the listed values (case-sensitive)");
  return nullptr;
}

struct RuleFacts {
  const Node* priority_node = nullptr;
  std::optional<long long> priority;
  std::string status;
  std::set<std::string> prefixes;
  const Node* prefix_node = nullptr;
  std::string pointer;
};

RuleFacts CheckRule(Out& out, const Node& rule, const std::string& ptr) {
  RuleFacts facts;
  facts.pointer = ptr;
  if (!rule.is_object()) {
    out.At("ECR_LIFECYCLE_INVALID_ELEMENT", rule, ptr, "a rule must be an object",
           "write {\"rulePriority\": 1, \"selection\": {…}, \"action\": {\"type\": \"expire\"}}");
    return facts;
  }
  CheckMembers(out, rule, ptr, {"rulePriority", "description", "selection", "action"},
               {"rulePriority", "selection", "action"});
  if (const Node* p = rule.Find("rulePriority")) {
    facts.priority_node = p;
    facts.priority = PositiveInteger(*p);
    if (!facts.priority) {
      out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *p, ptr + "/rulePriority",
             "`rulePriority` must be an integer ≥ 1", "write e.g. 1");
    }
  }
  if (const Node* d = rule.Find("description"); d != nullptr && !d->is_string()) {
    out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *d, ptr + "/description",
           "`description` must be a string", "quote it");
  }
  if (const Node* sel = rule.Find("selection"); sel != nullptr) {
    std::string sp = ptr + "/selection";
    if (!sel->is_object()) {
      out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *sel, sp, "`selection` must be an object", "");
    } else {
      CheckMembers(out, *sel, sp,
                   {"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit",
                    "countNumber", "storageClass"},
                   {"tagStatus", "countType", "countNumber"});
      if (const Node* s = StringIn(out, *sel, sp, "tagStatus", {"tagged", "untagged", "any"})) {
        facts.status = s->text;
      }
      StringIn(out, *sel, sp, "storageClass", {"standard", "archive"});
      const Node* prefixes = sel->Find("tagPrefixList");
      const Node* patterns = sel->Find("tagPatternList");
      for (const Node* list : {prefixes, patterns}) {
        if (list == nullptr) continue;
        std::string lp = sp + (list == prefixes ? "/tagPrefixList" : "/tagPatternList");
        bool ok = list->is_array() && !list->items.empty() &&
                  std::all_of(list->items.begin(), list->items.end(),
                              [](const Node& n) { return n.is_string() && !n.text.empty(); });
        if (!ok) {
          out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *list, lp,
                 "a tag list must be a non-empty array of non-empty strings", "");
          continue;
        }
        for (size_t i = 0; list == patterns && i < list->items.size(); ++i) {
          const Node& n = list->items[i];
          if (std::count(n.text.begin(), n.text.end(), '*') > 4) {
            out.At("ECR_LIFECYCLE_TOO_MANY_WILDCARDS", n, lp + "/" + std::to_string(i),
                   "tag pattern " + Quote(n.text) + " has more than four `*`",
                   "use at most four wildcards per pattern");
          }
        }
        if (list == prefixes) {
          facts.prefix_node = list;
          for (const Node& n : list->items) facts.prefixes.insert(n.text);
        }
      }
      if (facts.status == "tagged" && (prefixes == nullptr) == (patterns == nullptr)) {
        out.At("ECR_LIFECYCLE_PREFIX_AND_PATTERN", *sel, sp,
               prefixes == nullptr
                   ? "a `tagged` rule needs `tagPrefixList` or `tagPatternList`"
                   : "a `tagged` rule may have `tagPrefixList` or `tagPatternList`, not both",
               "keep exactly one of the two lists");
      } else if ((facts.status == "untagged" || facts.status == "any") &&
                 (prefixes != nullptr || patterns != nullptr)) {
        out.At("ECR_LIFECYCLE_PREFIX_AND_PATTERN", *sel, sp,
               "a `" + facts.status + "` rule must not have `tagPrefixList` or `tagPatternList`",
               "remove the list, or use `tagStatus: tagged`");
      }
      const Node* type = StringIn(
          out, *sel, sp, "countType",
          {"imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"});
      const Node* unit = sel->Find("countUnit");
      if (type != nullptr) {
        bool since = type->text != "imageCountMoreThan";
        if (since && (unit == nullptr || !unit->is_string() || unit->text != "days")) {
          out.At("ECR_LIFECYCLE_COUNTUNIT_MISMATCH", unit != nullptr ? *unit : *type,
                 unit != nullptr ? sp + "/countUnit" : sp + "/countType",
                 "`" + type->text + "` needs `\"countUnit\": \"days\"`", "add it");
        } else if (!since && unit != nullptr) {
          out.At("ECR_LIFECYCLE_COUNTUNIT_MISMATCH", *unit, sp + "/countUnit",
                 "`imageCountMoreThan` takes no `countUnit`", "remove `countUnit`");
        }
      }
      if (const Node* n = sel->Find("countNumber"); n != nullptr && !PositiveInteger(*n)) {
        out.At("ECR_LIFECYCLE_BAD_COUNTNUMBER", *n, sp + "/countNumber",
               "`countNumber` must be an integer ≥ 1", "write e.g. 30");
      }
    }
  }
  if (const Node* act = rule.Find("action"); act != nullptr) {
    std::string ap = ptr + "/action";
    if (!act->is_object()) {
      out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *act, ap, "`action` must be an object", "");
    } else {
      CheckMembers(out, *act, ap, {"type", "targetStorageClass"}, {"type"});
      const Node* type = StringIn(out, *act, ap, "type", {"expire", "transition"});
      const Node* target = act->Find("targetStorageClass");
      if (type != nullptr && type->text == "transition" &&
          (target == nullptr || !target->is_string() || target->text != "archive")) {
        out.At("ECR_LIFECYCLE_TRANSITION_TARGET", target != nullptr ? *target : *type,
               target != nullptr ? ap + "/targetStorageClass" : ap + "/type",
               "`transition` needs `\"targetStorageClass\": \"archive\"`", "add it");
      } else if (type != nullptr && type->text == "expire" && target != nullptr) {
        out.At("ECR_LIFECYCLE_TRANSITION_TARGET", *target, ap + "/targetStorageClass",
               "`expire` takes no `targetStorageClass`", "remove it");
      }
    }
  }
  return facts;
}

}  // namespace

std::vector<CheckInfo> LifecycleCodes() {
  return std::vector<CheckInfo>(std::begin(kLifecycleCodes), std::end(kLifecycleCodes));
}

void LintLifecycleDocument(const json::Node& root, std::string_view text,
                           std::vector<Finding>& findings) {
  Out out(text, findings);
  // R168/R32: the text length counts every character (code points), whitespace included.
  size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  if (chars < 100 || chars > 30720) {
    out.At("ECR_LIFECYCLE_TEXT_LENGTH", root, "",
           "lifecycle policy text is " + std::to_string(chars) +
               " characters; ECR accepts 100 to 30,720",
           chars < 100 ? "ECR counts the text as sent; a shorter policy is rejected"
                       : "merge rules or remove descriptions");
  }
  if (!root.is_object()) {
    out.At("ECR_LIFECYCLE_INVALID_ELEMENT", root, "", "a lifecycle policy is a JSON object",
           "write {\"rules\": [...]}");
    return;
  }
  CheckMembers(out, root, "", {"rules"}, {"rules"});
  const Node* rules = root.Find("rules");
  if (rules == nullptr) return;
  if (!rules->is_array() || rules->items.empty()) {
    out.At("ECR_LIFECYCLE_INVALID_ELEMENT", *rules, "/rules", "`rules` must be a non-empty array",
           "");
    return;
  }
  std::vector<RuleFacts> facts;
  for (size_t i = 0; i < rules->items.size(); ++i) {
    facts.push_back(CheckRule(out, rules->items[i], "/rules/" + std::to_string(i)));
  }
  std::map<long long, size_t> first_priority;
  std::map<std::set<std::string>, size_t> first_prefixes;
  long long highest = 0;
  size_t untagged = 0;
  for (size_t i = 0; i < facts.size(); ++i) {
    const RuleFacts& f = facts[i];
    if (f.priority) {
      highest = std::max(highest, *f.priority);
      auto [it, fresh] = first_priority.emplace(*f.priority, i);
      if (!fresh) {
        out.At("ECR_LIFECYCLE_DUPLICATE_PRIORITY", *f.priority_node, f.pointer + "/rulePriority",
               "`rulePriority` " + std::to_string(*f.priority) + " is also the priority of rule " +
                   std::to_string(it->second),
               "give every rule its own priority");
      }
    }
    if (f.status == "untagged" && ++untagged == 2) {
      out.At("ECR_LIFECYCLE_MULTIPLE_UNTAGGED", rules->items[i], f.pointer,
             "more than one rule selects `untagged` images", "merge the `untagged` rules");
    }
    if (f.status == "tagged" && f.prefix_node != nullptr) {
      auto [it, fresh] = first_prefixes.emplace(f.prefixes, i);
      if (!fresh) {
        out.At("ECR_LIFECYCLE_DUPLICATE_PREFIX_SET", *f.prefix_node,
               f.pointer + "/selection/tagPrefixList",
               "rule " + std::to_string(it->second) + " has the same tag prefixes",
               "merge the two rules or change the prefixes");
      }
    }
  }
  for (const RuleFacts& f : facts) {
    if (f.status == "any" && f.priority && *f.priority != highest) {
      out.At("ECR_LIFECYCLE_ANY_NOT_LAST", *f.priority_node, f.pointer + "/rulePriority",
             "a `tagStatus: any` rule must have the highest `rulePriority` (" +
                 std::to_string(highest) + ")",
             "give it a priority above every other rule");
    }
  }
}

}  // namespace policy_engine::lint
