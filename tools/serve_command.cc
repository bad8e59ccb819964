// `portcullis serve` and `portcullis login-password` (serve_command.h). The server runs until
// SIGINT or SIGTERM (graceful stop); SIGHUP reloads --config into a new engine snapshot and keeps
// the old one if the file does not load.
#include "tools/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "policy_engine/engine/engine.h"
#include "registry_frontend/demo/demo_store.h"
#include "registry_frontend/http/server.h"
#include "registry_frontend/registry/registry.h"

namespace portcullis_cli {

namespace {

namespace rf = registry_frontend;

bool ReadConfig(const std::string& path, std::string& out) {
  if (path.empty()) {
    out = std::string(rf::demo::DemoStore());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "portcullis: cannot read `" << path << "`\n";
    return false;
  }
  std::stringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::unique_ptr<policy_engine::engine::Engine> LoadEngine(const std::string& config) {
  std::string text;
  if (!ReadConfig(config, text)) return nullptr;
  auto engine = policy_engine::engine::Engine::Create(text);
  if (!engine) {
    std::cerr << "portcullis: " << (config.empty() ? "built-in demo store" : config) << ": "
              << engine.error().ToString() << "\n";
    return nullptr;
  }
  return std::move(*engine);
}

bool SplitListen(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return false;
  unsigned long value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

void AddServeCommands(CLI::App& app, ServeOptions& serve, LoginPasswordOptions& login) {
  CLI::App* s = app.add_subcommand("serve", "run the OCI registry with ECR-style authorization");
  s->add_option("--config", serve.config,
                "policy store document (docs/store-format.md); default: the built-in demo store");
  s->add_option("--data", serve.data, "data directory (blobs, metadata, token key)")
      ->capture_default_str();
  s->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  s->add_option("--repository-settings", serve.repository_settings,
                "registry settings per repository (imageTagMutability, exclusion filters; "
                "docs/registry.md); default: every repository MUTABLE");
  s->add_option("--audit-log", serve.audit_log,
                "append one JSON line per authorization decision to FILE (`-`: standard error); "
                "default: no audit log");
  CLI::App* l = app.add_subcommand("login-password",
                                   "print a 12-hour registry password for a principal (as `aws ecr "
                                   "get-login-password`); use it with user `AWS`");
  l->add_option("--user", login.user, "user or role ARN, or its name")->required();
  l->add_option("--config", login.config, "policy store document; default: the demo store");
  l->add_option("--data", login.data, "data directory of the server (holds the token key)")
      ->capture_default_str();
}

int RunLoginPassword(const LoginPasswordOptions& options) {
  auto engine = LoadEngine(options.config);
  if (!engine) return 2;
  auto arn = engine->ResolvePrincipal(options.user);
  if (!arn) {
    std::cerr << "portcullis login-password: " << arn.error().message() << "\n";
    return 2;
  }
  auto signer = rf::auth::TokenSigner::LoadOrCreate(options.data + "/auth/token.key");
  if (!signer) {
    std::cerr << "portcullis login-password: " << signer.error().message() << "\n";
    return 2;
  }
  std::cout << signer->Issue(*arn, static_cast<int64_t>(std::time(nullptr))) << "\n";
  return 0;
}

int RunServe(const ServeOptions& options) {
  rf::http::ServerOptions server_options;
  if (!SplitListen(options.listen, server_options.address, server_options.port)) {
    std::cerr << "portcullis serve: --listen must be HOST:PORT, got `" << options.listen << "`\n";
    return 2;
  }
  auto engine = LoadEngine(options.config);
  if (!engine) return 2;
  rf::registry::RepositorySettings settings;
  if (!options.repository_settings.empty()) {
    std::ifstream in(options.repository_settings, std::ios::binary);
    if (!in) {
      std::cerr << "portcullis serve: cannot read `" << options.repository_settings << "`\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = rf::registry::ParseRepositorySettings(text.str());
    if (!parsed) {
      std::cerr << "portcullis serve: " << options.repository_settings << ": "
                << parsed.error().message() << "\n";
      return 2;
    }
    settings = std::move(*parsed);
  }
  auto registry = rf::registry::Registry::Open(*engine, options.data, std::move(settings));
  if (!registry) {
    std::cerr << "portcullis serve: " << registry.error().message() << "\n";
    return 2;
  }
  std::shared_ptr<rf::audit::AuditLog> audit_log;
  if (!options.audit_log.empty()) {
    auto opened = rf::audit::AuditLog::Open(options.audit_log);
    if (!opened) {
      std::cerr << "portcullis serve: " << opened.error().message() << "\n";
      return 2;
    }
    audit_log = std::move(*opened);
    (*registry)->SetAuditLog(audit_log);
  }
  // Signals are taken by sigwait below: block them before the I/O threads start (they inherit
  // the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  rf::http::Server server(server_options, *registry);
  policy_engine::Status started = server.Start();
  if (!started.ok()) {
    std::cerr << "portcullis serve: " << started.message() << "\n";
    return 2;
  }
  const auto& id = (*registry)->identity();
  std::cout << "portcullis: listening on " << server_options.address << ":" << server.port()
            << " (registry " << id.account << " " << id.region << ", data " << options.data << ", "
            << (options.config.empty() ? "built-in demo store" : options.config) << ")"
            << std::endl;
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) break;
    std::string text;
    if (!ReadConfig(options.config, text)) continue;
    policy_engine::Status reloaded = engine->Reload(text);
    if (!reloaded.ok()) {
      std::cerr << "portcullis serve: reload failed, keeping the old configuration: "
                << reloaded.ToString() << std::endl;
      continue;
    }
    policy_engine::Status synced = (*registry)->SyncRepositories();
    std::cerr << "portcullis serve: configuration reloaded"
              << (synced.ok() ? "" : " (repository sync failed: " + synced.message() + ")")
              << std::endl;
  }
  std::cout << "portcullis: stopping" << std::endl;
  server.Stop();
  if (audit_log) audit_log->Flush();
  return 0;
}

}  // namespace portcullis_cli
