// Rendering lint results: compiler-style text, JSON and SARIF 2.1.0 (docs/lint.md §Output).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/lint/lint.h"

namespace policy_engine::lint {

// The outcome of linting one input.
struct FileResult {
  std::string path;               // as given on the command line; "<stdin>" for `-`
  std::string text;               // the source (SARIF columns count code points in it)
  std::vector<Finding> findings;  // empty when `error` is set
  std::string error;              // why the input could not be read; empty when it was
};

struct Summary {
  size_t files = 0;
  size_t unreadable = 0;
  size_t by_severity[4] = {0, 0, 0, 0};  // indexed by Severity
};
Summary Summarize(const std::vector<FileResult>& results);

// `path:line:col: severity: message [CODE]`, then `  hint: …` when there is a hint. Unreadable
// inputs: `path: error: message [IO_ERROR]`.
std::string RenderText(const FileResult& result);
// "3 files: 1 error, 2 warnings" (severities with a zero count are left out).
std::string RenderTextSummary(const Summary& summary);

// {"files": [{"path", "error"?, "findings": [...]}], "summary": {...}} (docs/lint.md).
std::string RenderJson(const std::vector<FileResult>& results);

// One SARIF 2.1.0 log with one run; `rules` lists every check; unreadable inputs become tool
// execution notifications.
std::string RenderSarif(const std::vector<FileResult>& results, std::string_view tool_version);

}  // namespace policy_engine::lint
