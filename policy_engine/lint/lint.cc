// This file's external interface is LintPolicy and the check catalogue (Checks, ParserCodes,
// FindCheck). LintPolicy guards the input (size, binary, JSON), turns the parser's located errors
// into ERROR findings (R182), runs the check table of checks.cc over a PolicyView, then merges,
// filters and sorts the findings and fills in lines and columns.
#include "policy_engine/lint/lint.h"

#include <algorithm>
#include <exception>
#include <set>
#include <tuple>

#include "policy_engine/json/json.h"
#include "policy_engine/lint/checks.h"
#include "policy_engine/lint/policy_view.h"
#include "policy_engine/parse/parse.h"

namespace policy_engine::lint {
namespace {

// Offsets of the first byte of every line, for offset -> (line, column) in O(log n).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(static_cast<uint64_t>(i + 1));
    }
    size_ = text.size();
  }
  // 1-based line and byte column of `offset` (clamped to the text).
  std::pair<uint32_t, uint32_t> At(uint64_t offset) const {
    offset = std::min<uint64_t>(offset, size_);
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    size_t line = static_cast<size_t>(it - starts_.begin());
    return {static_cast<uint32_t>(line), static_cast<uint32_t>(offset - starts_[line - 1] + 1)};
  }

 private:
  std::vector<uint64_t> starts_;
  uint64_t size_ = 0;
};

Finding MakeFinding(std::string code, Severity severity, std::string message, std::string pointer,
                    uint64_t begin, uint64_t end, std::string hint = {}) {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.message = std::move(message);
  f.hint = std::move(hint);
  f.location.pointer = std::move(pointer);
  f.location.offset = begin;
  f.end_offset = std::max(begin, end);
  return f;
}

// The node a JSON pointer designates, and the member whose value it is (nullptr for array items
// and the root).
struct Resolved {
  const json::Node* node = nullptr;
  const json::Member* member = nullptr;
};

