// The audit log: one JSON line per authorization decision (`portcullis serve --audit-log FILE`),
// shaped like a CloudTrail event (docs/registry.md "Audit log"): eventTime, eventSource,
// eventName (the ECR action without `ecr:`), awsRegion, sourceIPAddress, userAgent, userIdentity
// (type, arn, accountId, userName), requestParameters (repositoryName, imageTag/imageDigest, …),
// resources, requestID, eventID, readOnly, recipientAccountId, errorCode; Portcullis's own
// fields under additionalEventData: the decision, the rule-level reason, the decisive statements
// (policy name, statement index, sid), the HTTP method, path and status (0 when the request ended
// before a response, e.g. the client went away mid-body). Never the password, the Authorization
// header or policy text.
//
// Why a writer thread: Write() is called on the I/O threads. It formats the line (microseconds)
// and appends it to an in-memory queue under a mutex held only for the push; one background
// thread swaps the queue out and writes it with one fwrite + fflush per batch. So a slow disk (or
// a blocked stderr pipe) never stalls request handling, and bursts are written in batches. The
// queue is bounded (kMaxPending lines): past it, lines are dropped and counted (dropped()) rather
// than blocking the I/O threads or growing without limit. The destructor writes what is queued.
//
// Thread safety: Write/Flush/dropped may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "policy_engine/common/status.h"

namespace registry_frontend::audit {

struct AuditStatement {
  std::string policy;  // the engine's policy name, e.g. "identity[0]" or "repo:payments/worker"
  size_t index = 0;    // in the policy's Statement array
  std::string sid;
};

struct AuditRecord {
  int64_t time = 0;  // epoch seconds (the request's aws:CurrentTime)
  std::string request_id;
  std::string principal;  // ARN
  std::string action;
  std::string resource;  // ARN
  std::string decision;  // Allow | ExplicitDeny | ImplicitDeny | Error
  std::string reason;    // the engine's rule-level reason (no policy text)
  std::vector<AuditStatement> statements;
  std::string source_ip;
  std::string method;
  std::string path;  // without the query
  int status = 0;
  std::string user_agent;
  size_t sequence = 0;     // the decision's index within its request (eventID)
  std::string error_code;  // the response's error code (OCI code, …); empty on success
  // requestParameters, in order: repositoryName, imageTag / imageDigest / layerDigest, uploadId…
  std::vector<std::pair<std::string, std::string>> parameters;
};

// One line, without the trailing newline.
std::string FormatAuditLine(const AuditRecord& record);

class AuditLog {
 public:
  static constexpr size_t kMaxPending = 65536;

  // `path` "-" = standard error; otherwise appended to (created with mode 0600).
  static policy_engine::Result<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void Write(const AuditRecord& record);
  // Log rotation (SIGHUP): the writer reopens the file by its path before its next batch, so
  // `mv audit.jsonl audit.1 && kill -HUP` starts a new file. Standard error is left alone. Blocks
  // until done; if the file cannot be reopened, the old one stays and the error is returned.
  policy_engine::Status Reopen();
  // Blocks until every line queued before the call is written and flushed.
  void Flush();
  uint64_t dropped() const;

 private:
  AuditLog(std::FILE* out, bool owned, std::string path);
  void Run();

  std::FILE* out_;
  bool owned_;
  std::string path_;  // empty for standard error
  bool reopen_ = false;
  uint64_t reopens_ = 0;      // completed reopen requests (success or not)
  std::string reopen_error_;  // of the last one
  mutable std::mutex mu_;
  std::condition_variable wake_, written_;
  std::vector<std::string> pending_;
  uint64_t queued_ = 0, done_ = 0, dropped_ = 0;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace registry_frontend::audit
