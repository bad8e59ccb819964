// `portcullis serve` (the registry front end) and `portcullis login-password` (an ECR-style
// registry password for a configured principal). docs/registry.md documents both.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace portcullis_cli {

struct ServeOptions {
  std::string config;                     // --config STORE.json; empty = built-in demo store
  std::string data = "portcullis-data";   // --data DIR
  std::string listen = "127.0.0.1:5000";  // --listen HOST:PORT (port 0 = any free port)
  std::string repository_settings;        // --repository-settings FILE; empty = all MUTABLE
  std::string audit_log;                  // --audit-log FILE ("-" = stderr); empty = none
  size_t decision_memo = 4096;            // --decision-memo SLOTS (0: off)
  // Hidden, for tests and benchmarks (docs/registry.md "Test and benchmark options").
  unsigned read_timeout_seconds = 30;  // --read-timeout-seconds: header / small body / idle
  std::string authorization = "on";    // --authorization=off needs PORTCULLIS_BENCH=1
};

struct LoginPasswordOptions {
  std::string config;
  std::string data = "portcullis-data";
  std::string user;  // --user ARN|NAME
};

void AddServeCommands(CLI::App& app, ServeOptions& serve, LoginPasswordOptions& login);
int RunServe(const ServeOptions& options);
int RunLoginPassword(const LoginPasswordOptions& options);

}  // namespace portcullis_cli
