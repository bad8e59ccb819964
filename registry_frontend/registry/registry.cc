// Registry (registry.h): the handlers of the OCI distribution endpoints skopeo needs.
#include "registry_frontend/registry/registry.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "registry_frontend/auth/audit_records.h"
#include "registry_frontend/oci/errors.h"
#include "registry_frontend/oci/routes.h"
#include "registry_frontend/registry/referrers.h"

namespace registry_frontend::registry {

using http::BodyPlan;
using http::HttpRequest;
using http::HttpResponse;
using oci::ErrorCode;
using oci::ErrorResponse;
using oci::OciError;

namespace {

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";

OciError FromStatus(const Status& status) {
  static const std::map<std::string, ErrorCode> kCodes = {
      {"BLOB_UNKNOWN", ErrorCode::kBlobUnknown},
      {"BLOB_UPLOAD_INVALID", ErrorCode::kBlobUploadInvalid},
      {"BLOB_UPLOAD_UNKNOWN", ErrorCode::kBlobUploadUnknown},
      {"DIGEST_INVALID", ErrorCode::kDigestInvalid},
      {"RANGE_INVALID", ErrorCode::kRangeInvalid},
      {"TAG_INVALID", ErrorCode::kTagInvalid},
      {"UNAUTHORIZED", ErrorCode::kUnauthorized},
  };
  auto it = kCodes.find(status.code());
  if (it == kCodes.end()) return {ErrorCode::kInternal, "internal error", "null"};
  return {it->second, status.message(), "null"};
}

HttpResponse Base(HttpResponse r) {
  r.Set("Docker-Distribution-Api-Version", "registry/2.0");
  return r;
}

// `Content-Range: <start>-<end>` (OCI chunked uploads); nullopt when absent or unparsable.
std::optional<uint64_t> RangeStart(const HttpRequest& r) {
  const std::string* range = r.Header("content-range");
  if (range == nullptr) return std::nullopt;
  std::string_view v = *range;
  if (v.substr(0, 6) == "bytes ") v.remove_prefix(6);
  uint64_t start = 0;
  size_t i = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) start = start * 10 + (v[i] - '0');
  if (i == 0) return std::nullopt;
  return start;
}

}  // namespace

namespace {
// The blobs (config, layers) and child manifests a manifest references; false when malformed.
bool References(const nlohmann::json& doc, std::vector<std::string>& blobs,
                std::vector<std::string>& children) {
  auto collect = [&](const nlohmann::json& descriptor, std::vector<std::string>& into) {
    if (!descriptor.is_object()) return false;
    auto d = descriptor.find("digest");
    if (d == descriptor.end() || !d->is_string()) return false;
    into.push_back(d->get<std::string>());
    return true;
  };
  bool ok = true;
  if (auto c = doc.find("config"); c != doc.end()) ok = ok && collect(*c, blobs);
  if (auto l = doc.find("layers"); l != doc.end()) {
    ok = ok && l->is_array();
    if (ok) {
      for (const auto& layer : *l) ok = ok && collect(layer, blobs);
    }
  }
  if (auto m = doc.find("manifests"); m != doc.end()) {
    ok = ok && m->is_array();
    if (ok) {
      for (const auto& child : *m) ok = ok && collect(child, children);
    }
  }
  return ok;
}
}  // namespace

struct Registry::RequestState {
  oci::RouteMatch route;
  std::string principal;
  auth::RequestFacts facts;
  std::vector<std::pair<std::string, std::string>> query;
  std::string upload_id;             // the upload a sink writes to
  std::optional<std::string> range;  // `Range` header (blob GET)
  bool head = false;

  // Audit: the decisions taken for this request, written once its status is known.
  std::shared_ptr<audit::AuditLog> audit;
  std::string request_id, method, path;
  std::vector<auth::DecisionRecord> decisions;
  bool audited = false;

  // Writes one line per decision with `status`; later calls do nothing.
  void Audit(int status, const std::string& error_code = {}) {
    if (audited) return;
    audited = true;
    if (!audit) return;
    auth::AuditRequest request{principal,
                               request_id,
                               method,
                               path,
                               status,
                               error_code,
                               oci::AuditParameters(route, query)};
    for (const audit::AuditRecord& r : auth::ToAuditRecords(decisions, facts, request)) {
      audit->Write(r);
    }
  }
  // A request that ended without a response (client gone mid-body) is logged with status 0.
  ~RequestState() { Audit(0); }
};

