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

std::string FormatAuditLine(const AuditRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = Iso8601(r.time);
  j["requestId"] = r.request_id;
  j["principal"] = r.principal;
  j["action"] = r.action;
  j["resource"] = r.resource;
  j["decision"] = r.decision;
  j["reason"] = r.reason;
  j["statements"] = nlohmann::ordered_json::array();
  for (const AuditStatement& s : r.statements) {
    j["statements"].push_back({{"policy", s.policy}, {"index", s.index}, {"sid", s.sid}});
  }
  j["sourceIp"] = r.source_ip;
  j["method"] = r.method;
  j["path"] = r.path;
  j["status"] = r.status;
  // Invalid UTF-8 (a hostile path) is replaced, never an exception on the I/O thread.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

policy_engine::Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AuditLog>(new AuditLog(stderr, false));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return policy_engine::Status("UNKNOWN", "cannot open audit log `" + path +
                                                "`: " + std::strerror(errno));
  }
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    return policy_engine::Status("UNKNOWN", "cannot open audit log `" + path + "`");
  }
  return std::unique_ptr<AuditLog>(new AuditLog(f, true));
}

AuditLog::AuditLog(std::FILE* out, bool owned) : out_(out), owned_(owned) {
  writer_ = std::thread([this] { Run(); });
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
    wake_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty() && stop_) break;
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
