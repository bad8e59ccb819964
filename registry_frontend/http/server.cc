// Beast plumbing for Server (server.h): Listener → Session, and the conversions between Beast
// messages and our HttpRequest/HttpResponse. Only error_code overloads are used.
#include "registry_frontend/http/server.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

namespace registry_frontend::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// A Beast Body whose reader hands every buffer to a BodySink (blob uploads stream to disk).
struct SinkBody {
  struct value_type {
    std::shared_ptr<BodySink> sink;
    uint64_t bytes = 0;  // body bytes delivered (without chunk framing)
  };
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(bhttp::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>&, beast::error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      std::size_t n = 0;
      for (auto b : beast::buffers_range_ref(buffers)) {
        if (!body_.sink || !body_.sink->Write(static_cast<const char*>(b.data()), b.size())) {
          ec = beast::errc::make_error_code(beast::errc::io_error);
          return n;
        }
        n += b.size();
        body_.bytes += b.size();
      }
      ec = {};
      return n;
    }
    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

// A file response body like Beast's file_body, but read 256 KiB at a time: file_body's fixed
// 4 KiB buffer costs a read and a send per 4 KiB of a blob download (bench/README.md, Registry).
struct BlobFileBody {
  struct value_type {
    beast::file file;
    uint64_t size = 0;
  };
  static uint64_t size(const value_type& body) { return body.size; }
  class writer {
   public:
    using const_buffers_type = asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(bhttp::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(beast::error_code& ec) {
      remaining_ = body_.size;
      buffer_.resize(std::min<uint64_t>(remaining_, 256 * 1024));
      ec = {};
    }
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      if (remaining_ == 0) return boost::none;
      size_t n =
          body_.file.read(buffer_.data(), std::min<uint64_t>(buffer_.size(), remaining_), ec);
      if (ec) return boost::none;
      if (n == 0) {  // the file shrank: never send fewer bytes than announced
        ec = bhttp::error::short_read;
        return boost::none;
      }
      remaining_ -= n;
      return {{const_buffers_type(buffer_.data(), n), remaining_ > 0}};
    }

   private:
    value_type& body_;
    uint64_t remaining_ = 0;
    std::vector<char> buffer_;
  };
};

// AddMergedHeader's result (lower-case names, repeated lines merged), but overwriting the
// entries of the connection's previous request in place: their strings keep their capacity, so
// a keep-alive connection stops allocating for its headers after the first request.
template <class Fields>
void CopyHeaders(const Fields& fields, Headers& out) {
  size_t n = 0;
  for (const auto& field : fields) {
    std::string_view name = field.name_string();
    std::string_view value = field.value();
    size_t i = 0;
    while (i < n && !beast::iequals(out[i].first, name)) ++i;
    if (i < n) {
      out[i].second += ", ";
      out[i].second += value;
      continue;
    }
    if (n == out.size()) out.emplace_back();
    out[n].first.assign(name);
    for (char& c : out[n].first) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out[n].second.assign(value);
    ++n;
  }
  out.resize(n);
}

bhttp::message_generator ToBeast(HttpResponse response, unsigned version, bool keep_alive) {
  auto fill = [&](auto& res) {
    for (const auto& [name, value] : response.headers) res.insert(name, value);
    res.keep_alive(keep_alive);
  };
  if (!response.file_path.empty()) {
    bhttp::response<BlobFileBody> res{static_cast<bhttp::status>(response.status), version};
    beast::error_code ec;
    res.body().file.open(response.file_path.c_str(), beast::file_mode::scan, ec);
    if (!ec) res.body().size = res.body().file.size(ec);
    if (!ec) {
      fill(res);
      res.prepare_payload();
      return bhttp::message_generator(std::move(res));
    }
    response.status = 500;
    response.body = R"({"errors":[{"code":"UNKNOWN","message":"blob unreadable"}]})";
  }
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
  fill(res);
  if (response.head_length) {
    res.content_length(*response.head_length);
  } else {
    res.body() = std::move(response.body);
    res.prepare_payload();
  }
  return bhttp::message_generator(std::move(res));
}

}  // namespace

// Shared with sessions (which may outlive Stop until the io_context is destroyed).
struct Counters {
  std::atomic<bool> stopping{false};
  std::atomic<int> sessions{0};
  asio::thread_pool* blocking = nullptr;  // HttpResponse::deferred work; joined by Stop
};

