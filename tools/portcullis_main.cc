// The `portcullis` command line: one binary, one subcommand per user (docs/eval-cli.md).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "tools/eval_command.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{"portcullis: AWS IAM and Amazon ECR policy engine"};
    app.require_subcommand(1);
    portcullis_cli::EvalOptions eval_options;
    portcullis_cli::AddEvalCommand(app, eval_options);
    CLI11_PARSE(app, argc, argv);
    if (app.got_subcommand("eval")) return portcullis_cli::RunEval(eval_options);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "portcullis: internal error: " << e.what() << "\n";
    return 3;
  }
}
