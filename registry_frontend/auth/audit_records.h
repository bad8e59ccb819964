// Decisions → audit log records (registry_frontend/audit), shared by the registry, the sidecar
// and the token server so that every front end writes the same CloudTrail-shaped lines.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "registry_frontend/audit/audit_log.h"
#include "registry_frontend/auth/authorizer.h"

namespace registry_frontend::auth {

// What the audit log needs about one request besides its decisions.
struct AuditRequest {
  std::string principal;  // ARN
  std::string request_id;
  std::string method;
  std::string path;        // without the query
  int status = 0;          // the HTTP status answered; 0 when the request ended without a response
  std::string error_code;  // the response's error code, for decisions that were allowed
  // requestParameters; when empty, `repositoryName` is taken from each decision's resource ARN.
  std::vector<std::pair<std::string, std::string>> parameters;
};

// One record per decision, in order. A decision that was not allowed carries
// `AccessDeniedException` (it is why the request was refused, whatever the status says).
std::vector<audit::AuditRecord> ToAuditRecords(const std::vector<DecisionRecord>& decisions,
                                               const RequestFacts& facts,
                                               const AuditRequest& request);

}  // namespace registry_frontend::auth