// Owned by the Server only: handlers refer to it by raw pointer, so destroying it (after the
// threads are joined) destroys every pending handler and with them every session.
//
// One io_context per I/O thread, each run by its thread alone: a connection lives on one thread
// (the acceptor hands them out in turn), so its handlers need no strand and no cross-thread
// wake-up, and the schedulers never contend. Measured against one shared io_context with a strand
// per connection: bench/README.md "Sidecar".
struct Server::Impl {
  explicit Impl(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) iocs.push_back(std::make_unique<asio::io_context>(1));
    acceptor.emplace(*iocs.front());
    counters->blocking = &blocking;
  }
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  std::optional<tcp::acceptor> acceptor;  // on iocs[0]
  size_t next = 0;                        // the io_context of the next connection
  asio::thread_pool blocking{1};          // HttpResponse::deferred: one at a time, in order
  std::shared_ptr<Counters> counters = std::make_shared<Counters>();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const ServerOptions& options, std::shared_ptr<Handler> handler,
          std::shared_ptr<Counters> impl)
      : stream_(std::move(socket)),
        options_(options),
        handler_(std::move(handler)),
        impl_(std::move(impl)) {
    ++impl_->sessions;
  }
  ~Session() { --impl_->sessions; }

  void Run() {
    // The peer is fixed for the connection: asked once, not per request (a syscall).
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = endpoint.address().to_string();
    // Each response is one write: send it now rather than waiting for the previous one's ACK
    // (Nagle), as nginx's tcp_nodelay does for keep-alive connections.
    stream_.socket().set_option(tcp::no_delay(true), ec);
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::FirstRead, shared_from_this()));
  }

 private:
  // Reads whatever arrives first and looks at the first byte before any HTTP parsing.
  void FirstRead() {
    stream_.expires_after(options_.read_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Session::OnFirstRead, shared_from_this()));
  }

  void OnFirstRead(beast::error_code ec, std::size_t n) {
    if (ec) return Close();
    buffer_.commit(n);
    const auto* first = static_cast<const unsigned char*>(buffer_.data().data());
    if (n > 0 && first[0] == 0x16) return Close();  // TLS ClientHello on the plain port
    ReadHeader();
  }

  void ReadHeader() {
    header_parser_.emplace();
    header_parser_->header_limit(options_.header_limit);
    // The body limit depends on the handler's plan (memory or sink), known only after the
    // header: checked in OnHeader and set on the body parser.
    header_parser_->body_limit(boost::none);
    sink_parser_.reset();
    string_parser_.reset();
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *header_parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::header_limit) {
      // Say why instead of a bare reset; the rest of the header is never read.
      keep_alive_ = false;
      return Write(HttpResponse{431,
                                {{"Content-Type", "application/json; charset=utf-8"}},
                                R"({"errors":[{"code":"UNSUPPORTED","message":)"
                                R"("request header fields too large"}]})",
                                {},
                                {},
                                {}});
    }
    if (ec) return Close();
    const auto& head = header_parser_->get();
    // Field by field rather than a fresh HttpRequest: the strings keep their capacity from the
    // connection's previous request.
    request_.method.assign(head.method_string());
    request_.target.assign(head.target());
    size_t q = request_.target.find('?');
    request_.path.assign(request_.target, 0, q);
    if (q != std::string::npos) {
      request_.query.assign(request_.target, q + 1);
    } else {
      request_.query.clear();
    }
    CopyHeaders(head, request_.headers);
    request_.body.clear();
    request_.remote_ip.assign(remote_ip_);
    request_.secure = false;
    request_.sink_bytes = 0;
    request_.body_in_sink = false;
    version_ = head.version();
    keep_alive_ = head.keep_alive();
    bool has_body = head.chunked() ||
                    (head.has_content_length() && header_parser_->content_length().value_or(0) > 0);
    plan_ = handler_->OnHeader(request_);
    // A known length over the limit is refused before reading (the converted parser does not
    // re-check it); chunked bodies are bounded by the parser's body_limit while reading.
    uint64_t limit = plan_.sink ? options_.stream_body_limit : options_.memory_body_limit;
    if (!plan_.early && header_parser_->content_length().value_or(0) > limit) {
      plan_.early =
          HttpResponse{413,
                       {{"Content-Type", "application/json; charset=utf-8"}},
                       R"({"errors":[{"code":"SIZE_INVALID","message":"body too large"}]})",
                       {},
                       {},
                       {}};
    }
    if (plan_.early) {
      if (has_body) keep_alive_ = false;  // the unread body would be taken for a request
      return Write(std::move(*plan_.early));
    }
    if (plan_.sink) {
      sink_parser_.emplace(std::move(*header_parser_));
      sink_parser_->body_limit(options_.stream_body_limit);
      sink_parser_->get().body().sink = plan_.sink;
      // Beast reads at most the buffer's free capacity per call (4 KiB after the first read):
      // give streamed bodies 64 KiB reads (Beast's cap), 16x fewer syscalls and sink writes.
      buffer_.reserve(64 * 1024);
      stream_.expires_after(options_.stream_timeout);
      bhttp::async_read(stream_, buffer_, *sink_parser_,
                        beast::bind_front_handler(&Session::OnBody, shared_from_this()));
    } else {
      string_parser_.emplace(std::move(*header_parser_));
      string_parser_->body_limit(options_.memory_body_limit);
      stream_.expires_after(options_.read_timeout);
      bhttp::async_read(stream_, buffer_, *string_parser_,
                        beast::bind_front_handler(&Session::OnBody, shared_from_this()));
    }
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      return Write(
          HttpResponse{413,
                       {{"Content-Type", "application/json; charset=utf-8"}},
                       R"({"errors":[{"code":"SIZE_INVALID","message":"body too large"}]})",
                       {},
                       {},
                       {}});
    }
    if (ec) return Close();
    if (string_parser_) {
      request_.body = string_parser_->release().body();
    } else {
      request_.body_in_sink = true;
      request_.sink_bytes = sink_parser_->get().body().bytes;
      // Drop the parser's reference now: the sink's owner (e.g. an upload) may be used by the
      // client's next request, on another connection, as soon as the response is out.
      sink_parser_.reset();
    }
    Write(handler_->OnRequest(request_, plan_));
  }

  void Write(HttpResponse response) {
    if (response.deferred) {
      // Off the I/O thread; the answer comes back to this connection's thread.
      asio::post(
          *impl_->blocking, [self = shared_from_this(), work = std::move(response.deferred)] {
            HttpResponse answer;
            try {
              answer = work();
            } catch (const std::exception& e) {
              answer = HttpResponse{
                  500, {{"Content-Type", "text/plain"}}, "internal error\n", {}, {}, {}};
            }
            answer.deferred = nullptr;  // deferred once, never again
            asio::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
              self->Write(std::move(answer));
            });
          });
      return;
    }
    plan_ = BodyPlan{};
    bool keep = keep_alive_ && !impl_->stopping.load();
    keep_alive_ = keep;
    stream_.expires_after(options_.stream_timeout);
    if (response.file_path.empty()) {
      // In-memory bodies (every response but blob downloads): our own serializer into the
      // connection's reused buffer, one write. Beast's message_generator costs a type-erased
      // allocation plus one per header field on every response (bench/README.md "Sidecar").
      SerializeResponse(response, version_, keep, out_);
      asio::async_write(stream_, asio::buffer(out_),
                        beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
      return;
    }
    beast::async_write(stream_, ToBeast(std::move(response), version_, keep),
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec || !keep_alive_) return Close();
    ReadHeader();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const ServerOptions& options_;
  std::shared_ptr<Handler> handler_;
  std::shared_ptr<Counters> impl_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<SinkBody>> sink_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> string_parser_;
  HttpRequest request_;
  std::string remote_ip_;
  std::string out_;  // the serialized response being written
  BodyPlan plan_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
};