Resolved ResolvePointer(const json::Node& root, std::string_view pointer) {
  Resolved r{&root, nullptr};
  size_t pos = 0;
  while (pos < pointer.size() && r.node != nullptr) {
    if (pointer[pos] != '/') return {};
    size_t next = pointer.find('/', pos + 1);
    if (next == std::string_view::npos) next = pointer.size();
    std::string token;
    for (size_t i = pos + 1; i < next; ++i) {
      if (pointer[i] == '~' && i + 1 < next) {
        token += pointer[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += pointer[i];
      }
    }
    pos = next;
    const json::Node* cur = r.node;
    r = {};
    if (cur->is_object()) {
      for (const json::Member& m : cur->members) {
        if (m.name == token) {
          r = {&m.value, &m};
          break;
        }
      }
    } else if (cur->is_array()) {
      size_t i = 0;
      bool digits = !token.empty() && token.size() < 10;
      for (char ch : token) digits = digits && ch >= '0' && ch <= '9';
      if (digits) i = std::stoul(token);
      if (digits && i < cur->items.size()) r = {&cur->items[i], nullptr};
    }
  }
  return r;
}

// A parser Status as an ERROR finding spanning the value or member name it points at.
Finding FromStatus(const Status& s, std::string_view text, const json::Node* root) {
  uint64_t begin = s.location().offset.value_or(0);
  uint64_t end = std::min<uint64_t>(begin + 1, text.size());
  if (root != nullptr) {
    Resolved r = ResolvePointer(*root, s.location().pointer);
    if (r.member != nullptr && r.member->name_offset == begin) {
      end = EndOfQuotedString(text, r.member->name_offset);
    } else if (r.node != nullptr && r.node->begin == begin) {
      end = r.node->end;
    }
  }
  return MakeFinding(s.code(), Severity::kError, s.message(), s.location().pointer, begin,
                     std::max(begin, end));
}

// Input that is not worth parsing: over the size cap, or binary (a NUL byte).
std::optional<Finding> GuardInput(std::string_view text, const LintOptions& options) {
  if (text.size() > options.max_input_bytes) {
    return MakeFinding("JSON_TOO_LARGE", Severity::kError,
                       "input is " + std::to_string(text.size()) + " bytes, over the " +
                           std::to_string(options.max_input_bytes) +
                           "-byte limit for one policy; not analysed",
                       "", 0, 0, "a policy document is at most a few kilobytes");
  }
  size_t nul = text.substr(0, 1u << 16).find('\0');
  if (nul != std::string_view::npos) {
    return MakeFinding("JSON_SYNTAX_ERROR", Severity::kError,
                       "input looks binary (NUL byte at offset " + std::to_string(nul) +
                           "), not a JSON policy document",
                       "", nul, nul + 1, "lint JSON policy files only");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return MakeFinding("JSON_SYNTAX_ERROR", Severity::kError,
                       "input is empty, not a JSON policy document", "", 0, 0,
                       "a policy is a JSON object with `Version` and `Statement`");
  }
  return std::nullopt;
}

std::vector<Finding> LintUnguarded(std::string_view text, const LintOptions& options) {
  std::vector<Finding> findings;
  if (auto guard = GuardInput(text, options)) {
    findings.push_back(std::move(*guard));
    return findings;
  }
  json::ParseOptions jopt;
  jopt.max_bytes = options.max_input_bytes;
  auto root = json::Parse(text, jopt);
  if (!root) {
    findings.push_back(FromStatus(root.error(), text, nullptr));
    findings.back().hint = "fix the JSON syntax first; nothing else was checked";
    return findings;
  }

  // R182: every parser error, as an ERROR finding with the parser's code.
  parse::PolicyParseOptions popt;
  popt.kind = options.kind;
  popt.enforce_size_limit = false;  // the size checks report the quota with its own severity
  popt.aws_compat = options.aws_compat;
  std::vector<Finding> parser_findings;
  for (const Status& s : parse::ValidatePolicy(text, popt)) {
    parser_findings.push_back(FromStatus(s, text, &*root));
  }

  ResetArnMemo();
  PolicyView view = BuildPolicyView(*root);
  LintContext ctx{text, options, view, parser_findings};
  std::vector<Finding> lint_findings;
  std::set<std::pair<std::string, std::string>> superseded;
  for (const CheckRow& row : CheckTable()) {
    Reporter reporter(row.info, lint_findings);
    row.fn(ctx, reporter);
    superseded.insert(reporter.superseded().begin(), reporter.superseded().end());
  }

  // Merge: parser findings first, so that for a code both report at one pointer (e.g.
  // ECR_REPO_POLICY_HAS_RESOURCE) the parser's wins.
  std::set<std::pair<std::string, std::string>> seen;
  for (std::vector<Finding>* list : {&parser_findings, &lint_findings}) {
    for (Finding& f : *list) {
      std::pair<std::string, std::string> key{f.code, f.location.pointer};
      if (list == &parser_findings && superseded.count(key) > 0) continue;
      if (!seen.insert(key).second) continue;
      findings.push_back(std::move(f));
    }
  }
  return findings;
}

// Drops ignored codes, fills lines and columns, sorts by position.
void Finish(std::vector<Finding>& findings, std::string_view text, const LintOptions& options) {
  if (!options.ignore.empty()) {
    std::erase_if(findings, [&](const Finding& f) {
      return std::find(options.ignore.begin(), options.ignore.end(), f.code) !=
             options.ignore.end();
    });
  }
  LineIndex lines(text);
  for (Finding& f : findings) {
    uint64_t begin = f.location.offset.value_or(0);
    std::tie(f.location.line, f.location.column) = lines.At(begin);
    if (f.end_offset && *f.end_offset > begin) {
      std::tie(f.end_line, f.end_column) = lines.At(*f.end_offset);
    } else {
      f.end_line = 0;
      f.end_column = 0;
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(*a.location.offset, a.severity, a.code) <
           std::tie(*b.location.offset, b.severity, b.code);
  });
}

constexpr CheckInfo kParserCodes[] = {
    {"JSON_SYNTAX_ERROR", Severity::kError, "R1", "the input is not one JSON value"},
    {"JSON_DUPLICATE_KEY", Severity::kError, "R2", "a member name repeats within one object"},
    {"JSON_TOO_DEEP", Severity::kError, "R1", "arrays or objects nested too deeply"},
    {"JSON_TOO_LARGE", Severity::kError, "R32", "the input is too large to be a policy"},
    {"JSON_INVALID_UTF8", Severity::kError, "R1", "the input is not valid UTF-8"},
    {"DATA_TYPE_MISMATCH", Severity::kError, "R1, R8, R22", "an element has the wrong JSON type"},
    {"INVALID_POLICY_ELEMENT", Severity::kError, "R4", "an unknown element name"},
    {"INVALID_CHARACTER", Severity::kError, "R7",
     "a character outside Latin-1 in an IAM-stored policy"},
    {"INVALID_VERSION", Severity::kError, "R8", "`Version` is not 2012-10-17 or 2008-10-17"},
    {"MISSING_STATEMENT", Severity::kError, "R15", "no `Statement` element"},
    {"MISSING_EFFECT", Severity::kError, "R16", "a statement has no `Effect`"},
    {"INVALID_EFFECT", Severity::kError, "R16", "`Effect` is not \"Allow\" or \"Deny\""},
    {"MISSING_ACTION", Severity::kError, "R17", "a statement has no `Action` or `NotAction`"},
    {"MISSING_RESOURCE", Severity::kError, "R18, R24", "a statement needs `Resource`"},
    {"MISSING_PRINCIPAL", Severity::kError, "R19, R24",
     "a resource policy statement needs `Principal`"},
    {"UNSUPPORTED_ELEMENT_COMBINATION", Severity::kError, "R17–R19",
     "two elements that exclude each other, e.g. `Action` and `NotAction`"},
    {"UNSUPPORTED_SID", Severity::kError, "R12", "a `Sid` with characters IAM rejects"},
    {"UNIQUE_SIDS_REQUIRED", Severity::kError, "R12", "duplicate `Sid` in an IAM-stored policy"},
    {"INVALID_ACTION", Severity::kError, "R35", "an action that is not `*` or `service:pattern`"},
    {"VARIABLE_UNSUPPORTED_IN_ELEMENT", Severity::kError, "R99",
     "a policy variable where variables are not allowed"},
    {"INVALID_VARIABLE_FOR_OPERATOR", Severity::kError, "R99",
     "a policy variable in a value of an operator that takes none"},
    {"MISSING_BRACE_IN_VARIABLE", Severity::kError, "R97", "an unterminated `${`"},
    {"EMPTY_VARIABLE", Severity::kError, "R97", "`${}`"},
    {"UNSUPPORTED_SPACE_IN_VARIABLE", Severity::kError, "R97", "a space inside a variable name"},
    {"MISSING_QUOTE_IN_VARIABLE", Severity::kError, "R97", "a variable default not in quotes"},
    {"INVALID_VARIABLE", Severity::kError, "R98", "a nested or malformed variable"},
    {"UNSUPPORTED_PRINCIPAL", Severity::kError, "R24", "`Principal` where the kind forbids it"},
    {"INVALID_PRINCIPAL_FORMAT", Severity::kError, "R52", "a principal value of no known form"},
    {"INVALID_PRINCIPAL_KEY", Severity::kError, "R52", "a principal type other than `AWS`, ..."},
    {"FEDERATED_PRINCIPAL_NOT_SUPPORTED", Severity::kError, "R52",
     "a `Federated` principal outside trust policies"},
    {"UNSUPPORTED_WILDCARD_IN_PRINCIPAL", Severity::kError, "R53",
     "a wildcard inside a principal value"},
    {"INVALID_SERVICE_PRINCIPAL_FORMAT", Severity::kError, "R52",
     "a service principal that is not a service name"},
    {"RCP_ALLOW_NOT_SUPPORTED", Severity::kError, "R24",
     "an RCP `Allow` other than the full-access statement"},
    {"INVALID_CONDITION_OPERATOR", Severity::kError, "R28, R29", "an unknown condition operator"},
    {"NULL_WITH_IF_EXISTS", Severity::kError, "R30", "`NullIfExists`"},
    {"DUPLICATE_KEYS_WITH_DIFFERENT_CASE", Severity::kError, "R3",
     "two condition keys that differ only in case"},
    {"INVALID_CONDITION_KEY_FORMAT", Severity::kError, "R31", "a condition key without `prefix:`"},
    {"EMPTY_CONDITION_VALUES", Severity::kError, "R96", "a condition key with `[]` values"},
    {"INVALID_CONDITION_DATA_TYPE", Severity::kError, "R78–R91",
     "a condition value that does not parse for its operator"},
    {"LINT_INTERNAL_ERROR", Severity::kError, "R181", "the linter failed on this input (a bug)"},
};

Finding InternalError(std::string_view what) {
  Finding f = MakeFinding("LINT_INTERNAL_ERROR", Severity::kError,
                          "the linter failed on this input: " + std::string(what), "", 0, 0,
                          "please report this with the input");
  f.location.line = 1;
  f.location.column = 1;
  return f;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "ERROR";
    case Severity::kSecurityWarning:
      return "SECURITY_WARNING";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kSuggestion:
      return "SUGGESTION";
  }
  return "ERROR";
}

