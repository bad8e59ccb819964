// `portcullis sidecar`: the authorization service for nginx auth_request and Envoy ext_authz in
// front of an existing registry (docs/sidecar.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace portcullis_cli {

struct SidecarCommandOptions {
  std::string config;                        // --config STORE.json; empty = built-in demo store
  std::string data = "portcullis-data";      // --data DIR (holds auth/token.key)
  std::string listen = "127.0.0.1:5001";     // --listen HOST:PORT (port 0 = any free port)
  std::vector<std::string> trusted_proxies;  // --trusted-proxy CIDR…
  std::vector<std::string> pass_through;     // --pass-through PREFIX…
  std::string audit_log;                     // --audit-log FILE ("-" = stderr)
  std::string admin_token_file;              // --admin-token-file FILE
  unsigned threads = 0;                      // --threads N (0: one per core)
  bool pin_io_threads = false;               // --pin-io-threads
  size_t decision_memo = 4096;               // --decision-memo SLOTS (0: off)
  // GET /token (docs/token-server.md): JWT `iss`, `aud` and lifetime.
  std::string token_issuer = "portcullis";            // --token-issuer
  std::string token_service = "portcullis-registry";  // --token-service
  int64_t token_lifetime = 300;                       // --token-lifetime SECONDS
};

void AddSidecarCommand(CLI::App& app, SidecarCommandOptions& options);
int RunSidecar(const SidecarCommandOptions& options);

}  // namespace portcullis_cli
