// `portcullis lint`: reads every input (files, directories walked recursively for *.json, `-` for
// standard input), lints each with policy_engine::lint::LintPolicy and prints the findings. A bad
// input (unreadable, binary, not JSON, too large) is reported and the run goes on.
#include "tools/lint_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include "policy_engine/lint/lint.h"
#include "policy_engine/lint/report.h"
#include "policy_engine/model/policy.h"

namespace portcullis_cli {

namespace fs = std::filesystem;
namespace lint = policy_engine::lint;

namespace {

constexpr std::string_view kToolVersion = "0.1.0";  // CMake project version

// Reads at most `cap` + 1 bytes, so that an oversized input is detected without reading it all.
bool ReadCapped(std::istream& in, uint64_t cap, std::string& out) {
  out.clear();
  char buf[1 << 16];
  while (out.size() <= cap && in) {
    in.read(buf, sizeof buf);
    out.append(buf, static_cast<size_t>(in.gcount()));
  }
  return !in.bad();
}

std::string ErrorText(const std::error_code& ec) {
  std::string m = ec.message();
  if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  return m;
}

class Linter {
 public:
  explicit Linter(const LintCommandOptions& o) : cli_(o) {
    // `lifecycle` is not an IAM policy kind: LintLifecyclePolicy (R168–R174) takes those files.
    lifecycle_ = o.policy_type == "lifecycle";
    inventory_ = o.policy_type == "inventory";  // a policy store document (R192)
    if (!lifecycle_ && !inventory_) {
      options_.kind = *policy_engine::model::PolicyKindFromName(o.policy_type);
    }
    options_.registry_scope_v1 = o.registry_scope == "v1";
    options_.profile = *lint::ProfileFromName(o.profile);
    options_.account = o.account;
    options_.enforce_size_limit = !o.no_size_limit;
    options_.aws_compat = o.aws_compat;
    for (const std::string& item : o.ignore) {
      size_t start = 0;
      while (start <= item.size()) {
        size_t comma = item.find(',', start);
        if (comma == std::string::npos) comma = item.size();
        if (comma > start) options_.ignore.push_back(item.substr(start, comma - start));
        start = comma + 1;
      }
    }
    fail_on_ = *lint::SeverityFromName(o.fail_on);
  }

  int Run() {
    for (const std::string& path : cli_.paths) Input(path);
    if (cli_.format == "json") {
      std::cout << lint::RenderJson(results_);
    } else if (cli_.format == "sarif") {
      std::cout << lint::RenderSarif(results_, kToolVersion);
    } else {
      std::cout.flush();
      std::cerr << "portcullis lint: " << lint::RenderTextSummary(summary_) << "\n";
    }
    std::cout.flush();
    if (summary_.unreadable > 0) return 2;
    for (size_t s = 0; s <= static_cast<size_t>(fail_on_); ++s) {
      if (summary_.by_severity[s] > 0) return 1;
    }
    return 0;
  }

 private:
  void Input(const std::string& path) {
    if (path == "-") {
      std::string text;
      if (!ReadCapped(std::cin, options_.max_input_bytes, text)) {
        Unreadable("<stdin>", "cannot read standard input");
        return;
      }
      Lint("<stdin>", std::move(text));
      return;
    }
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      Unreadable(path, ec ? ErrorText(ec) : "no such file or directory");
      return;
    }
    if (fs::is_directory(st)) {
      Directory(path);
      return;
    }
    File(path);
  }

  // Every *.json below `dir`, in sorted order; directory symlinks are not followed (no loops).
  void Directory(const std::string& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      Unreadable(dir, ErrorText(ec));
      return;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        Unreadable(dir, "cannot list: " + ErrorText(ec));
        break;
      }
      std::error_code fec;
      if (it->path().extension() == ".json" && it->is_regular_file(fec)) {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) File(f.string());
  }

  void File(const std::string& path) {
    std::error_code ec;
    uint64_t size = fs::is_regular_file(path, ec) ? fs::file_size(path, ec) : 0;
    if (!ec && size > options_.max_input_bytes) {
      TooLarge(path, "file is " + std::to_string(size) + " bytes");
      return;
    }
    std::ifstream in(path, std::ios::binary);
    std::string text;
    if (!in || !ReadCapped(in, options_.max_input_bytes, text)) {
      std::error_code why(errno, std::generic_category());
      Unreadable(path, "cannot read: " + ErrorText(why));
      return;
    }
    Lint(path, std::move(text));
  }

