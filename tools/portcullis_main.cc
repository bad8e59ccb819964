// The `portcullis` command line: one binary, one subcommand per user (docs/eval-cli.md).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "tools/eval_command.h"
#include "tools/lint_command.h"
#include "tools/serve_command.h"
#include "tools/sidecar_command.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{"portcullis: AWS IAM and Amazon ECR policy engine"};
    app.require_subcommand(1);
    portcullis_cli::EvalOptions eval_options;
    portcullis_cli::AddEvalCommand(app, eval_options);
    portcullis_cli::LintCommandOptions lint_options;
    portcullis_cli::AddLintCommand(app, lint_options);
    portcullis_cli::ServeOptions serve_options;
    portcullis_cli::LoginPasswordOptions login_options;
    portcullis_cli::AddServeCommands(app, serve_options, login_options);
    portcullis_cli::SidecarCommandOptions sidecar_options;
    portcullis_cli::AddSidecarCommand(app, sidecar_options);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2 (docs/eval-cli.md, docs/lint.md)
    }
    if (app.got_subcommand("eval")) return portcullis_cli::RunEval(eval_options);
    if (app.got_subcommand("lint")) return portcullis_cli::RunLint(lint_options);
    if (app.got_subcommand("serve")) return portcullis_cli::RunServe(serve_options);
    if (app.got_subcommand("sidecar")) return portcullis_cli::RunSidecar(sidecar_options);
    if (app.got_subcommand("login-password")) {
      return portcullis_cli::RunLoginPassword(login_options);
    }
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "portcullis: internal error: " << e.what() << "\n";
    return 3;
  }
}
