#include "tools/eval_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "policy_engine/driver/cases.h"

namespace portcullis_cli {

void AddEvalCommand(CLI::App& app, EvalOptions& options) {
  CLI::App* eval = app.add_subcommand("eval", "evaluate requests and print one decision per line");
  auto* cases = eval->add_option("--cases", options.cases,
                                 "self-contained cases, JSON Lines (`-` = standard input)");
  eval->add_option("--store", options.store, "policy store document (docs/store-format.md)")
      ->excludes(cases);
  eval->add_option("--requests", options.requests, "requests against the store, JSON Lines");
  eval->add_option("--engine", options.engine, "evaluator: reference")
      ->check(CLI::IsMember({"reference"}));
  eval->add_option("--repeat", options.repeat, "evaluate the preloaded requests N times")
      ->check(CLI::PositiveNumber);
  eval->add_flag("--timing", options.timing, "print ns per decision on standard error");
}

namespace {

// Reads a whole file or standard input; false with a message on failure.
bool ReadInput(const std::string& path, std::string& out) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "portcullis eval: cannot read `" << path << "`\n";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

int RunCases(const EvalOptions& options) {
  std::string text;
  if (!ReadInput(options.cases, text)) return 2;
  size_t line_number = 0;
  size_t start = 0;
  std::string out;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line.substr(first).starts_with("#") ||
        line.substr(first).starts_with("//")) {
      continue;  // blank and comment lines are skipped, as by the oracle
    }
    policy_engine::driver::CaseOutcome outcome =
        policy_engine::driver::EvaluateCaseLine(line, line_number);
    out += policy_engine::driver::FormatOutcome(outcome);
    out += '\n';
  }
  std::cout << out;
  std::cout.flush();
  return std::cout ? 0 : 2;
}

}  // namespace

int RunEval(const EvalOptions& options) {
  if (!options.cases.empty()) return RunCases(options);
  if (!options.store.empty()) {
    std::cerr << "portcullis eval: --store is not implemented yet\n";
    return 2;
  }
  std::cerr << "portcullis eval: give --cases FILE or --store FILE --requests FILE\n";
  return 2;
}

}  // namespace portcullis_cli