namespace {
// Uploads belong to the repository and the principal that started them: another principal, even
// one allowed to push to the same repository, cannot continue, read or cancel them.
std::string UploadScope(const Registry::RequestState& s) {
  return s.route.name + "\n" + s.principal;
}
}  // namespace

Result<std::shared_ptr<Registry>> Registry::Open(const policy_engine::engine::Engine& engine,
                                                 const std::string& data_dir,
                                                 RepositorySettings settings) {
  auto signer = auth::TokenSigner::LoadOrCreate(data_dir + "/auth/token.key");
  if (!signer) return signer.error();
  auto blobs = storage::BlobStore::Open(data_dir);
  if (!blobs) return blobs.error();
  auto meta = storage::Metadata::Open(data_dir + "/metadata.db");
  if (!meta) return meta.error();
  std::shared_ptr<Registry> registry(
      new Registry(engine, std::move(*signer), std::move(*blobs), std::move(*meta)));
  registry->identity_ = oci::ChooseRegistryIdentity(engine.Repositories());
  registry->clock_ = [] { return static_cast<int64_t>(std::time(nullptr)); };
  {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%08x-%05x-", static_cast<unsigned>(std::time(nullptr)),
                  static_cast<unsigned>(::getpid()) & 0xfffff);
    registry->request_prefix_ = prefix;
  }
  registry->settings_ = std::move(settings);
  PE_RETURN_IF_ERROR(registry->SyncRepositories());
  // Data from before blob references were recorded (R157): derive them from the manifests.
  auto unindexed = registry->meta_->ManifestsWithoutBlobReferences();
  if (!unindexed) return unindexed.error();
  for (const auto& [repository, manifest] : *unindexed) {
    nlohmann::json doc = nlohmann::json::parse(manifest.body, nullptr, false);
    std::vector<std::string> referenced, children;
    if (doc.is_discarded() || !doc.is_object() || !References(doc, referenced, children)) continue;
    PE_RETURN_IF_ERROR(registry->meta_->AddBlobReferences(repository, manifest.digest, referenced));
  }
  for (const auto& [name, mutability] : registry->settings_.tag_mutability) {
    if (!registry->RepositoryExists(name)) {
      return Status("INVALID_ARGUMENT",
                    "repository settings name `" + name + "`, which this registry does not serve");
    }
  }
  return registry;
}

Result<std::map<std::string, storage::TagMutability>> Registry::ServedSettings(
    const std::vector<policy_engine::engine::RepositoryInfo>& repositories) const {
  std::map<std::string, storage::TagMutability> out;
  for (const auto& r : repositories) {
    if (r.account != identity_.account || r.region != identity_.region) continue;
    auto from_file = settings_.tag_mutability.find(r.name);
    if (from_file != settings_.tag_mutability.end()) {
      out[r.name] = from_file->second;  // --repository-settings wins over the store
      continue;
    }
    auto parsed = ParseStoreSettings(r.settings, r.arn);
    if (!parsed) return parsed.error();
    out[r.name] = std::move(*parsed);
  }
  return out;
}

Status Registry::CheckRepositories(
    const std::vector<policy_engine::engine::RepositoryInfo>& repositories) const {
  auto settings = ServedSettings(repositories);
  return settings ? Status::Ok() : settings.error();
}