std::string_view SeverityCliName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kSecurityWarning:
      return "security-warning";
    case Severity::kWarning:
      return "warning";
    case Severity::kSuggestion:
      return "suggestion";
  }
  return "error";
}

std::optional<Severity> SeverityFromName(std::string_view name) {
  for (Severity s :
       {Severity::kError, Severity::kSecurityWarning, Severity::kWarning, Severity::kSuggestion}) {
    if (name == SeverityName(s) || name == SeverityCliName(s)) return s;
  }
  return std::nullopt;
}

std::string_view ProfileName(Profile profile) {
  return profile == Profile::kSelfHosted ? "self-hosted" : "aws-parity";
}

std::optional<Profile> ProfileFromName(std::string_view name) {
  if (name == "aws-parity") return Profile::kAwsParity;
  if (name == "self-hosted") return Profile::kSelfHosted;
  return std::nullopt;
}

std::vector<Finding> LintPolicy(std::string_view text, const LintOptions& options) {
  std::vector<Finding> findings;
  try {
    findings = LintUnguarded(text, options);
    Finish(findings, text, options);
  } catch (const std::exception& e) {
    // Nothing above throws by design; out-of-memory and bugs still must not escape the API.
    findings = {InternalError(e.what())};
  } catch (...) {
    findings = {InternalError("unknown exception")};
  }
  return findings;
}

