// The HTTP layer over a loopback socket on port 0: merged repeated headers, large headers, early
// replies, streamed bodies, the TLS ClientHello close, limits and shutdown. Plus the value-type
// helpers.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "registry_frontend/http/message.h"
#include "registry_frontend/http/server.h"

namespace registry_frontend::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class CountingSink : public BodySink {
 public:
  bool Write(const char* data, size_t size) override {
    std::lock_guard<std::mutex> lock(mu);
    bytes.append(data, size);
    return true;
  }
  std::mutex mu;
  std::string bytes;
};

// Echoes what it saw; /deny answers before the body; /stream bodies go to a sink.
class EchoHandler : public Handler {
 public:
  BodyPlan OnHeader(const HttpRequest& request) override {
    BodyPlan plan;
    if (request.path == "/deny") {
      plan.early = HttpResponse{403, {{"Content-Type", "text/plain"}}, "denied", {}, {}, {}};
    } else if (request.path == "/stream") {
      plan.sink = sink;
    }
    return plan;
  }
  HttpResponse OnRequest(HttpRequest& request, BodyPlan&) override {
    HttpResponse r;
    const std::string* accept = request.Header("Accept");
    const std::string* auth = request.Header("authorization");
    r.body =
        request.method + " " + request.path + "?" + request.query +
        " accept=" + (accept ? *accept : "-") + " auth=" + std::to_string(auth ? auth->size() : 0) +
        " body=" + std::to_string(request.body_in_sink ? request.sink_bytes : request.body.size()) +
        " ip=" + request.remote_ip;
    return r;
  }
  std::shared_ptr<CountingSink> sink = std::make_shared<CountingSink>();
};

// Sends raw bytes to 127.0.0.1:`port` and reads until the server closes.
std::string RawExchange(uint16_t port, const std::string& bytes) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  EXPECT_FALSE(ec) << ec.message();
  asio::write(socket, asio::buffer(bytes), ec);
  std::string out;
  char buffer[4096];
  while (true) {
    size_t n = socket.read_some(asio::buffer(buffer), ec);
    out.append(buffer, n);
    if (ec) break;
  }
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.threads = 2;
    options.memory_body_limit = 1024;
    options.read_timeout = std::chrono::seconds(5);
    server_ = std::make_unique<Server>(options, handler_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override { server_->Stop(); }

  std::string Exchange(const std::string& bytes) { return RawExchange(server_->port(), bytes); }

  std::shared_ptr<EchoHandler> handler_ = std::make_shared<EchoHandler>();
  std::unique_ptr<Server> server_;
};

TEST_F(HttpServerTest, MergesRepeatedHeaders) {
  std::string out = Exchange(
      "GET /v2/x/manifests/v1?a=1 HTTP/1.1\r\nHost: h\r\nAccept: a/1\r\nAccept: b/2\r\n"
      "Accept: c/3\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /v2/x/manifests/v1?a=1 accept=a/1, b/2, c/3"), std::string::npos) << out;
  EXPECT_NE(out.find("ip=127.0.0.1"), std::string::npos);
}

