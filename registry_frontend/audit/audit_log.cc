// AuditLog (audit_log.h).
#include "registry_frontend/audit/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

namespace registry_frontend::audit {

namespace {
std::string Iso8601(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}
}  // namespace

namespace {
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE → the five fields and the resource.
bool SplitArn(const std::string& arn, std::vector<std::string>& fields, std::string& resource) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return false;
    fields.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  resource = arn.substr(start);
  return fields[0] == "arn";
}

// CloudTrail's userIdentity for a principal ARN (or a service principal / `anonymous`).
nlohmann::ordered_json UserIdentity(const std::string& principal) {
  nlohmann::ordered_json id;
  std::vector<std::string> parts;
  std::string resource;
  if (!SplitArn(principal, parts, resource)) {
    id["type"] = principal == "anonymous" ? "Unknown" : "AWSService";
    id["invokedBy"] = principal;
    return id;
  }
  std::string type = "Unknown", name;
  if (resource == "root") {
    type = "Root";
  } else if (resource.starts_with("user/")) {
    type = "IAMUser";
    name = resource.substr(resource.rfind('/') + 1);
  } else if (resource.starts_with("assumed-role/")) {
    type = "AssumedRole";
  } else if (resource.starts_with("role/")) {
    type = "Role";
  } else if (resource.starts_with("federated-user/")) {
    type = "FederatedUser";
  }
  id["type"] = type;
  id["arn"] = principal;
  id["accountId"] = parts[4];
  if (!name.empty()) id["userName"] = name;
  return id;
}

// ECR actions that only read (CloudTrail's readOnly).
bool ReadOnly(std::string_view event) {
  return event.starts_with("BatchGet") || event.starts_with("BatchCheck") ||
         event.starts_with("Get") || event.starts_with("List") || event.starts_with("Describe");
}
}  // namespace

std::string FormatAuditLine(const AuditRecord& r) {
  std::string_view event = r.action;
  std::string source = "ecr.amazonaws.com";
  if (size_t colon = event.find(':'); colon != std::string_view::npos) {
    source = std::string(event.substr(0, colon)) + ".amazonaws.com";
    event.remove_prefix(colon + 1);
  }
  // The resource ARN's region and account: arn:aws:ecr:REGION:ACCOUNT:repository/NAME.
  std::string region, account;
  {
    std::vector<std::string> fields;
    std::string rest;
    if (SplitArn(r.resource, fields, rest)) {
      region = fields[3];
      account = fields[4];
    }
  }
  nlohmann::ordered_json j;
  j["eventVersion"] = "1.08";
  j["eventTime"] = Iso8601(r.time);
  j["eventSource"] = source;
  j["eventName"] = std::string(event);
  j["awsRegion"] = region;
  j["sourceIPAddress"] = r.source_ip;
  j["userAgent"] = r.user_agent;
  j["userIdentity"] = UserIdentity(r.principal);
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  for (const auto& [key, value] : r.parameters) params[key] = value;
  j["requestParameters"] = std::move(params);
  j["responseElements"] = nullptr;
  if (!r.error_code.empty()) j["errorCode"] = r.error_code;
  j["requestID"] = r.request_id;
  j["eventID"] = r.request_id + "-" + std::to_string(r.sequence);
  j["readOnly"] = ReadOnly(event);
  nlohmann::ordered_json resources = nlohmann::ordered_json::array();
  if (!r.resource.empty() && r.resource != "*") {
    resources.push_back(
        {{"ARN", r.resource}, {"accountId", account}, {"type", "AWS::ECR::Repository"}});
  }
  j["resources"] = std::move(resources);
  j["eventType"] = "AwsApiCall";
  j["recipientAccountId"] = account;
  nlohmann::ordered_json extra;
  extra["decision"] = r.decision;
  extra["reason"] = r.reason;
  extra["statements"] = nlohmann::ordered_json::array();
  for (const AuditStatement& s : r.statements) {
    extra["statements"].push_back({{"policy", s.policy}, {"index", s.index}, {"sid", s.sid}});
  }
  extra["httpMethod"] = r.method;
  extra["path"] = r.path;
  extra["httpStatus"] = r.status;
  j["additionalEventData"] = std::move(extra);
  // Invalid UTF-8 (a hostile path) is replaced, never an exception on the I/O thread.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {
// Opens `path` for appending (created with mode 0600).
std::FILE* OpenAppend(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open audit log `" + path + "`: " + std::strerror(errno);
    return nullptr;
  }
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    error = "cannot open audit log `" + path + "`";
  }
  return f;
}
}  // namespace

policy_engine::Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AuditLog>(new AuditLog(stderr, false, ""));
  std::string error;
  std::FILE* f = OpenAppend(path, error);
  if (f == nullptr) return policy_engine::Status("UNKNOWN", error);
  return std::unique_ptr<AuditLog>(new AuditLog(f, true, path));
}

AuditLog::AuditLog(std::FILE* out, bool owned, std::string path)
    : out_(out), owned_(owned), path_(std::move(path)) {
  writer_ = std::thread([this] { Run(); });
}

policy_engine::Status AuditLog::Reopen() {
  if (path_.empty()) return policy_engine::Status::Ok();
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = reopens_ + 1;
  reopen_ = true;
  wake_.notify_one();
  written_.wait(lock, [&] { return reopens_ >= target; });
  if (reopen_error_.empty()) return policy_engine::Status::Ok();
  return policy_engine::Status("UNKNOWN", reopen_error_);
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (owned_) std::fclose(out_);
}

void AuditLog::Write(const AuditRecord& record) {
  std::string line = FormatAuditLine(record);
  line += '\n';
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.size() >= kMaxPending) {
      ++dropped_;
      return;
    }
    pending_.push_back(std::move(line));
    ++queued_;
  }
  wake_.notify_one();
}

void AuditLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_;
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target; });
}

uint64_t AuditLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AuditLog::Run() {
  std::vector<std::string> batch;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || reopen_ || !pending_.empty(); });
    if (reopen_) {  // only this thread writes to out_, so it swaps it between batches
      reopen_ = false;
      reopen_error_.clear();
      std::FILE* fresh = OpenAppend(path_, reopen_error_);
      if (fresh != nullptr) {
        std::fclose(out_);
        out_ = fresh;
      }
      ++reopens_;
      written_.notify_all();
    }
    if (pending_.empty() && stop_) break;
    if (pending_.empty()) continue;
    batch.swap(pending_);
    lock.unlock();
    std::string out;
    for (const std::string& line : batch) out += line;
    std::fwrite(out.data(), 1, out.size(), out_);
    std::fflush(out_);
    size_t n = batch.size();
    batch.clear();
    lock.lock();
    done_ += n;
    written_.notify_all();
  }
}

}  // namespace registry_frontend::audit
