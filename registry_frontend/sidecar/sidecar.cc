// The sidecar's dispatch, checks and reloads (sidecar.h, docs/sidecar.md).
#include "registry_frontend/sidecar/sidecar.h"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "registry_frontend/auth/audit_records.h"
#include "registry_frontend/oci/errors.h"
#include "registry_frontend/oci/routes.h"

namespace registry_frontend::sidecar {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using oci::ErrorCode;

constexpr std::string_view kExtAuthzPrefix = "/ext_authz";

// The endpoint table. Exact paths, or prefixes (ending in `/`).
enum class Endpoint { kAuth, kExtAuthz, kMetrics, kHealthz, kAdminReload, kToken, kNone };
struct EndpointRoute {
  std::string_view path;
  bool prefix;
  Endpoint endpoint;
};
constexpr EndpointRoute kEndpoints[] = {
    {"/auth", false, Endpoint::kAuth},                 // nginx auth_request
    {"/ext_authz/", true, Endpoint::kExtAuthz},        // Envoy ext_authz HTTP service
    {"/metrics", false, Endpoint::kMetrics},           // Prometheus text format 0.0.4
    {"/healthz", false, Endpoint::kHealthz},           // 200 ok when a snapshot is loaded
    {"/admin/reload", false, Endpoint::kAdminReload},  // POST, loopback (+ bearer token)
    {"/token", false, Endpoint::kToken},               // distribution token server
};

Endpoint Classify(std::string_view path) {
  for (const EndpointRoute& r : kEndpoints) {
    if (r.prefix ? path.substr(0, r.path.size()) == r.path : path == r.path) return r.endpoint;
  }
  return Endpoint::kNone;
}

// Header values carry messages built from request input: keep them one printable line.
std::string HeaderSafe(std::string_view text) {
  std::string out(text.substr(0, 2048));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

HttpResponse Text(int status, std::string body, bool head) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  if (head) {
    r.head_length = body.size();
  } else {
    r.body = std::move(body);
  }
  return r;
}

// A refusal: OCI error JSON (what a registry client shows) plus the reason in a header.
HttpResponse Refuse(int status, ErrorCode code, const std::string& decision,
                    const std::string& reason, bool head) {
  HttpResponse r = oci::ErrorResponse({code, reason, "null"}, head);
  r.status = status;
  r.Set("X-Portcullis-Decision", decision);
  r.Set("X-Portcullis-Reason", HeaderSafe(reason));
  return r;
}

// "policy#index/sid, …" for the decisive statements of the deciding decision.
std::string StatementText(const std::vector<auth::DecisionRecord>& decisions) {
  if (decisions.empty()) return {};
  std::string out;
  for (const auto& st : decisions.back().statements) {
    if (!out.empty()) out += ", ";
    out += st.policy + "#" + std::to_string(st.index);
    if (!st.sid.empty()) out += "/" + st.sid;
  }
  return out;
}

bool IsLoopback(std::string_view ip) {
  static const TrustedProxies loopback({*ParseCidr("127.0.0.0/8"), *ParseCidr("::1/128")});
  return loopback.Contains(ip);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |=
        static_cast<unsigned char>(a[i]) ^ (i < b.size() ? static_cast<unsigned char>(b[i]) : 0u);
  }
  return diff == 0;
}

MetricOutcome OutcomeOf(const std::string& decision) {
  if (decision == "Allow") return MetricOutcome::kAllow;
  if (decision == "Error") return MetricOutcome::kError;
  return MetricOutcome::kDeny;
}

}  // namespace

Sidecar::Sidecar(std::unique_ptr<policy_engine::engine::Engine> engine, auth::TokenSigner signer,
                 ConfigLoader loader, SidecarOptions options)
    : engine_(std::move(engine)),
      signer_(std::move(signer)),
      loader_(std::move(loader)),
      options_(std::move(options)),
      authorizer_(*engine_) {
  if (!options_.clock) options_.clock = [] { return static_cast<int64_t>(std::time(nullptr)); };
  reloader_ =
      std::make_unique<reload::Reloader>(options_.idle_worker, options_.idle_compile_budget);
  if (!options_.initial_config.empty()) reloader_->SetServing(options_.initial_config);
  options_.initial_config.clear();  // kept only as its digest
  request_prefix_ =
      "sc-" + std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr)) + "-";
  PublishIdentity(engine_->Repositories());
  PublishSnapshotStats();
}