TEST_F(HttpServerTest, AcceptsEcrSizedAuthorizationHeaders) {
  std::string token(6000, 'A');
  std::string out = Exchange("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic " + token +
                             "\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("auth=" + std::to_string(token.size() + 6)), std::string::npos) << out;
}

TEST_F(HttpServerTest, RejectsHugeHeaders) {
  std::string out =
      Exchange("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n");
  EXPECT_EQ(out.find("200 OK"), std::string::npos);  // closed without an answer
}

TEST_F(HttpServerTest, ClosesAtOnceOnTlsClientHello) {
  auto start = std::chrono::steady_clock::now();
  std::string out = Exchange(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  EXPECT_TRUE(out.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequests) {
  std::string out = Exchange(
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
      "xyzGET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("GET /a?"), std::string::npos) << out;
  EXPECT_NE(out.find("POST /b? accept=- auth=0 body=3"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /c?"), std::string::npos) << out;
}

TEST_F(HttpServerTest, KeepAliveRequestsDoNotInheritEarlierHeaders) {
  // The session reuses its request's strings: nothing of request 1 may reach request 2.
  std::string out = Exchange(
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nAccept: one\r\nAccept: two\r\n"
      "Authorization: Basic abcd\r\n\r\n"
      "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("GET /a?x=1 accept=one, two auth=10 body=0"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /b? accept=- auth=0 body=0 ip=127.0.0.1"), std::string::npos) << out;
  // Each response carries its own length; the last one says it closes.
  EXPECT_EQ(out.find("HTTP/1.1 200 OK\r\nContent-Length: "), 0u) << out;
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos) << out;
}

TEST_F(HttpServerTest, StreamsBodiesIntoTheSinkIncludingChunked) {
  std::string out = Exchange(
      "PATCH /stream HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_NE(out.find("body=11"), std::string::npos) << "[" << out << "]";
  EXPECT_EQ(handler_->sink->bytes, "hello world");
}

TEST_F(HttpServerTest, StreamsBodiesLargerThanBeastsDefaultLimit) {
  std::string body(3 << 20, 'z');  // Beast's default request body limit is 1 MiB
  std::string out = Exchange("PATCH /stream HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_NE(out.find("body=" + std::to_string(body.size())), std::string::npos) << out;
  EXPECT_EQ(handler_->sink->bytes.size(), body.size());
}

TEST_F(HttpServerTest, EarlyReplyDoesNotReadTheBody) {
  std::string out = Exchange("PUT /deny HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde");
  EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
}

TEST_F(HttpServerTest, MemoryBodyLimit) {
  std::string out = Exchange("PUT /m HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" +
                             std::string(2000, 'x'));
  EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
}

TEST_F(HttpServerTest, ChunkedMemoryBodyLimit) {
  std::string chunk = "400\r\n" + std::string(1024, 'x') + "\r\n";
  std::string out = Exchange("PUT /m HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
                             chunk + chunk + "0\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
}

TEST(HttpServer, HeadResponsesCarryTheLengthOnly) {
  class HeadHandler : public Handler {
    BodyPlan OnHeader(const HttpRequest&) override { return {}; }
    HttpResponse OnRequest(HttpRequest&, BodyPlan&) override {
      HttpResponse r;
      r.head_length = 157;
      return r;
    }
  };
  Server server({}, std::make_shared<HeadHandler>());
  ASSERT_TRUE(server.Start().ok());
  std::string out =
      RawExchange(server.port(), "HEAD /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: 157"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4), "");
  server.Stop();
}

TEST(HttpServer, StopClosesIdleKeepAliveConnections) {
  class Ok : public Handler {
    BodyPlan OnHeader(const HttpRequest&) override { return {}; }
    HttpResponse OnRequest(HttpRequest&, BodyPlan&) override { return {}; }
  };
  ServerOptions options;
  options.shutdown_grace = std::chrono::seconds(1);
  Server server(options, std::make_shared<Ok>());
  ASSERT_TRUE(server.Start().ok());
  asio::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), server.port()}, ec);
  ASSERT_FALSE(ec);
  auto start = std::chrono::steady_clock::now();
  server.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

// pin_threads: every I/O thread runs on exactly one CPU, round robin over the allowed ones.
TEST(HttpServer, PinnedIoThreadsRunOnOneCpuEach) {
  class AffinityReporter : public Handler {
   public:
    BodyPlan OnHeader(const HttpRequest&) override { return {}; }
    HttpResponse OnRequest(HttpRequest&, BodyPlan&) override {
      cpu_set_t set;
      CPU_ZERO(&set);
      pthread_getaffinity_np(pthread_self(), sizeof set, &set);
      HttpResponse r;
      r.body = std::to_string(CPU_COUNT(&set));
      return r;
    }
  };
  ServerOptions options;
  options.threads = 3;
  options.pin_threads = true;
  Server server(options, std::make_shared<AffinityReporter>());
  ASSERT_TRUE(server.Start().ok());
  for (int i = 0; i < 6; ++i) {  // connections go round robin over the threads
    std::string out =
        RawExchange(server.port(), "GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4), "1") << out;
  }
  server.Stop();
}

TEST(Message, HelpersMergeAndDecode) {
  Headers h;
  AddMergedHeader(h, "Accept", "a");
  AddMergedHeader(h, "accept", "b");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(*FindHeader(h, "ACCEPT"), "a, b");
  EXPECT_EQ(PercentDecode("sha256%3Aab+c").value(), "sha256:ab c");
  EXPECT_FALSE(PercentDecode("%4"));
  EXPECT_FALSE(PercentDecode("%zz"));
  auto q = ParseQuery("digest=sha256%3Aabc&n=2&bad=%&&last=");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].second, "sha256:abc");
  EXPECT_EQ(q[2].first, "last");
}

// A deferred response runs off the I/O thread: with a single I/O thread, another connection is
// served while the deferred work waits (here: until that other answer has arrived).
class DeferringHandler : public Handler {
 public:
  BodyPlan OnHeader(const HttpRequest& request) override {
    BodyPlan plan;
    plan.early = HttpResponse{200, {}, "quick", {}, {}, {}};
    if (request.path == "/slow") {
      plan.early->deferred = [this] {
        bool released =
            released_.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
        return HttpResponse{200, {}, released ? "released" : "timed out", {}, {}, {}};
      };
    }
    return plan;
  }
  HttpResponse OnRequest(HttpRequest&, BodyPlan&) override { return {}; }
  std::promise<void> released_;
};

TEST(HttpServer, DeferredResponsesLeaveTheIoThreadFree) {
  ServerOptions options;
  options.threads = 1;
  auto handler = std::make_shared<DeferringHandler>();
  Server server(options, handler);
  ASSERT_TRUE(server.Start().ok());
  auto exchange = [&](const std::string& path) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), server.port()}, ec);
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(request), ec);
    std::string out;
    char buffer[4096];
    while (!ec) out.append(buffer, socket.read_some(asio::buffer(buffer), ec));
    return out;
  };
  std::future<std::string> slow = std::async(std::launch::async, [&] { return exchange("/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let /slow reach its handler
  std::string quick = exchange("/quick");
  EXPECT_NE(quick.find("quick"), std::string::npos) << quick;
  handler->released_.set_value();
  std::string answer = slow.get();
  EXPECT_NE(answer.find("\r\n\r\nreleased"), std::string::npos) << answer;
  server.Stop();
}

TEST(Message, SerializeResponseOwnsTheFraming) {
  std::string out;
  HttpResponse r{
      201, {{"Location", "/v2/x"}, {"Content-Length", "0"}, {"Connection", "x"}}, "{}", {}, {}, {}};
  SerializeResponse(r, 11, true, out);
  EXPECT_EQ(out, "HTTP/1.1 201 Created\r\nLocation: /v2/x\r\nContent-Length: 2\r\n\r\n{}");
  SerializeResponse(r, 11, false, out);  // `out` is cleared first
  EXPECT_EQ(out,
            "HTTP/1.1 201 Created\r\nLocation: /v2/x\r\nContent-Length: 2\r\n"
            "Connection: close\r\n\r\n{}");
  SerializeResponse(r, 10, true, out);
  EXPECT_EQ(out,
            "HTTP/1.0 201 Created\r\nLocation: /v2/x\r\nContent-Length: 2\r\n"
            "Connection: keep-alive\r\n\r\n{}");
  // A HEAD answer announces the length a GET would send, and sends no body.
  HttpResponse head{200, {}, "ignored", {}, 1234, {}};
  SerializeResponse(head, 11, true, out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
  // No length and no body for 204; line breaks in a value cannot start a header.
  HttpResponse no_content{204, {{"X-Reason", "a\r\nSet-Cookie: x"}}, "body", {}, {}, {}};
  SerializeResponse(no_content, 11, true, out);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\nX-Reason: a  Set-Cookie: x\r\n\r\n");
}

}  // namespace
}  // namespace registry_frontend::http
