// Authorizer (authorizer.h).
#include "registry_frontend/auth/authorizer.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace registry_frontend::auth {

namespace pe = policy_engine;

std::string Iso8601(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

RequestKeys::RequestKeys(const RequestFacts& facts) {
  // aws:CurrentTime changes once a second: formatted once per second per thread.
  thread_local int64_t formatted_second = -1;
  thread_local char formatted[sizeof time_] = {};
  if (facts.now != formatted_second) {
    std::string text = Iso8601(facts.now);
    std::snprintf(formatted, sizeof formatted, "%s", text.c_str());
    formatted_second = facts.now;
  }
  std::memcpy(time_, formatted, sizeof time_);
  auto [end, ec] = std::to_chars(epoch_, epoch_ + sizeof epoch_, facts.now);
  (void)ec;  // 24 bytes hold any int64
  if (!facts.source_ip.empty()) keys_[count_++] = {"aws:SourceIp", facts.source_ip};
  keys_[count_++] = {"aws:SecureTransport", facts.secure ? "true" : "false"};
  keys_[count_++] = {"aws:CurrentTime", std::string_view(time_)};
  keys_[count_++] = {"aws:EpochTime", std::string_view(epoch_, static_cast<size_t>(end - epoch_))};
  if (!facts.user_agent.empty()) keys_[count_++] = {"aws:UserAgent", facts.user_agent};
}

std::string DenyMessage(const std::string& principal_arn, const std::string& action,
                        const std::string& resource, const pe::model::DecisionResult& result) {
  using pe::model::Reason;
  std::string because;
  if (pe::engine::IsError(result)) {
    because = "the request could not be evaluated";
  } else if (result.decision == pe::model::Decision::kExplicitDeny) {
    std::string kind = "identity-based";
    for (const auto& m : result.matched) {
      if (m.effect != pe::model::Effect::kDeny) continue;
      switch (m.role) {
        case pe::model::PolicySetRole::kIdentity:
          kind = "identity-based";
          break;
        case pe::model::PolicySetRole::kBoundary:
          kind = "permissions boundary";
          break;
        case pe::model::PolicySetRole::kSession:
          kind = "session";
          break;
        case pe::model::PolicySetRole::kScp:
          kind = "service control";
          break;
        case pe::model::PolicySetRole::kRcp:
          kind = "resource control";
          break;
        case pe::model::PolicySetRole::kResource:
          kind = "resource-based";
          break;
        case pe::model::PolicySetRole::kEndpoint:
          kind = "VPC endpoint";
          break;
      }
      break;
    }
    because = "with an explicit deny in a " + kind + " policy";
  } else {
    switch (result.reason_code) {
      case Reason::kCrossNoResource:
      case Reason::kServiceNotAllowed:
        because = "no resource-based policy allows the " + action + " action";
        break;
      case Reason::kScpGate:
        because = "no service control policy allows the " + action + " action";
        break;
      case Reason::kBoundaryDenies:
        because = "no permissions boundary allows the " + action + " action";
        break;
      case Reason::kSessionDenies:
        because = "no session policy allows the " + action + " action";
        break;
      default:
        because = "no identity-based policy allows the " + action + " action";
        break;
    }
  }
  return "User: " + principal_arn + " is not authorized to perform: " + action +
         " on resource: " + resource + " because " + because;
}

AuthzResult Authorizer::Decide(const std::string& principal_arn, const oci::AccessRecord& record,
                               const RequestFacts& facts) {
  pe::model::DecisionResult result =
      engine_.Decide(principal_arn, record.action, record.arn, RequestKeys(facts).keys());
  AuthzResult out;
  DecisionRecord d;
  if (result.decision == pe::model::Decision::kAllow) {
    out.outcome = Outcome::kAllow;
    d.decision = "Allow";
  } else {
    out.outcome = pe::engine::IsError(result) ? Outcome::kError : Outcome::kDeny;
    out.message = DenyMessage(principal_arn, record.action, record.arn, result);
    d.decision = out.outcome == Outcome::kError                          ? "Error"
                 : result.decision == pe::model::Decision::kExplicitDeny ? "ExplicitDeny"
                                                                         : "ImplicitDeny";
  }
  // The result is not used after this: its strings move into the record.
  d.action = record.action;
  d.resource = record.arn;
  d.reason = std::move(result.reason);
  d.statements.reserve(result.matched.size());
  for (auto& m : result.matched) {
    d.statements.push_back({std::move(m.policy), m.statement, std::move(m.sid)});
  }
  out.decisions.push_back(std::move(d));
  return out;
}

AuthzResult Authorizer::Authorize(const std::string& principal_arn,
                                  const std::vector<oci::AccessRecord>& records,
                                  const RequestFacts& facts) {
  std::vector<DecisionRecord> decisions;
  decisions.reserve(records.size());
  for (const oci::AccessRecord& record : records) {
    if (record.mount_source) continue;
    AuthzResult r = Decide(principal_arn, record, facts);
    for (auto& d : r.decisions) decisions.push_back(std::move(d));
    if (r.outcome != Outcome::kAllow) {
      (r.outcome == Outcome::kError ? errors_ : denied_).fetch_add(1);
      r.decisions = std::move(decisions);
      return r;
    }
  }
  allowed_.fetch_add(1);
  return {Outcome::kAllow, {}, std::move(decisions)};
}

bool Authorizer::IsAllowed(const std::string& principal_arn, const oci::AccessRecord& record,
                           const RequestFacts& facts, std::vector<DecisionRecord>* trail) {
  AuthzResult r = Decide(principal_arn, record, facts);
  if (r.outcome == Outcome::kError) errors_.fetch_add(1);
  if (trail != nullptr) {
    for (auto& d : r.decisions) trail->push_back(std::move(d));
  }
  return r.outcome == Outcome::kAllow;
}

}  // namespace registry_frontend::auth