Sidecar::~Sidecar() { StopWatcher(); }

void Sidecar::PublishIdentity(
    const std::vector<policy_engine::engine::RepositoryInfo>& repositories) {
  identity_.store(
      std::make_shared<const oci::RegistryIdentity>(oci::ChooseRegistryIdentity(repositories)));
}

void Sidecar::PublishSnapshotStats() {
  auto stats = engine_->Stats();
  metrics_.SetSnapshot(stats.statements, stats.approximate_bytes);
}

Status Sidecar::Reload(std::string_view why, bool* recompiled) {
  if (recompiled != nullptr) *recompiled = false;
  std::lock_guard<std::mutex> lock(reload_mu_);
  // Read, hashed and compiled on the idle worker (reload/reloader.h). Configuration management
  // rewriting the same file, a SIGHUP after log rotation, the watcher seeing a touch: the same
  // text compiles to the same snapshot, so it is not compiled again.
  // The registry identity (which account and region repository names map to) follows the new
  // repositories. It is published from the engine's accept step, the last thing before the
  // snapshot swap, so checks see the old identity with the new snapshot for no longer than that
  // (Publish returns only after decisions reading the old snapshot have ended).
  auto publish_identity = [this](const std::vector<policy_engine::engine::RepositoryInfo>& repos) {
    PublishIdentity(repos);
    return Status::Ok();
  };
  reload::Reloader::Outcome outcome = reloader_->Reload(*engine_, loader_, publish_identity);
  if (outcome.fell_back) metrics_.CountReloadFallback();
  if (outcome.unchanged) {
    metrics_.CountReloadUnchanged();
    std::cerr << "portcullis sidecar: configuration unchanged (" << why << "), not recompiled"
              << std::endl;
    return Status::Ok();
  }
  const Status& status = outcome.status;
  metrics_.CountReload(status.ok());
  if (!status.ok()) {
    std::cerr << "portcullis sidecar: reload (" << why
              << ") refused, the old configuration keeps serving: " << status.ToString()
              << std::endl;
    return status;
  }
  if (recompiled != nullptr) *recompiled = true;
  PublishSnapshotStats();
  std::cerr << "portcullis sidecar: configuration reloaded (" << why << ")" << std::endl;
  return Status::Ok();
}

namespace {
// What identifies a version of the file: mtime (ns), size and inode (an `mv` into place).
std::string FileStamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "/" +
         std::to_string(st.st_size) + "/" + std::to_string(st.st_ino);
}
}  // namespace

void Sidecar::StartWatcher(std::string path, std::chrono::milliseconds interval) {
  StopWatcher();
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_stop_ = false;
  }
  // The baseline is taken now, not when the thread first runs: a change right after this call
  // must not become the baseline.
  std::string baseline = FileStamp(path);
  watcher_ =
      std::thread([this, path = std::move(path), interval, last = std::move(baseline)]() mutable {
        std::unique_lock<std::mutex> lock(watch_mu_);
        while (!watch_cv_.wait_for(lock, interval, [this] { return watch_stop_; })) {
          std::string now = FileStamp(path);
          if (now == last || now == "missing") continue;
          last = now;  // a broken file is reported once, not every second
          lock.unlock();
          (void)Reload("configuration file changed");
          lock.lock();
        }
      });
}

void Sidecar::StopWatcher() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

namespace {
// Discards the body of a check request (Envoy may forward one) so the connection stays usable.
class DiscardSink : public http::BodySink {
 public:
  bool Write(const char*, size_t) override { return true; }
};
}  // namespace