Status Registry::SyncRepositories() {
  // Validate every served repository's settings first, so a bad configuration changes nothing.
  std::vector<policy_engine::engine::RepositoryInfo> repositories = engine_.Repositories();
  auto mutability = ServedSettings(repositories);
  if (!mutability) return mutability.error();
  auto names = std::make_shared<std::map<std::string, std::string>>();
  for (const auto& r : repositories) {
    if (r.account != identity_.account || r.region != identity_.region) continue;
    (*names)[r.name] = r.arn;
    PE_RETURN_IF_ERROR(meta_->EnsureRepository(r.name, r.arn));
    PE_RETURN_IF_ERROR(meta_->SetTagMutability(r.name, (*mutability)[r.name]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  repositories_ = std::move(names);
  return Status::Ok();
}

bool Registry::RepositoryExists(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return repositories_ && repositories_->count(name) > 0;
}

std::vector<std::string> Registry::RepositoryNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  if (repositories_) {
    for (const auto& [name, arn] : *repositories_) out.push_back(name);
  }
  return out;
}

BodyPlan Registry::OnHeader(const HttpRequest& request) {
  BodyPlan plan;
  auto state = std::make_shared<RequestState>();
  RequestState& s = *state;
  s.head = request.method == "HEAD";
  auto early = [&](HttpResponse r) {
    s.Audit(r.status, r.error_code);  // only requests that reached authorization decide
    plan.early = std::move(r);
    return plan;
  };
  auto error = [&](OciError e) { return early(ErrorResponse(e, s.head)); };

  std::string_view path = request.path;
  if (path != "/v2" && path.substr(0, 4) != "/v2/")
    return error({ErrorCode::kNotFound, "", "null"});

  // Authentication first (R150).
  s.facts.now = clock_();
  s.facts.source_ip = request.remote_ip;
  s.facts.secure = request.secure;
  if (const std::string* ua = request.Header("user-agent")) s.facts.user_agent = *ua;
  auto claims = auth::AuthenticateBasic(request.Header("authorization"), signer_, s.facts.now);
  if (!claims) {
    HttpResponse r = ErrorResponse({ErrorCode::kUnauthorized, "", "null"}, s.head);
    const std::string* host = request.Header("host");
    r.Set("WWW-Authenticate", "Basic realm=\"https://" + (host ? *host : std::string("registry")) +
                                  "/\",service=\"ecr.amazonaws.com\"");
    return early(std::move(r));
  }
  s.principal = claims->principal_arn;

  auto matched = oci::MatchRoute(request.method, path);
  if (auto* e = std::get_if<OciError>(&matched)) return error(*e);
  s.route = std::get<oci::RouteMatch>(matched);
  s.query = http::ParseQuery(request.query);
  if (const std::string* range = request.Header("range")) s.range = *range;
  if (s.route.id == oci::RouteId::kBase) {
    HttpResponse r = Base({});
    r.Set("Content-Type", "application/json; charset=utf-8");
    if (s.head) {
      r.head_length = 2;
    } else {
      r.body = "{}";
    }
    return early(std::move(r));
  }
  if (s.route.id == oci::RouteId::kDeleteBlob) {
    return error({ErrorCode::kUnsupported, "layer deletion is not supported", "null"});
  }

  // Authorization of every access record (R156), before anything is read or stored.
  oci::AccessQuery aq;
  aq.has_digest = !http::QueryValue(s.query, "digest").empty();
  if (!http::QueryValue(s.query, "mount").empty()) {
    std::string from = http::QueryValue(s.query, "from");
    if (oci::IsValidRepositoryName(from)) aq.mount_from = from;
  }
  aq.has_body = http::AnnouncesBody(request);
  auto records = oci::AccessRecordsFor(s.route, aq, identity_);
  s.audit = audit_;
  s.request_id = request_prefix_ + std::to_string(next_request_.fetch_add(1) + 1);
  s.method = request.method;
  s.path = request.path;
  auth::AuthzResult verdict{auth::Outcome::kAllow, {}, {}};  // benchmark only when off
  if (!authorization_off_) verdict = authorizer_.Authorize(s.principal, records, s.facts);
  s.decisions = std::move(verdict.decisions);
  if (verdict.outcome != auth::Outcome::kAllow) {
    return error({ErrorCode::kDenied, verdict.message, "null"});
  }
  if (s.route.id != oci::RouteId::kCatalog && !RepositoryExists(s.route.name)) {
    return error({ErrorCode::kNameUnknown,
                  "repository `" + s.route.name + "` does not exist in the registry",
                  "{\"name\":" + oci::JsonQuote(s.route.name) + "}"});
  }

  // Bodies of blob uploads stream into the upload's file.
  using oci::RouteId;
  RouteId id = s.route.id;
  bool streams = (id == RouteId::kPatchUpload) || (id == RouteId::kPutUpload && aq.has_body) ||
                 (id == RouteId::kStartUpload && aq.has_digest && aq.mount_from.empty());
  if (streams) {
    if (id == RouteId::kStartUpload) {
      auto upload = blobs_->StartUpload(UploadScope(s));
      if (!upload) return error(FromStatus(upload.error()));
      s.upload_id = *upload;
    } else {
      s.upload_id = s.route.uuid;
    }
    std::optional<uint64_t> offset =
        id == RouteId::kPatchUpload ? RangeStart(request) : std::nullopt;
    auto sink = blobs_->OpenSink(s.upload_id, UploadScope(s), offset);
    if (!sink) {
      if (id == RouteId::kStartUpload) (void)blobs_->Cancel(s.upload_id, UploadScope(s));
      return error(FromStatus(sink.error()));
    }
    plan.sink = std::move(*sink);
  }
  plan.state = std::move(state);
  return plan;
}

HttpResponse Registry::OnRequest(HttpRequest& request, BodyPlan& plan) {
  auto* s = static_cast<RequestState*>(plan.state.get());
  if (s == nullptr) return ErrorResponse({ErrorCode::kInternal, "", "null"});
  plan.sink.reset();  // the body is complete: release the upload for Complete/UploadSize
  HttpResponse r = Dispatch(*s, request);
  s->Audit(r.status, r.error_code);
  return r;
}

HttpResponse Registry::Dispatch(RequestState& state, HttpRequest& request) {
  RequestState* s = &state;
  using oci::RouteId;
  switch (s->route.id) {
    case RouteId::kGetManifest:
    case RouteId::kHeadManifest:
      return Manifest(*s, request);
    case RouteId::kPutManifest:
      return PutManifest(*s, request);
    case RouteId::kDeleteManifest: {
      Status deleted = meta_->DeleteManifest(s->route.name, s->route.reference);
      if (deleted.code() == "NOT_FOUND") {
        return ErrorResponse({ErrorCode::kManifestUnknown, "", "null"});
      }
      if (!deleted.ok()) return ErrorResponse(FromStatus(deleted));
      return Base(HttpResponse{202, {}, {}, {}, {}, {}});
    }
    case RouteId::kGetBlob:
    case RouteId::kHeadBlob:
      return Blob(*s);
    case RouteId::kStartUpload:
      return StartUpload(*s);
    case RouteId::kPatchUpload:
      return UploadProgress(*s, 202);
    case RouteId::kPutUpload: {
      std::string digest = http::QueryValue(s->query, "digest");
      if (digest.empty()) {
        return ErrorResponse({ErrorCode::kDigestInvalid, "the final PUT needs `digest`", "null"});
      }
      return FinishUpload(*s, digest);
    }
    case RouteId::kGetUpload:
      return UploadProgress(*s, 204);
    case RouteId::kDeleteUpload: {
      Status cancelled = blobs_->Cancel(s->route.uuid, UploadScope(*s));
      if (!cancelled.ok()) return ErrorResponse(FromStatus(cancelled));
      return Base(HttpResponse{204, {}, {}, {}, {}, {}});
    }
    case RouteId::kTagsList:
      return TagsList(*s);
    case RouteId::kCatalog:
      return Catalog(*s);
    case RouteId::kReferrers: {
      auto referrers = meta_->Referrers(s->route.name, s->route.reference);
      if (!referrers) return ErrorResponse(FromStatus(referrers.error()));
      return Base(ReferrersIndex(*referrers, http::QueryValue(s->query, "artifactType")));
    }
    case RouteId::kBase:
    case RouteId::kDeleteBlob:
      break;
  }
  return ErrorResponse({ErrorCode::kInternal, "", "null"});
}

HttpResponse Registry::Manifest(RequestState& s, HttpRequest&) {
  auto manifest = meta_->GetManifest(s.route.name, s.route.reference);
  if (!manifest) {
    if (manifest.error().code() == "NOT_FOUND") {
      std::string key = oci::IsDigest(s.route.reference) ? "Digest" : "Tag";
      return ErrorResponse({ErrorCode::kManifestUnknown, "",
                            "{\"" + key + "\":" + oci::JsonQuote(s.route.reference) + "}"},
                           s.head);
    }
    return ErrorResponse(FromStatus(manifest.error()), s.head);
  }
  HttpResponse r = Base({});
  r.Set("Content-Type", manifest->media_type);
  r.Set("Docker-Content-Digest", manifest->digest);
  r.Set("Etag", "\"" + manifest->digest + "\"");
  if (s.head) {
    r.head_length = manifest->body.size();
  } else {
    r.body = std::move(manifest->body);
  }
  return r;
}

HttpResponse Registry::PutManifest(RequestState& s, HttpRequest& request) {
  std::string digest = storage::Sha256Digest(request.body);
  const std::string& ref = s.route.reference;
  bool by_digest = oci::IsDigest(ref);
  if (by_digest && ref != digest) {
    return ErrorResponse(
        {ErrorCode::kDigestInvalid, "manifest digest does not match the body", "null"});
  }
  nlohmann::json doc = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return ErrorResponse({ErrorCode::kManifestInvalid, "manifest is not a JSON object", "null"});
  }
  std::string media_type;
  if (const std::string* ct = request.Header("content-type")) {
    media_type = ct->substr(0, ct->find(';'));
  }
  if (media_type.empty() || media_type == "application/octet-stream") {
    auto mt = doc.find("mediaType");
    media_type = mt != doc.end() && mt->is_string() ? mt->get<std::string>() : kOciManifest;
  }
  // Every referenced blob must be in this repository; every child of an index must be a
  // manifest of this repository.
  std::vector<std::string> blobs, children;
  if (!References(doc, blobs, children))
    return ErrorResponse({ErrorCode::kManifestInvalid, "malformed descriptor", "null"});
  for (const std::string& blob : blobs) {
    if (!meta_->HasBlob(s.route.name, blob) || !blobs_->Size(blob)) {
      return ErrorResponse(
          {ErrorCode::kManifestBlobUnknown, "", "{\"digest\":" + oci::JsonQuote(blob) + "}"});
    }
  }
  for (const std::string& child : children) {
    if (!meta_->GetManifest(s.route.name, child)) {
      return ErrorResponse(
          {ErrorCode::kManifestBlobUnknown, "", "{\"digest\":" + oci::JsonQuote(child) + "}"});
    }
  }
  // A referrer (OCI 1.1): its subject need not exist yet, but must be a valid descriptor.
  std::optional<std::string> subject = ManifestSubject(request.body);
  if (subject && subject->empty()) {
    return ErrorResponse({ErrorCode::kManifestInvalid, "malformed subject descriptor", "null"});
  }
  // Authorization (ecr:PutImage) has already allowed the request: immutability is a separate,
  // later step (R166), checked inside the store's transaction.
  Status stored = meta_->PutManifest(s.route.name, {digest, media_type, request.body},
                                     by_digest ? std::string() : ref, blobs);
  if (stored.code() == "TAG_INVALID") {
    HttpResponse refused = ErrorResponse(
        {ErrorCode::kTagInvalid, stored.message(), "{\"Tag\":" + oci::JsonQuote(ref) + "}"});
    refused.error_code = "ImageTagAlreadyExistsException";  // ECR's name, for the audit log
    return refused;
  }
  if (!stored.ok()) return ErrorResponse(FromStatus(stored));
  HttpResponse r = Base(HttpResponse{201, {}, {}, {}, {}, {}});
  r.Set("Location", "/v2/" + s.route.name + "/manifests/" + digest);
  r.Set("Docker-Content-Digest", digest);
  if (subject) r.Set("OCI-Subject", *subject);  // this registry indexes referrers
  r.Set("Content-Length", "0");
  return r;
}

namespace {

// `Range: bytes=<first>-[<last>]` (one range). nullopt when absent or not of that form (then the
// whole blob is sent, which the spec allows).
std::optional<std::pair<uint64_t, std::optional<uint64_t>>> ParseRange(const std::string* header) {
  if (header == nullptr) return std::nullopt;
  std::string_view v = *header;
  if (v.substr(0, 6) != "bytes=") return std::nullopt;
  v.remove_prefix(6);
  size_t dash = v.find('-');
  if (dash == 0 || dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view digits) -> std::optional<uint64_t> {
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    uint64_t n = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
  };
  auto first = number(v.substr(0, dash));
  if (!first) return std::nullopt;
  std::string_view rest = v.substr(dash + 1);
  if (rest.empty()) return std::make_pair(*first, std::optional<uint64_t>());
  auto last = number(rest);
  if (!last || *last < *first) return std::nullopt;
  return std::make_pair(*first, last);
}

// Ranges up to this size are answered from memory; larger ones get the whole blob (200).
constexpr uint64_t kMaxRangeBytes = 16 << 20;

}  // namespace

HttpResponse Registry::Blob(RequestState& s) {
  const std::string& digest = s.route.reference;
  // Only sha256 is stored: another algorithm (sha512:, md5:) can never name a blob here.
  if (!oci::IsSha256Digest(digest)) {
    return ErrorResponse(
        {ErrorCode::kDigestInvalid, "unsupported digest algorithm (only sha256)", "null"}, s.head);
  }
  std::optional<uint64_t> size;
  // HEAD (ecr:BatchCheckLayerAvailability) answers for blobs the repository holds, as a push
  // needs; GET (ecr:GetDownloadUrlForLayer) only for blobs some manifest of the repository
  // references (R157: uploaded but unreferenced blobs are BLOB_UNKNOWN even when authorized).
  if (meta_->HasBlob(s.route.name, digest) &&
      (s.head || meta_->IsBlobReferenced(s.route.name, digest))) {
    size = blobs_->Size(digest);
  }
  if (!size) return ErrorResponse({ErrorCode::kBlobUnknown, "", "null"}, s.head);
  HttpResponse r = Base({});
  r.Set("Content-Type", "application/octet-stream");
  r.Set("Docker-Content-Digest", digest);
  r.Set("Etag", "\"" + digest + "\"");
  r.Set("Cache-Control", "max-age=31536000");
  r.Set("Accept-Ranges", "bytes");
  if (s.head) {
    r.head_length = *size;
    return r;
  }
  if (auto range = ParseRange(s.range ? &*s.range : nullptr)) {
    uint64_t first = range->first;
    if (first >= *size) {
      HttpResponse bad = ErrorResponse({ErrorCode::kRangeInvalid, "", "null"});
      bad.Set("Content-Range", "bytes */" + std::to_string(*size));
      return bad;
    }
    uint64_t last = std::min(range->second.value_or(*size - 1), *size - 1);
    if (last - first + 1 <= kMaxRangeBytes) {
      std::ifstream in(blobs_->BlobPath(digest), std::ios::binary);
      std::string bytes(last - first + 1, '\0');
      in.seekg(static_cast<std::streamoff>(first));
      if (in && in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
        r.status = 206;
        r.Set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                   std::to_string(*size));
        r.body = std::move(bytes);
        return r;
      }
      return ErrorResponse({ErrorCode::kInternal, "blob unreadable", "null"});
    }
  }
  r.file_path = blobs_->BlobPath(digest);
  return r;
}

