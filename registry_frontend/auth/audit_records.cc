#include "registry_frontend/auth/audit_records.h"

#include <string_view>

namespace registry_frontend::auth {

std::vector<audit::AuditRecord> ToAuditRecords(const std::vector<DecisionRecord>& decisions,
                                               const RequestFacts& facts,
                                               const AuditRequest& request) {
  std::vector<audit::AuditRecord> out;
  out.reserve(decisions.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    const DecisionRecord& d = decisions[i];
    audit::AuditRecord r;
    r.time = facts.now;
    r.request_id = request.request_id;
    r.sequence = i;
    r.principal = request.principal;
    r.action = d.action;
    r.resource = d.resource;
    r.decision = d.decision;
    r.reason = d.reason;
    for (const auto& st : d.statements) r.statements.push_back({st.policy, st.index, st.sid});
    r.source_ip = facts.source_ip;
    r.user_agent = facts.user_agent;
    r.method = request.method;
    r.path = request.path;
    r.status = request.status;
    r.error_code = d.decision != "Allow" ? "AccessDeniedException" : request.error_code;
    r.parameters = request.parameters;
    constexpr std::string_view kRepository = ":repository/";
    if (r.parameters.empty()) {
      if (size_t at = d.resource.find(kRepository); at != std::string::npos) {
        r.parameters.emplace_back("repositoryName", d.resource.substr(at + kRepository.size()));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace registry_frontend::auth
