// `portcullis lint`: validate policy files offline (docs/lint.md).
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace portcullis_cli {

struct LintCommandOptions {
  std::string policy_type = "identity";  // --policy-type
  std::string format = "text";           // --format text|json|sarif
  std::string fail_on = "error";         // --fail-on
  std::vector<std::string> ignore;       // --ignore CODE (repeatable, comma-separated)
  std::string profile = "aws-parity";    // --profile
  std::string account;                   // --account: owner of the repository / registry
  bool no_size_limit = false;            // --no-size-limit (AWS managed policies)
  bool aws_compat = false;               // --aws-compat (R96)
  std::string registry_scope = "v2";     // --registry-scope v1|v2 (R189)
  std::vector<std::string> paths;        // files, directories (*.json, recursively), `-`
};

void AddLintCommand(CLI::App& app, LintCommandOptions& options);
// Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O errors.
int RunLint(const LintCommandOptions& options);

}  // namespace portcullis_cli