HttpResponse Registry::StartUpload(RequestState& s) {
  std::string mount = http::QueryValue(s.query, "mount");
  std::string from = http::QueryValue(s.query, "from");
  if (!mount.empty() && oci::IsValidRepositoryName(from)) {
    // R153: mount only when the source check allows and the blob is there; otherwise fall
    // through to a normal upload without saying why.
    oci::AccessRecord source{"ecr:GetDownloadUrlForLayer", from,
                             oci::RepositoryArn(identity_, from), true};
    if (oci::IsSha256Digest(mount) && RepositoryExists(from) && meta_->HasBlob(from, mount) &&
        blobs_->Size(mount) && authorizer_.IsAllowed(s.principal, source, s.facts, &s.decisions)) {
      Status linked = meta_->LinkBlob(s.route.name, mount);
      if (!linked.ok()) return ErrorResponse(FromStatus(linked));
      HttpResponse r = Base(HttpResponse{201, {}, {}, {}, {}, {}});
      r.Set("Location", "/v2/" + s.route.name + "/blobs/" + mount);
      r.Set("Docker-Content-Digest", mount);
      r.Set("Content-Length", "0");
      return r;
    }
  }
  std::string digest = http::QueryValue(s.query, "digest");
  if (!s.upload_id.empty() && !digest.empty()) return FinishUpload(s, digest);  // M9
  auto upload = blobs_->StartUpload(UploadScope(s));
  if (!upload) return ErrorResponse(FromStatus(upload.error()));
  s.upload_id = *upload;
  s.route.uuid = *upload;
  return UploadProgress(s, 202);
}

