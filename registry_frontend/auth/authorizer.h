// Per-request authorization: access records → engine decisions → allow, or a 403 message in
// AWS style (policy-semantics.md R152, R156). Any engine error fails closed and is counted
// (Envoy ext_authz's Allow / Deny / Error with failure_mode_allow = false).
//
// The request context (R146) holds what only the front end knows: aws:SourceIp,
// aws:SecureTransport, aws:CurrentTime, aws:EpochTime, aws:UserAgent. Principal- and
// resource-derived keys (aws:PrincipalArn, aws:PrincipalTag/*, ecr:ResourceTag/*, …) are added by
// the engine from the store.
//
// Thread safety: Authorize may be called concurrently; counters are atomic.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "policy_engine/engine/engine.h"
#include "registry_frontend/oci/access.h"

namespace registry_frontend::auth {

struct RequestFacts {
  std::string source_ip;
  bool secure = false;
  int64_t now = 0;  // epoch seconds, fixed once per request
  std::string user_agent;
};

// The R146 keys the front end supplies, as the engine's flat request keys (views into `facts`
// and into this object's own buffers: neither may move while the keys are used).
class RequestKeys {
 public:
  explicit RequestKeys(const RequestFacts& facts);
  RequestKeys(const RequestKeys&) = delete;
  RequestKeys& operator=(const RequestKeys&) = delete;
  std::span<const policy_engine::engine::RequestKey> keys() const { return {keys_.data(), count_}; }

 private:
  char time_[24];
  char epoch_[24];
  std::array<policy_engine::engine::RequestKey, 5> keys_;
  size_t count_ = 0;
};

// "2026-11-27T23:36:00Z"
std::string Iso8601(int64_t epoch_seconds);

enum class Outcome { kAllow, kDeny, kError };

// One engine decision, for the audit log: no policy text, only names, indexes and sids.
struct DecisionRecord {
  std::string action;
  std::string resource;
  std::string decision;  // Allow | ExplicitDeny | ImplicitDeny | Error
  std::string reason;    // the engine's rule-level reason
  struct Statement {
    std::string policy;
    size_t index = 0;
    std::string sid;
  };
  std::vector<Statement> statements;  // the decisive statements the engine reported
};

struct AuthzResult {
  Outcome outcome = Outcome::kError;
  std::string message;                    // R152 text for kDeny / kError
  std::vector<DecisionRecord> decisions;  // every decision taken, in order
};

class Authorizer {
 public:
  explicit Authorizer(const policy_engine::engine::Engine& engine) : engine_(engine) {}

  // Every record must be allowed, in order (R156); the first that is not decides the message.
  // Records flagged mount_source are skipped (see IsAllowed).
  AuthzResult Authorize(const std::string& principal_arn,
                        const std::vector<oci::AccessRecord>& records, const RequestFacts& facts);
  // One record; errors count as not allowed. Used for mount sources and _catalog filtering.
  // When `trail` is given, the decision is appended to it.
  bool IsAllowed(const std::string& principal_arn, const oci::AccessRecord& record,
                 const RequestFacts& facts, std::vector<DecisionRecord>* trail = nullptr);

  uint64_t allowed() const { return allowed_.load(); }
  uint64_t denied() const { return denied_.load(); }
  uint64_t errors() const { return errors_.load(); }

 private:
  AuthzResult Decide(const std::string& principal_arn, const oci::AccessRecord& record,
                     const RequestFacts& facts);

  const policy_engine::engine::Engine& engine_;
  std::atomic<uint64_t> allowed_{0}, denied_{0}, errors_{0};
};

// R152: "User: ARN is not authorized to perform: ACTION on resource: ARN because REASON".
std::string DenyMessage(const std::string& principal_arn, const std::string& action,
                        const std::string& resource, const policy_engine::model::DecisionResult&);

}  // namespace registry_frontend::auth