std::vector<Finding> LintLifecyclePolicy(std::string_view text, const LintOptions& options) {
  std::vector<Finding> findings;
  try {
    if (auto guard = GuardInput(text, options)) {
      findings.push_back(std::move(*guard));
    } else {
      json::ParseOptions jopt;
      jopt.max_bytes = options.max_input_bytes;
      auto root = json::Parse(text, jopt);
      if (!root) {
        findings.push_back(FromStatus(root.error(), text, nullptr));
      } else {
        LintLifecycleDocument(*root, text, findings);
      }
    }
    Finish(findings, text, options);
  } catch (const std::exception& e) {
    findings = {InternalError(e.what())};
  } catch (...) {
    findings = {InternalError("unknown exception")};
  }
  return findings;
}

std::vector<CheckInfo> Checks() {
  std::vector<CheckInfo> out;
  for (const CheckRow& row : CheckTable()) out.push_back(row.info);
  return out;
}

std::vector<CheckInfo> ParserCodes() {
  return std::vector<CheckInfo>(std::begin(kParserCodes), std::end(kParserCodes));
}

const CheckInfo* FindCheck(std::string_view code) {
  for (const CheckRow& row : CheckTable()) {
    if (row.info.code == code) return &row.info;
  }
  for (const CheckInfo& info : kParserCodes) {
    if (info.code == code) return &info;
  }
  static const std::vector<CheckInfo> lifecycle = LifecycleCodes();
  for (const CheckInfo& info : lifecycle) {
    if (info.code == code) return &info;
  }
  static const std::vector<CheckInfo> inventory = InventoryCodes();
  for (const CheckInfo& info : inventory) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

uint32_t CodePointColumn(std::string_view text, uint64_t offset) {
  offset = std::min<uint64_t>(offset, text.size());
  size_t nl = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
  uint32_t column = 1;
  for (size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

}  // namespace policy_engine::lint