HttpResponse Registry::FinishUpload(RequestState& s, const std::string& digest) {
  std::string id = s.upload_id.empty() ? s.route.uuid : s.upload_id;
  Status done = blobs_->Complete(id, UploadScope(s), digest);
  if (!done.ok()) return ErrorResponse(FromStatus(done));
  Status linked = meta_->LinkBlob(s.route.name, digest);
  if (!linked.ok()) return ErrorResponse(FromStatus(linked));
  HttpResponse r = Base(HttpResponse{201, {}, {}, {}, {}, {}});
  r.Set("Location", "/v2/" + s.route.name + "/blobs/" + digest);
  r.Set("Docker-Content-Digest", digest);
  r.Set("Content-Length", "0");
  return r;
}

HttpResponse Registry::UploadProgress(RequestState& s, int status) {
  auto size = blobs_->UploadSize(s.route.uuid, UploadScope(s));
  if (!size) return ErrorResponse(FromStatus(size.error()));
  HttpResponse r = Base(HttpResponse{status, {}, {}, {}, {}, {}});
  r.Set("Location", "/v2/" + s.route.name + "/blobs/uploads/" + s.route.uuid);
  r.Set("Range", "0-" + std::to_string(*size == 0 ? 0 : *size - 1));
  r.Set("Docker-Upload-UUID", s.route.uuid);
  r.Set("Content-Length", "0");
  return r;
}