  // An input over the size cap: one JSON_TOO_LARGE error, without reading (or keeping) the rest.
  void TooLarge(std::string path, const std::string& what) {
    lint::FileResult r;
    r.path = std::move(path);
    lint::Finding f;
    f.code = "JSON_TOO_LARGE";
    f.severity = lint::Severity::kError;
    f.message = what + ", over the " + std::to_string(options_.max_input_bytes) +
                "-byte limit for one policy; not read";
    f.hint = "a policy document is at most a few kilobytes";
    f.location.offset = 0;
    f.location.line = 1;
    f.location.column = 1;
    r.findings.push_back(std::move(f));
    Emit(std::move(r));
  }

  void Lint(std::string path, std::string text) {
    if (text.size() > options_.max_input_bytes) {  // standard input, pipes: size unknown upfront
      TooLarge(std::move(path),
               "input is more than " + std::to_string(options_.max_input_bytes) + " bytes");
      return;
    }
    lint::FileResult r;
    r.path = std::move(path);
    r.findings = lifecycle_   ? lint::LintLifecyclePolicy(text, options_)
                 : inventory_ ? lint::LintInventory(text, options_)
                              : lint::LintPolicy(text, options_);
    if (cli_.format == "sarif") r.text = std::move(text);  // SARIF counts columns in code points
    Emit(std::move(r));
  }

  void Unreadable(std::string path, std::string why) {
    lint::FileResult r;
    r.path = std::move(path);
    r.error = std::move(why);
    Emit(std::move(r));
  }

  // Text is streamed; JSON and SARIF are written once at the end.
  void Emit(lint::FileResult r) {
    ++summary_.files;
    if (!r.error.empty()) ++summary_.unreadable;
    for (const lint::Finding& f : r.findings) {
      ++summary_.by_severity[static_cast<size_t>(f.severity)];
    }
    if (cli_.format == "text") {
      if (!r.error.empty()) {
        std::cout.flush();
        std::cerr << lint::RenderText(r);
      } else {
        std::cout << lint::RenderText(r);
      }
      return;
    }
    results_.push_back(std::move(r));
  }

  const LintCommandOptions& cli_;
  lint::LintOptions options_;
  lint::Severity fail_on_ = lint::Severity::kError;
  bool lifecycle_ = false;
  bool inventory_ = false;
  lint::Summary summary_;
  std::vector<lint::FileResult> results_;
};

}  // namespace

void AddLintCommand(CLI::App& app, LintCommandOptions& options) {
  CLI::App* cmd = app.add_subcommand("lint", "check policy documents and report findings");
  cmd->add_option("--policy-type", options.policy_type, "kind of every input policy")
      ->check(CLI::IsMember({"identity", "boundary", "session", "scp", "rcp", "repository",
                             "registry", "resource", "lifecycle", "inventory"}));
  cmd->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--fail-on", options.fail_on, "lowest severity that makes the exit status 1")
      ->check(CLI::IsMember({"error", "security-warning", "warning", "suggestion"}));
  cmd->add_option("--ignore", options.ignore, "finding code to drop (repeatable, comma-separated)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--profile", options.profile, "aws-parity or self-hosted (R183)")
      ->check(CLI::IsMember({"aws-parity", "self-hosted"}));
  cmd->add_option("--account", options.account,
                  "12-digit account that owns the repository/registry (ECR_CROSS_ACCOUNT_WRITE)")
      ->check([](const std::string& v) {
        bool ok = v.size() == 12 &&
                  std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        return ok ? std::string() : std::string("must be 12 digits");
      });
  cmd->add_flag("--no-size-limit", options.no_size_limit,
                "do not report size quotas (AWS managed policies are exempt)");
  cmd->add_flag("--aws-compat", options.aws_compat,
                "accept empty condition value arrays as AWS does (R96)");
  cmd->add_option("--registry-scope", options.registry_scope,
                  "registry policy scope of the account: v1 (only replication actions honoured, "
                  "R189) or v2")
      ->check(CLI::IsMember({"v1", "v2"}));
  cmd->add_option("paths", options.paths, "policy files, directories (*.json) or - for stdin")
      ->required();
}

int RunLint(const LintCommandOptions& options) { return Linter(options).Run(); }

}  // namespace portcullis_cli
