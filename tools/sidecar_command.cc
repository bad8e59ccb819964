// `portcullis sidecar` (sidecar_command.h). Runs until SIGINT/SIGTERM (graceful stop); SIGHUP,
// a change of --config (polled every second) and POST /admin/reload reload the configuration;
// SIGHUP also reopens the audit log (rotation).
#include "tools/sidecar_command.h"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "registry_frontend/http/server.h"
#include "registry_frontend/sidecar/sidecar.h"
#include "tools/command_common.h"

namespace portcullis_cli {

namespace rf = registry_frontend;

void AddSidecarCommand(CLI::App& app, SidecarCommandOptions& o) {
  CLI::App* s = app.add_subcommand(
      "sidecar", "authorization service for nginx auth_request and Envoy ext_authz");
  s->add_option("--config", o.config,
                "policy store document (docs/store-format.md); default: the built-in demo store");
  s->add_option("--data", o.data, "data directory holding auth/token.key (as `serve`)")
      ->capture_default_str();
  s->add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  s->add_option("--trusted-proxy", o.trusted_proxies,
                "CIDR of a proxy whose X-Forwarded-For/-Proto are believed (repeatable)");
  s->add_option("--pass-through", o.pass_through,
                "path prefix outside /v2/ answered 200 without a decision (repeatable)");
  s->add_option("--audit-log", o.audit_log,
                "append one JSON line per decision to FILE (`-`: standard error)");
  s->add_option("--admin-token-file", o.admin_token_file,
                "POST /admin/reload also needs `Authorization: Bearer <file content>`");
  s->add_option("--threads", o.threads, "I/O threads (0: one per core)")->capture_default_str();
  s->add_flag("--pin-io-threads", o.pin_io_threads,
              "pin I/O thread i to the i-th allowed CPU (a machine or cpuset of its own)");
  s->add_option(
       "--decision-memo", o.decision_memo,
       "slots of the engine's exact decision memo (identical requests under one configuration; "
       "0: off)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 24));
  s->add_option("--token-issuer", o.token_issuer,
                "/token: JWT issuer (docker-registry auth.token.issuer)")
      ->capture_default_str();
  s->add_option("--token-service", o.token_service,
                "/token: service name (docker-registry auth.token.service, JWT aud)")
      ->capture_default_str();
  s->add_option("--token-lifetime", o.token_lifetime, "/token: JWT lifetime in seconds")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}))
      ->capture_default_str();
}

int RunSidecar(const SidecarCommandOptions& options) {
  rf::http::ServerOptions server_options;
  if (!SplitListen(options.listen, server_options.address, server_options.port)) {
    std::cerr << "portcullis sidecar: --listen must be HOST:PORT, got `" << options.listen << "`\n";
    return 2;
  }
  server_options.threads = options.threads;
  server_options.pin_threads = options.pin_io_threads;
  // Checks carry no bodies worth keeping: anything announced is discarded (bounded memory).
  server_options.memory_body_limit = 64 * 1024;
  server_options.stream_body_limit = 1 << 20;

  rf::sidecar::SidecarOptions sidecar_options;
  std::vector<rf::sidecar::Cidr> ranges;
  for (const std::string& text : options.trusted_proxies) {
    auto cidr = rf::sidecar::ParseCidr(text);
    if (!cidr) {
      std::cerr << "portcullis sidecar: --trusted-proxy " << cidr.error().message() << "\n";
      return 2;
    }
    ranges.push_back(*cidr);
  }
  sidecar_options.trusted = rf::sidecar::TrustedProxies(std::move(ranges));
  for (const std::string& prefix : options.pass_through) {
    if (prefix.empty() || prefix[0] != '/' || prefix.compare(0, 3, "/v2") == 0) {
      std::cerr << "portcullis sidecar: --pass-through `" << prefix
                << "`: must start with `/` and lie outside /v2\n";
      return 2;
    }
  }
  sidecar_options.pass_through = options.pass_through;
  if (!options.admin_token_file.empty()) {
    std::ifstream in(options.admin_token_file, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (!in || token.empty()) {
      std::cerr << "portcullis sidecar: --admin-token-file `" << options.admin_token_file
                << "` is unreadable or empty\n";
      return 2;
    }
    sidecar_options.admin_token = token;
  }

  policy_engine::engine::EngineOptions engine_options;
  engine_options.decision_memo_slots = options.decision_memo;
  auto engine = LoadEngine(options.config, engine_options, &sidecar_options.initial_config);
  if (!engine) return 2;
  auto signer = rf::auth::TokenSigner::LoadOrCreate(options.data + "/auth/token.key");
  if (!signer) {
    std::cerr << "portcullis sidecar: " << signer.error().message() << "\n";
    return 2;
  }
  // /token signs with DATA/auth/jwt-key.pem; docker-registry trusts DATA/auth/jwt-cert.pem.
  auto jwt = rf::token::JwtIssuer::LoadOrCreate(options.data + "/auth/jwt-key.pem",
                                                options.data + "/auth/jwt-cert.pem");
  if (!jwt) {
    std::cerr << "portcullis sidecar: " << jwt.error().message() << "\n";
    return 2;
  }
  sidecar_options.jwt = std::make_shared<const rf::token::JwtIssuer>(std::move(*jwt));
  sidecar_options.token = {options.token_issuer, options.token_service, options.token_lifetime};
  rf::sidecar::ConfigLoader loader = ConfigFileLoader(options.config);
  auto sidecar = std::make_shared<rf::sidecar::Sidecar>(std::move(engine), std::move(*signer),
                                                        loader, std::move(sidecar_options));
  std::shared_ptr<rf::audit::AuditLog> audit_log;
  if (!options.audit_log.empty()) {
    auto opened = rf::audit::AuditLog::Open(options.audit_log);
    if (!opened) {
      std::cerr << "portcullis sidecar: " << opened.error().message() << "\n";
      return 2;
    }
    audit_log = std::move(*opened);
    sidecar->SetAuditLog(audit_log);
  }

  // Signals are taken by sigwait: block them before any thread starts (threads inherit it).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  rf::http::Server server(server_options, sidecar);
  policy_engine::Status started = server.Start();
  if (!started.ok()) {
    std::cerr << "portcullis sidecar: " << started.message() << "\n";
    return 2;
  }
  if (!options.config.empty()) sidecar->StartWatcher(options.config, std::chrono::seconds(1));
  std::cout << "portcullis: sidecar listening on " << server_options.address << ":" << server.port()
            << " (" << (options.config.empty() ? "built-in demo store" : options.config)
            << ", data " << options.data << ")" << std::endl;
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) break;
    if (audit_log) {  // log rotation: reopen the audit log by its path (as `serve`)
      policy_engine::Status reopened = audit_log->Reopen();
      if (!reopened.ok()) std::cerr << "portcullis sidecar: " << reopened.message() << std::endl;
    }
    (void)sidecar->Reload("SIGHUP");
  }
  std::cout << "portcullis: stopping" << std::endl;
  sidecar->StopWatcher();
  server.Stop();
  if (audit_log) audit_log->Flush();
  return 0;
}

}  // namespace portcullis_cli