http::BodyPlan Sidecar::OnHeader(const HttpRequest& request) {
  http::BodyPlan plan;
  HttpResponse response = Handle(request);
  if (!http::AnnouncesBody(request)) {
    plan.early = std::move(response);
    return plan;
  }
  plan.sink = std::make_shared<DiscardSink>();
  plan.state = std::make_shared<HttpResponse>(std::move(response));
  return plan;
}

HttpResponse Sidecar::OnRequest(HttpRequest&, http::BodyPlan& plan) {
  auto* response = static_cast<HttpResponse*>(plan.state.get());
  if (response == nullptr) return Refuse(500, ErrorCode::kInternal, "Error", "no state", false);
  return std::move(*response);
}

HttpResponse Sidecar::Handle(const HttpRequest& request) {
  bool head = request.method == "HEAD";
  switch (Classify(request.path)) {
    case Endpoint::kAuth:
      return Check(request, Mode::kAuthRequest);
    case Endpoint::kExtAuthz:
      return Check(request, Mode::kExtAuthz);
    case Endpoint::kMetrics: {
      if (request.method != "GET" && !head) return Text(405, "GET /metrics\n", head);
      // The engine's own counters (how decisions were made), next to the sidecar's.
      std::string extra =
          "# HELP portcullis_decision_memo_hits_total Decisions answered from the engine's "
          "decision memo.\n"
          "# TYPE portcullis_decision_memo_hits_total counter\n"
          "portcullis_decision_memo_hits_total " +
          std::to_string(engine_->memo_hits()) +
          "\n"
          "# HELP portcullis_engine_direct_decisions_total Decisions made by the engine's direct "
          "path (the rest: general path or memo).\n"
          "# TYPE portcullis_engine_direct_decisions_total counter\n"
          "portcullis_engine_direct_decisions_total " +
          std::to_string(engine_->direct_count()) + "\n";
      if (audit_) {
        extra +=
            "# HELP portcullis_audit_dropped_total Audit lines dropped (queue full).\n"
            "# TYPE portcullis_audit_dropped_total counter\n"
            "portcullis_audit_dropped_total " +
            std::to_string(audit_->dropped()) + "\n";
      }
      HttpResponse r = Text(200, metrics_.Render(extra), head);
      r.headers.clear();
      r.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      return r;
    }
    case Endpoint::kHealthz:
      // The engine always holds a snapshot once constructed (Create fails otherwise).
      return Text(200, "ok\n", head);
    case Endpoint::kAdminReload:
      return AdminReload(request);
    case Endpoint::kToken: {  // registry_frontend/token (docs/token-server.md)
      if (!options_.jwt) break;
      auto client = ResolveClient(request, options_.trusted);
      if (!client) return Text(400, client.error().message() + "\n", head);
      auth::RequestFacts facts;
      facts.now = options_.clock();
      facts.source_ip = client->source_ip;
      facts.secure = client->secure;
      if (const std::string* ua = request.Header("user-agent")) facts.user_agent = *ua;
      std::shared_ptr<const oci::RegistryIdentity> identity = identity_.load();
      std::vector<auth::DecisionRecord> decisions;
      std::string principal;
      HttpResponse r = token::HandleTokenRequest(
          request, {*engine_, authorizer_, signer_, *options_.jwt, *identity, options_.token,
                    facts.now, &decisions, &facts, &principal});
      if (r.status == 401) metrics_.CountAuthFailure();
      for (const auto& d : decisions) metrics_.CountDecision(OutcomeOf(d.decision), d.action);
      if (audit_ && !decisions.empty()) {
        std::string id = request_prefix_ + std::to_string(next_request_.fetch_add(1) + 1);
        for (const auto& line :
             token::AuditRecords(request, principal, facts, decisions, id, r.status)) {
          audit_->Write(line);
        }
      }
      return r;
    }
    case Endpoint::kNone:
      break;
  }
  return Text(404, "no such endpoint\n", head);
}

