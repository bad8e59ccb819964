#include "tools/eval_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

#include "policy_engine/compile/program.h"
#include "policy_engine/driver/cases.h"
#include "policy_engine/store/store.h"

namespace portcullis_cli {

void AddEvalCommand(CLI::App& app, EvalOptions& options) {
  CLI::App* eval = app.add_subcommand("eval", "evaluate requests and print one decision per line");
  auto* cases = eval->add_option("--cases", options.cases,
                                 "self-contained cases, JSON Lines (`-` = standard input)");
  eval->add_option("--store", options.store, "policy store document (docs/store-format.md)")
      ->excludes(cases);
  eval->add_option("--requests", options.requests,
                   "requests against the store, JSON Lines (`-` = standard input)");
  eval->add_option(
          "--engine", options.engine,
          "with --store: `compiled` (default) or `reference` (the gold-standard evaluator)")
      ->check(CLI::IsMember({"compiled", "reference"}));
  eval->add_option("--repeat", options.repeat,
                   "with --store: evaluate the preloaded requests N times, print decisions once")
      ->check(CLI::PositiveNumber);
  eval->add_flag("--timing", options.timing,
                 "with --store: print ns per decision (evaluation only) on standard error");
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

// Calls `fn(line, line_number)` for every line of `text` that is not blank or a comment (`#`,
// `//`): the JSON Lines conventions of the oracle, shared by --cases and --requests.
template <typename Fn>
void ForEachLine(const std::string& text, Fn fn) {
  size_t line_number = 0;
  size_t start = 0;
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
    fn(line, line_number);
  }
}

int RunCases(const EvalOptions& options) {
  std::string text;
  if (!ReadInput(options.cases, text)) return 2;
  std::string out;
  ForEachLine(text, [&](std::string_view line, size_t line_number) {
    policy_engine::driver::CaseOutcome outcome =
        policy_engine::driver::EvaluateCaseLine(line, line_number);
    out += policy_engine::driver::FormatOutcome(outcome);
    out += '\n';
  });
  std::cout << out;
  std::cout.flush();
  return std::cout ? 0 : 2;
}

// --store/--requests: every request is read, completed and bound to the engine once; only the
// decision itself runs in the (optionally repeated and timed) loop, so --timing measures the
// decision procedure and nothing of the input handling.
int RunStore(const EvalOptions& options) {
  namespace pe = policy_engine;
  if (options.requests.empty()) {
    std::cerr << "portcullis eval: --store needs --requests FILE\n";
    return 2;
  }
  if (options.store == "-" && options.requests == "-") {
    std::cerr << "portcullis eval: --store and --requests cannot both be standard input\n";
    return 2;
  }
  std::string store_text;
  if (!ReadInput(options.store, store_text)) return 2;
  auto store = pe::store::Store::Load(store_text);
  if (!store) {
    std::cerr << "portcullis eval: " << options.store << ": " << store.error().ToString() << "\n";
    return 2;
  }
  bool compiled = options.engine == "compiled";
  std::shared_ptr<const pe::compile::DecisionProgram> program;
  if (compiled) {
    auto p = pe::compile::DecisionProgram::Compile(*store);
    if (!p) {
      std::cerr << "portcullis eval: " << p.error().ToString() << "\n";
      return 2;
    }
    program = *p;
  }
  std::string requests_text;
  if (!ReadInput(options.requests, requests_text)) return 2;

  // Each line: an error, or a request with what the chosen engine needs, prepared once.
  struct Line {
    std::string id_json = "null";
    std::string error;
    pe::store::StoreRequest request;
    pe::eval::PolicySet policies;        // reference engine
    pe::compile::PreparedRequest bound;  // compiled engine
  };
  std::vector<std::unique_ptr<Line>> lines;  // stable addresses: `bound` views `request`
  ForEachLine(requests_text, [&](std::string_view text, size_t line_number) {
    auto line = std::make_unique<Line>();
    std::string where = "line " + std::to_string(line_number) + ": ";
    auto doc = pe::json::Parse(text);
    if (!doc) {
      line->error = where + doc.error().ToString();
    } else {
      if (const pe::json::Node* id = doc->is_object() ? doc->Find("id") : nullptr) {
        line->id_json = pe::json::Dump(*id);
      }
      auto request = store->ReadRequest(*doc, text);
      if (!request) {
        line->error = where + request.error().ToString();
      } else {
        line->request = std::move(*request);
        store->CompleteContext(line->request);
        if (compiled) {
          program->Prepare(line->request, line->bound);
        }
        if (!compiled || line->bound.needs_reference) {
          line->policies = store->PolicySetFor(line->request);
        }
      }
    }
    lines.push_back(std::move(line));
  });

  std::vector<pe::driver::CaseOutcome> outcomes(lines.size());
  size_t decisions = 0, reference_path = 0;
  auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < options.repeat; ++pass) {
    for (size_t i = 0; i < lines.size(); ++i) {
      const Line& l = *lines[i];
      if (!l.error.empty()) continue;
      ++decisions;
      if (compiled && !l.bound.needs_reference) {
        pe::compile::Verdict v = program->Evaluate(l.bound);
        if (!v.needs_reference) {
          if (pass == 0) outcomes[i].result = program->Explain(v);
          continue;
        }
      }
      // The reference evaluator decides what the compiled program does not cover.
      if (compiled && pass == 0) ++reference_path;
      // Sets were gathered up front unless the program only found out while evaluating.
      bool gathered = !compiled || l.bound.needs_reference;
      pe::eval::PolicySet late;
      if (!gathered) late = store->PolicySetFor(l.request);
      pe::model::DecisionResult result =
          pe::eval::EvaluateReference(gathered ? l.policies : late, l.request.request);
      if (pass == 0) outcomes[i].result = std::move(result);
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;

  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    outcomes[i].id_json = lines[i]->id_json;
    outcomes[i].error = lines[i]->error;
    out += pe::driver::FormatOutcome(outcomes[i]);
    out += '\n';
  }
  std::cout << out;
  std::cout.flush();
  if (options.timing) {
    double ns =
        static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    std::ostringstream line;
    line.setf(std::ios::fixed);
    line.precision(1);
    line << "timing: " << decisions << " decisions, "
         << (decisions == 0 ? 0.0 : ns / static_cast<double>(decisions)) << " ns/decision ("
         << options.engine << " engine";
    if (compiled) line << "; " << reference_path << " requests on the reference path";
    line << ")";
    std::cerr << line.str() << "\n";
  }
  return std::cout ? 0 : 2;
}

}  // namespace

int RunEval(const EvalOptions& options) {
  if (!options.cases.empty()) return RunCases(options);
  if (!options.store.empty()) return RunStore(options);
  std::cerr << "portcullis eval: give --cases FILE or --store FILE --requests FILE\n";
  return 2;
}

}  // namespace portcullis_cli
