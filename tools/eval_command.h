// `portcullis eval`: evaluate decision cases or a request stream against a policy store.
// The formats are documented in docs/eval-cli.md.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace portcullis_cli {

struct EvalOptions {
  std::string cases;                // --cases FILE|-
  std::string store;                // --store FILE
  std::string requests;             // --requests FILE|-
  std::string engine = "compiled";  // --store only; --cases uses the reference evaluator
  int repeat = 1;
  bool timing = false;
};

void AddEvalCommand(CLI::App& app, EvalOptions& options);
int RunEval(const EvalOptions& options);

}  // namespace portcullis_cli