HttpResponse Sidecar::AdminReload(const HttpRequest& request) {
  if (request.method != "POST") return Text(405, "POST /admin/reload\n", false);
  // The TCP peer, never a forwarding header: a proxy must not open the admin endpoint.
  if (!IsLoopback(request.remote_ip)) {
    return Text(403, "admin endpoint: loopback peers only\n", false);
  }
  if (!options_.admin_token.empty()) {
    const std::string* a = request.Header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (a == nullptr || a->compare(0, kBearer.size(), kBearer) != 0 ||
        !ConstantTimeEquals(std::string_view(*a).substr(kBearer.size()), options_.admin_token)) {
      HttpResponse r = Text(401, "admin endpoint: bearer token required\n", false);
      r.Set("WWW-Authenticate", "Bearer realm=\"portcullis-admin\"");
      return r;
    }
  }
  // Compiling a large configuration takes a while: not on the I/O thread (deferred).
  HttpResponse r;
  r.deferred = [this] {
    bool recompiled = false;
    Status s = Reload("POST /admin/reload", &recompiled);
    if (!s.ok()) {
      return Text(422, "reload refused, old configuration kept: " + s.ToString() + "\n", false);
    }
    auto stats = engine_->Stats();
    return Text(200,
                std::string(recompiled ? "reloaded: " : "unchanged: ") +
                    std::to_string(stats.statements) + " statements\n",
                false);
  };
  return r;
}

