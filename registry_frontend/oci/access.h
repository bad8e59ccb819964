// Access records: which ECR actions on which repository ARNs one request needs
// (docs policy-semantics.md §7.2, rows M1–M17). A pure function of the route and the query, like
// distribution's appendAccessRecords, so the whole table is tested without a server.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/engine/engine.h"
#include "registry_frontend/oci/routes.h"

namespace registry_frontend::oci {

struct AccessRecord {
  std::string action;      // "ecr:PutImage"
  std::string repository;  // repository name
  std::string arn;         // arn:aws:ecr:REGION:ACCOUNT:repository/NAME
  // M11: the pull check on a mount's source. Not allowed → the mount silently becomes a normal
  // upload (R153); it never produces a 403.
  bool mount_source = false;
};

// Where repository ARNs point when a name is given.
struct RegistryIdentity {
  std::string account = "111122223333";
  std::string region = "us-east-1";
  std::string partition = "aws";
};

std::string RepositoryArn(const RegistryIdentity& registry, std::string_view name);

// The (account, region) most of `repositories` are in: the registry endpoint a configuration
// describes (one account and region, like `<account>.dkr.ecr.<region>.amazonaws.com`).
RegistryIdentity ChooseRegistryIdentity(
    const std::vector<policy_engine::engine::RepositoryInfo>& repositories);

// CloudTrail-style requestParameters of a request (ECR's API names where they exist):
// repositoryName, imageTag / imageDigest, layerDigest, uploadId, mountDigest,
// sourceRepositoryName. Shared by the registry's and the sidecar's audit lines.
std::vector<std::pair<std::string, std::string>> AuditParameters(
    const RouteMatch& route, const std::vector<std::pair<std::string, std::string>>& query);

// Query facts that change the mapping.
struct AccessQuery {
  bool has_digest = false;  // `?digest=` (M9 monolithic POST; M8)
  std::string mount_from;   // `?from=` with `?mount=` (M11)
  bool has_body = false;    // M8: a final PUT carrying bytes also uploads a part
};

// The records, in the order R156 checks them. Empty for M1 (`/v2/`, authentication only), M14
// (DELETE blob, unsupported) and M16 (`_catalog`, checked per repository by the handler).
std::vector<AccessRecord> AccessRecordsFor(const RouteMatch& route, const AccessQuery& query,
                                           const RegistryIdentity& registry);

}  // namespace registry_frontend::oci
