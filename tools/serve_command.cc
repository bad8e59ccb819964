// `portcullis serve` and `portcullis login-password` (serve_command.h). The server runs until
// SIGINT or SIGTERM (graceful stop); SIGHUP reloads --config into a new engine snapshot and keeps
// the old one if the file does not load.
#include "tools/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "policy_engine/engine/engine.h"
#include "registry_frontend/http/server.h"
#include "registry_frontend/registry/registry.h"
#include "registry_frontend/reload/reloader.h"
#include "tools/command_common.h"

namespace portcullis_cli {

namespace {

namespace rf = registry_frontend;

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
  s->add_option("--decision-memo", serve.decision_memo,
                "slots of the engine's exact decision memo (identical requests under one "
                "configuration; 0: off)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 24));
  // Hidden (empty group): test and benchmark knobs, documented in docs/registry.md.
  s->add_option("--read-timeout-seconds", serve.read_timeout_seconds,
                "seconds to read a header or a small body (also the keep-alive idle time)")
      ->check(CLI::Range(1u, 3600u))
      ->group("");
  s->add_option("--authorization", serve.authorization,
                "`off` skips authorization (benchmarks only; needs PORTCULLIS_BENCH=1)")
      ->check(CLI::IsMember({"on", "off"}))
      ->group("");
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
  server_options.read_timeout = std::chrono::seconds(options.read_timeout_seconds);
  bool authorization_off = options.authorization == "off";
  if (authorization_off) {
    const char* bench = std::getenv("PORTCULLIS_BENCH");
    if (bench == nullptr || std::string(bench) != "1") {
      std::cerr << "portcullis serve: --authorization=off is for benchmarks only and needs "
                   "PORTCULLIS_BENCH=1\n";
      return 2;
    }
    std::cerr << "portcullis serve: WARNING: AUTHORIZATION IS OFF (benchmark mode): every "
                 "authenticated caller may do anything\n";
  }
  policy_engine::engine::EngineOptions engine_options;
  engine_options.decision_memo_slots = options.decision_memo;
  std::string serving_text;
  auto engine = LoadEngine(options.config, engine_options, &serving_text);
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
  if (authorization_off) (*registry)->DisableAuthorizationForBenchmark();
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
  rf::reload::Reloader reloader;
  reloader.SetServing(serving_text);
  serving_text.clear();
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) break;
    if (audit_log) {  // log rotation: reopen the audit log by its path
      policy_engine::Status reopened = audit_log->Reopen();
      if (!reopened.ok()) std::cerr << "portcullis serve: " << reopened.message() << std::endl;
    }
    // Read, hashed and compiled at idle priority off the request threads; a SIGHUP sent for log
    // rotation finds the same text and compiles nothing.
    auto outcome =
        reloader.Reload(*engine, ConfigFileLoader(options.config),
                        [&](const std::vector<policy_engine::engine::RepositoryInfo>& repos) {
                          return (*registry)->CheckRepositories(repos);
                        });
    if (outcome.unchanged) {
      std::cerr << "portcullis serve: configuration unchanged (SIGHUP), not recompiled"
                << std::endl;
      continue;
    }
    if (!outcome.status.ok()) {
      std::cerr << "portcullis serve: reload failed, keeping the old configuration: "
                << outcome.status.ToString() << std::endl;
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