namespace {

// `n` and `last` of the listing endpoints; n = 0 means no limit. false on a malformed n.
bool Pagination(const std::vector<std::pair<std::string, std::string>>& query, size_t& n,
                std::string& last) {
  n = 0;
  last = http::QueryValue(query, "last");
  std::string text = http::QueryValue(query, "n");
  if (text.empty()) return true;
  if (text.size() > 6) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return true;
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + oci::JsonQuote(items[i]);
  return out + "]";
}

}  // namespace

HttpResponse Registry::TagsList(RequestState& s) {
  size_t n;
  std::string last;
  if (!Pagination(s.query, n, last)) {
    return ErrorResponse({ErrorCode::kUnsupported, "bad `n`", "null"});
  }
  auto tags = meta_->ListTags(s.route.name, last, n);
  if (!tags) return ErrorResponse(FromStatus(tags.error()));
  HttpResponse r = Base({});
  r.Set("Content-Type", "application/json; charset=utf-8");
  if (n > 0 && tags->size() == n) {
    r.Set("Link", "</v2/" + s.route.name + "/tags/list?n=" + std::to_string(n) +
                      "&last=" + tags->back() + ">; rel=\"next\"");
  }
  r.body = "{\"name\":" + oci::JsonQuote(s.route.name) + ",\"tags\":" + JsonList(*tags) + "}";
  return r;
}

HttpResponse Registry::Catalog(RequestState& s) {
  size_t n;
  std::string last;
  if (!Pagination(s.query, n, last)) {
    return ErrorResponse({ErrorCode::kUnsupported, "bad `n`", "null"});
  }
  std::vector<std::string> names;
  for (const std::string& name : RepositoryNames()) {  // sorted
    if (name <= last && !last.empty()) continue;
    oci::AccessRecord record{"ecr:DescribeRepositories", name, oci::RepositoryArn(identity_, name),
                             false};
    if (!authorizer_.IsAllowed(s.principal, record, s.facts, &s.decisions)) continue;  // R154
    names.push_back(name);
    if (n > 0 && names.size() == n) break;
  }
  HttpResponse r = Base({});
  r.Set("Content-Type", "application/json; charset=utf-8");
  if (n > 0 && names.size() == n) {
    r.Set("Link",
          "</v2/_catalog?n=" + std::to_string(n) + "&last=" + names.back() + ">; rel=\"next\"");
  }
  r.body = "{\"repositories\":" + JsonList(names) + "}";
  return r;
}

}  // namespace registry_frontend::registry
