// The HTTP/1.1 server (Boost.Beast, asynchronous): one I/O thread per core, each with its own
// io_context and its share of the connections (no strands, no cross-thread hand-offs), keep-alive,
// header and body limits, read timeouts and graceful shutdown. The shape follows Beast's
// advanced_server.cpp (docs/architecture-and-style.md §2, §4 steps 1, 2, 10).
//
// Registry-specific behaviour that lives here because it is about bytes on the wire:
//  * a connection whose first byte is 0x16 (a TLS ClientHello: skopeo probes HTTPS first even
//    with --tls-verify=false) is closed at once, so the client falls back to HTTP immediately
//    instead of waiting for its 10 s handshake timeout (docs wire-protocols.md (a));
//  * repeated header lines are merged (skopeo sends six `Accept` lines);
//  * the handler sees the header before the body (Handler::OnHeader), so a request is
//    authenticated and authorized before a byte of its body is stored, and blob bodies stream
//    into a BodySink instead of memory.
//
// Thread safety: Start and Stop from one controlling thread; the handler is called concurrently
// from the I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "policy_engine/common/status.h"
#include "registry_frontend/http/message.h"

namespace registry_frontend::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;     // 0: any free port (see Server::port())
  unsigned threads = 0;  // 0: one per core
  // Pin I/O thread i to the i-th CPU this process may run on (round robin). Without it, when a
  // low-priority thread (a reload compiling at SCHED_IDLE) occupies one core, the scheduler can
  // leave both I/O threads queued on the other for a tick (bench/README.md "Sidecar").
  bool pin_threads = false;
  // ECR tokens make ~3 KB `Authorization` headers; leave plenty of room.
  uint32_t header_limit = 64 * 1024;
  uint64_t memory_body_limit = 4 * 1024 * 1024;  // manifests (OCI: 4 MiB)
  uint64_t stream_body_limit = 64ull << 30;      // blob uploads into a sink
  std::chrono::seconds read_timeout{30};         // header and in-memory body; also idle
  std::chrono::seconds stream_timeout{600};      // a streamed body as a whole
  std::chrono::seconds shutdown_grace{5};
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<Handler> handler);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads.
  policy_engine::Status Start();
  // The bound port (after Start).
  uint16_t port() const { return port_; }
  // Stops accepting, lets in-flight requests finish (up to shutdown_grace) and joins the threads.
  void Stop();

  struct Impl;

 private:
  ServerOptions options_;
  std::shared_ptr<Handler> handler_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace registry_frontend::http