HttpResponse Sidecar::Check(const HttpRequest& request, Mode mode) {
  auto started = std::chrono::steady_clock::now();
  bool head = request.method == "HEAD";
  // nginx turns any status but 2xx/401/403 into a 500, so bad input is a 403 there.
  int bad_status = mode == Mode::kAuthRequest ? 403 : 400;
  auto bad = [&](const Status& s) {
    metrics_.CountBadRequest();
    return Refuse(bad_status, ErrorCode::kDenied, "BadRequest", s.message(), head);
  };
  auto checked = mode == Mode::kAuthRequest ? FromAuthRequest(request)
                                            : FromExtAuthz(request, kExtAuthzPrefix);
  if (!checked) return bad(checked.error());
  auto client = ResolveClient(request, options_.trusted);
  if (!client) return bad(client.error());

  const std::string& path = checked->path;
  if (path != "/v2" && path.compare(0, 4, "/v2/") != 0) {
    for (const std::string& prefix : options_.pass_through) {
      if (path.compare(0, prefix.size(), prefix) == 0) {
        HttpResponse r = Text(200, "", head);
        r.Set("X-Portcullis-Decision", "PassThrough");
        return r;
      }
    }
    return Refuse(403, ErrorCode::kDenied, "NotARegistryRoute",
                  "`" + path + "` is not a registry route and not on the pass-through list", head);
  }

  auth::RequestFacts facts;
  facts.now = options_.clock();
  facts.source_ip = client->source_ip;
  facts.secure = client->secure;
  if (const std::string* ua = request.Header("user-agent")) facts.user_agent = *ua;

  const std::string* authorization = request.Header("authorization");
  std::optional<auth::TokenClaims> cached =
      authorization ? credentials_.Find(*authorization, facts.now) : std::nullopt;
  Result<auth::TokenClaims> claims =
      cached ? Result<auth::TokenClaims>(std::move(*cached))
             : auth::AuthenticateBasic(authorization, signer_, facts.now);
  if (claims && !cached) credentials_.Insert(*authorization, *claims);
  if (!claims) {
    metrics_.CountAuthFailure();
    HttpResponse r = oci::ErrorResponse({ErrorCode::kUnauthorized, "", "null"}, head);
    const std::string* host = request.Header("x-forwarded-host");
    if (host == nullptr) host = request.Header("host");
    r.Set("WWW-Authenticate", "Basic realm=\"https://" +
                                  HeaderSafe(host ? *host : std::string("registry")) +
                                  "/\",service=\"ecr.amazonaws.com\"");
    r.Set("X-Portcullis-Decision", "Unauthenticated");
    r.Set("X-Portcullis-Reason", HeaderSafe(claims.error().message()));
    return r;
  }
  const std::string& principal = claims->principal_arn;

  auto matched = oci::MatchRoute(checked->method, path);
  if (auto* e = std::get_if<oci::OciError>(&matched)) {
    std::string why = e->message.empty() ? std::string(oci::ErrorCodeName(e->code)) : e->message;
    return Refuse(403, ErrorCode::kDenied, "NotARegistryRoute",
                  checked->method + " " + path + " is not a registry request: " + why, head);
  }
  const oci::RouteMatch& route = std::get<oci::RouteMatch>(matched);
  if (route.id == oci::RouteId::kBase) {  // M1: authentication only
    HttpResponse r = Text(200, "", head);
    r.Set("X-Portcullis-Principal", principal);
    r.Set("X-Portcullis-Decision", "Authenticated");
    return r;
  }
  if (route.id == oci::RouteId::kCatalog || route.id == oci::RouteId::kDeleteBlob) {
    // M16 filters the listing per repository and M14 is unsupported: neither is a yes/no.
    return Refuse(403, ErrorCode::kDenied, "NotSupported",
                  std::string(oci::RouteName(route.id)) +
                      " cannot be authorized by a sidecar (docs/sidecar.md)",
                  head);
  }

  auto query = http::ParseQuery(checked->query);
  auto value = [&query](std::string_view name) { return http::QueryValue(query, name); };
  oci::AccessQuery aq;
  aq.has_digest = !value("digest").empty();
  if (!value("mount").empty() && oci::IsValidRepositoryName(value("from"))) {
    aq.mount_from = value("from");
  }
  // M8: unknown body (nginx does not pass it) counts as a body: the stricter check.
  if (mode == Mode::kAuthRequest) {
    const std::string* length = request.Header("x-original-content-length");
    aq.has_body = length == nullptr || *length != "0";
  } else {
    aq.has_body = http::AnnouncesBody(request);
  }
  std::shared_ptr<const oci::RegistryIdentity> identity = identity_.load();
  auto records = oci::AccessRecordsFor(route, aq, *identity);
  // M11: the registry turns a refused mount into a plain upload; a sidecar cannot, so the
  // mount source's pull is required like any other record.
  for (auto& record : records) record.mount_source = false;
  if (records.empty()) {  // never allow what was not decided
    return Refuse(403, ErrorCode::kDenied, "Error", "no access record for this route", head);
  }
  auth::AuthzResult verdict = authorizer_.Authorize(principal, records, facts);
  for (const auto& d : verdict.decisions) metrics_.CountDecision(OutcomeOf(d.decision), d.action);
  metrics_.ObserveLatency(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now() - started)
                                .count()));

  HttpResponse r;
  std::string statement = StatementText(verdict.decisions);
  if (verdict.outcome == auth::Outcome::kAllow) {
    r = Text(200, "", head);
    r.Set("X-Portcullis-Decision", "Allow");
  } else {
    std::string decision = verdict.decisions.empty() ? "Error" : verdict.decisions.back().decision;
    r = Refuse(403, ErrorCode::kDenied, decision, verdict.message, head);
  }
  r.Set("X-Portcullis-Principal", principal);
  if (!statement.empty()) r.Set("X-Portcullis-Statement", HeaderSafe(statement));
  Audit(principal, facts, *checked, route, query, verdict.decisions, r.status);
  return r;
}

void Sidecar::Audit(const std::string& principal, const auth::RequestFacts& facts,
                    const CheckedRequest& checked, const oci::RouteMatch& route,
                    const std::vector<std::pair<std::string, std::string>>& query,
                    const std::vector<auth::DecisionRecord>& decisions, int status) {
  if (!audit_) return;
  std::string request_id = request_prefix_ + std::to_string(next_request_.fetch_add(1) + 1);
  auth::AuditRequest request{principal,
                             request_id,
                             checked.method,
                             checked.path,
                             status,
                             {},
                             oci::AuditParameters(route, query)};
  for (const audit::AuditRecord& r : auth::ToAuditRecords(decisions, facts, request)) {
    audit_->Write(r);
  }
}

}  // namespace registry_frontend::sidecar