void Accept(Server::Impl* impl, const ServerOptions* options, std::shared_ptr<Handler> handler) {
  asio::io_context& home = *impl->iocs[impl->next++ % impl->iocs.size()];
  impl->acceptor->async_accept(
      home.get_executor(), [impl, options, handler](beast::error_code ec, tcp::socket socket) {
        if (ec) {
          if (!impl->acceptor->is_open()) return;  // stopped
        } else {
          std::make_shared<Session>(std::move(socket), *options, handler, impl->counters)->Run();
        }
        Accept(impl, options, handler);
      });
}

}  // namespace

Server::Server(ServerOptions options, std::shared_ptr<Handler> handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

Server::~Server() { Stop(); }

policy_engine::Status Server::Start() {
  unsigned threads = options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  impl_ = std::make_unique<Impl>(threads);
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return {"LISTEN", "bad listen address `" + options_.address + "`"};
  tcp::endpoint endpoint{address, options_.port};
  auto fail = [&](const char* what) {
    return policy_engine::Status("LISTEN", std::string(what) + " " + options_.address + ":" +
                                               std::to_string(options_.port) + ": " + ec.message());
  };
  tcp::acceptor& acceptor = *impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  port_ = acceptor.local_endpoint(ec).port();
  Accept(impl_.get(), &options_, handler_);
  std::vector<int> cpus;
  if (options_.pin_threads) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
      return {"LISTEN", std::string("cannot read the CPU affinity: ") + std::strerror(errno)};
    }
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    }
  }
  for (unsigned i = 0; i < threads; ++i) {
    // An io_context with no pending work would return at once: the work guard keeps each one
    // running until Stop, whether or not it has a connection yet.
    threads_.emplace_back([ioc = impl_->iocs[i].get()] {
      auto guard = asio::make_work_guard(*ioc);
      ioc->run();
    });
    if (!cpus.empty()) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpus[i % cpus.size()], &one);
      int error = pthread_setaffinity_np(threads_.back().native_handle(), sizeof one, &one);
      if (error != 0) {
        started_ = true;  // Stop() joins what was started
        Stop();
        return {"LISTEN", "cannot pin I/O thread " + std::to_string(i) + " to CPU " +
                              std::to_string(cpus[i % cpus.size()]) + ": " + std::strerror(error)};
      }
    }
  }
  started_ = true;
  return policy_engine::Status::Ok();
}

void Server::Stop() {
  if (!started_) return;
  started_ = false;
  impl_->counters->stopping = true;
  asio::dispatch(impl_->acceptor->get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor->close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  while (impl_->counters->sessions.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->blocking.join();  // deferred work finishes (its answer may find its connection gone)
  for (auto& ioc : impl_->iocs) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  impl_.reset();  // destroys pending handlers and the sessions they hold
}

}  // namespace registry_frontend::http
