// This file's external interface is Summarize and the Render* functions. JSON is written with
// nlohmann::ordered_json (fields in the documented order).
#include "policy_engine/lint/report.h"

#include <map>
#include <nlohmann/json.hpp>

namespace policy_engine::lint {
namespace {

using Json = nlohmann::ordered_json;

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kSecurityWarning:
    case Severity::kWarning:
      return "warning";
    case Severity::kSuggestion:
      return "note";
  }
  return "error";
}

// A relative-reference URI for a path: `\` -> `/`, everything outside RFC 3986 unreserved
// characters and `/` percent-encoded; absolute paths become file:// URIs.
std::string PathToUri(std::string_view path) {
  if (path == "<stdin>") return "stdin";
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  if (!path.empty() && path.front() == '/') out = "file://";
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == '\\') {
      out += '/';
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '/') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// JSON strings must be valid UTF-8; paths and messages quote user input, which the linter has
// already validated for policy text but not for file names. Invalid bytes become U+FFFD.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

Json FindingJson(const Finding& f) {
  Json j;
  j["code"] = f.code;
  j["severity"] = std::string(SeverityName(f.severity));
  j["message"] = ValidUtf8(f.message);
  j["pointer"] = ValidUtf8(f.location.pointer);
  j["line"] = f.location.line;
  j["column"] = f.location.column;
  j["offset"] = f.location.offset.value_or(0);
  if (f.end_line > 0) {
    j["endLine"] = f.end_line;
    j["endColumn"] = f.end_column;
    j["endOffset"] = f.end_offset.value_or(0);
  }
  if (!f.hint.empty()) j["hint"] = ValidUtf8(f.hint);
  return j;
}

std::string Plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

Summary Summarize(const std::vector<FileResult>& results) {
  Summary s;
  for (const FileResult& r : results) {
    ++s.files;
    if (!r.error.empty()) ++s.unreadable;
    for (const Finding& f : r.findings) ++s.by_severity[static_cast<size_t>(f.severity)];
  }
  return s;
}

std::string RenderText(const FileResult& result) {
  std::string out;
  if (!result.error.empty()) {
    out += result.path + ": error: " + result.error + " [IO_ERROR]\n";
    return out;
  }
  for (const Finding& f : result.findings) {
    out += result.path;
    if (f.location.line > 0) {
      out += ":" + std::to_string(f.location.line) + ":" + std::to_string(f.location.column);
    }
    out += ": ";
    out += SeverityCliName(f.severity);
    out += ": " + f.message + " [" + f.code + "]\n";
    if (!f.hint.empty()) out += "  hint: " + f.hint + "\n";
  }
  return out;
}

std::string RenderTextSummary(const Summary& s) {
  std::string out = Plural(s.files, "file");
  std::vector<std::string> parts;
  if (s.unreadable > 0) parts.push_back(std::to_string(s.unreadable) + " unreadable");
  const char* names[] = {"error", "security warning", "warning", "suggestion"};
  for (size_t i = 0; i < 4; ++i) {
    if (s.by_severity[i] > 0) parts.push_back(Plural(s.by_severity[i], names[i]));
  }
  if (parts.empty()) return out + ": no findings";
  out += ":";
  for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? " " : ", ") + parts[i];
  return out;
}

std::string RenderJson(const std::vector<FileResult>& results) {
  Json doc;
  Json files = Json::array();
  for (const FileResult& r : results) {
    Json f;
    f["path"] = ValidUtf8(r.path);
    if (!r.error.empty()) f["error"] = ValidUtf8(r.error);
    Json list = Json::array();
    for (const Finding& finding : r.findings) list.push_back(FindingJson(finding));
    f["findings"] = std::move(list);
    files.push_back(std::move(f));
  }
  doc["files"] = std::move(files);
  Summary s = Summarize(results);
  doc["summary"] = {{"files", s.files},
                    {"unreadable", s.unreadable},
                    {"errors", s.by_severity[0]},
                    {"securityWarnings", s.by_severity[1]},
                    {"warnings", s.by_severity[2]},
                    {"suggestions", s.by_severity[3]}};
  return doc.dump(2) + "\n";
}

std::string RenderSarif(const std::vector<FileResult>& results, std::string_view tool_version) {
  // Rules: every check and parser code, then any code seen that neither lists (future codes).
  Json rules = Json::array();
  std::map<std::string, size_t> rule_index;
  auto add_rule = [&](std::string_view code, Severity severity, std::string_view rule,
                      std::string_view title) {
    if (rule_index.count(std::string(code)) > 0) return;
    rule_index[std::string(code)] = rules.size();
    Json r;
    r["id"] = std::string(code);
    r["shortDescription"] = {{"text", std::string(title)}};
    r["fullDescription"] = {
        {"text", std::string(title) + " (docs/policy-semantics.md " + std::string(rule) + ")"}};
    r["defaultConfiguration"] = {{"level", std::string(SarifLevel(severity))}};
    Json props;
    props["tags"] =
        severity == Severity::kSecurityWarning ? Json::array({"security"}) : Json::array();
    props["severity"] = std::string(SeverityName(severity));
    r["properties"] = std::move(props);
    rules.push_back(std::move(r));
  };
  for (const CheckInfo& c : Checks()) add_rule(c.code, c.severity, c.rule, c.title);
  for (const CheckInfo& c : ParserCodes()) add_rule(c.code, c.severity, c.rule, c.title);
  for (const FileResult& r : results) {
    for (const Finding& f : r.findings) add_rule(f.code, f.severity, "§9", f.code);
  }

  Json sarif_results = Json::array();
  Json notifications = Json::array();
  for (const FileResult& r : results) {
    std::string uri = PathToUri(r.path);
    if (!r.error.empty()) {
      Json n;
      n["level"] = "error";
      n["message"] = {{"text", ValidUtf8(r.path + ": " + r.error)}};
      n["locations"] =
          Json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", uri}}}}}}});
      notifications.push_back(std::move(n));
      continue;
    }
    for (const Finding& f : r.findings) {
      Json res;
      res["ruleId"] = f.code;
      res["ruleIndex"] = rule_index[f.code];
      res["level"] = std::string(SarifLevel(f.severity));
      std::string text = f.message;
      if (!f.hint.empty()) text += " (hint: " + f.hint + ")";
      res["message"] = {{"text", ValidUtf8(text)}};
      Json region;
      region["startLine"] = std::max<uint32_t>(1, f.location.line);
      region["startColumn"] = CodePointColumn(r.text, f.location.offset.value_or(0));
      if (f.end_line > 0 && f.end_offset) {
        region["endLine"] = f.end_line;
        region["endColumn"] = CodePointColumn(r.text, *f.end_offset);
      }
      Json loc;
      loc["physicalLocation"] = {{"artifactLocation", {{"uri", uri}}}, {"region", region}};
      if (!f.location.pointer.empty()) {
        loc["logicalLocations"] = Json::array(
            {{{"fullyQualifiedName", ValidUtf8(f.location.pointer)}, {"kind", "element"}}});
      }
      res["locations"] = Json::array({std::move(loc)});
      res["properties"] = {{"severity", std::string(SeverityName(f.severity))}};
      sarif_results.push_back(std::move(res));
    }
  }

  Json driver;
  driver["name"] = "portcullis-lint";
  driver["version"] = std::string(tool_version);
  driver["rules"] = std::move(rules);
  Json invocation;
  invocation["executionSuccessful"] = notifications.empty();
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
  Json run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] = Json::array({std::move(invocation)});
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(sarif_results);
  Json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = Json::array({std::move(run)});
  return log.dump(2) + "\n";
}

}  // namespace policy_engine::lint
