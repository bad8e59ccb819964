// The HTTP → ECR action table (access.h). The rows cite policy-semantics.md §7.2.
#include "registry_frontend/oci/access.h"

#include <map>

namespace registry_frontend::oci {

std::string RepositoryArn(const RegistryIdentity& registry, std::string_view name) {
  // One allocation (per request on the sidecar's and registry's path).
  constexpr std::string_view kEcr = ":ecr:", kRepository = ":repository/";
  std::string arn;
  arn.reserve(4 + registry.partition.size() + kEcr.size() + registry.region.size() + 1 +
              registry.account.size() + kRepository.size() + name.size());
  arn.append("arn:").append(registry.partition).append(kEcr).append(registry.region);
  arn.append(":").append(registry.account).append(kRepository).append(name);
  return arn;
}

std::vector<AccessRecord> AccessRecordsFor(const RouteMatch& route, const AccessQuery& query,
                                           const RegistryIdentity& registry) {
  std::vector<AccessRecord> out;
  out.reserve(3);  // at most three records per route
  auto add = [&](const char* action) {
    out.push_back({action, route.name, RepositoryArn(registry, route.name), false});
  };
  switch (route.id) {
    case RouteId::kBase:        // M1
    case RouteId::kCatalog:     // M16: per repository, in the handler
    case RouteId::kDeleteBlob:  // M14: unsupported
      break;
    case RouteId::kGetManifest:   // M2
    case RouteId::kHeadManifest:  // M3
    case RouteId::kReferrers:     // M17
      add("ecr:BatchGetImage");
      break;
    case RouteId::kGetBlob:  // M4
      add("ecr:GetDownloadUrlForLayer");
      break;
    case RouteId::kHeadBlob:  // M5
      add("ecr:BatchCheckLayerAvailability");
      break;
    case RouteId::kStartUpload:
      if (!query.mount_from.empty()) {  // M11
        add("ecr:InitiateLayerUpload");
        add("ecr:CompleteLayerUpload");
        out.push_back({"ecr:GetDownloadUrlForLayer", query.mount_from,
                       RepositoryArn(registry, query.mount_from), true});
      } else if (query.has_digest) {  // M9
        add("ecr:InitiateLayerUpload");
        add("ecr:UploadLayerPart");
        add("ecr:CompleteLayerUpload");
      } else {  // M6
        add("ecr:InitiateLayerUpload");
      }
      break;
    case RouteId::kPatchUpload:   // M7
    case RouteId::kGetUpload:     // M10
    case RouteId::kDeleteUpload:  // M10
      add("ecr:UploadLayerPart");
      break;
    case RouteId::kPutUpload:  // M8
      add("ecr:CompleteLayerUpload");
      if (query.has_body) add("ecr:UploadLayerPart");
      break;
    case RouteId::kPutManifest:  // M12
      add("ecr:PutImage");
      break;
    case RouteId::kDeleteManifest:  // M13
      add("ecr:BatchDeleteImage");
      break;
    case RouteId::kTagsList:  // M15
      add("ecr:ListImages");
      break;
  }
  return out;
}

RegistryIdentity ChooseRegistryIdentity(
    const std::vector<policy_engine::engine::RepositoryInfo>& repositories) {
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const auto& r : repositories) ++counts[{r.account, r.region}];
  RegistryIdentity identity;
  int best = 0;
  for (const auto& [key, count] : counts) {
    if (count > best) {
      best = count;
      identity.account = key.first;
      identity.region = key.second;
    }
  }
  return identity;
}

std::vector<std::pair<std::string, std::string>> AuditParameters(
    const RouteMatch& route, const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!route.name.empty()) out.emplace_back("repositoryName", route.name);
  switch (route.id) {
    case RouteId::kGetManifest:
    case RouteId::kHeadManifest:
    case RouteId::kPutManifest:
    case RouteId::kDeleteManifest:
      out.emplace_back(IsDigest(route.reference) ? "imageDigest" : "imageTag", route.reference);
      break;
    case RouteId::kReferrers:
      out.emplace_back("imageDigest", route.reference);
      break;
    case RouteId::kGetBlob:
    case RouteId::kHeadBlob:
    case RouteId::kDeleteBlob:
      out.emplace_back("layerDigest", route.reference);
      break;
    default:
      break;
  }
  if (!route.uuid.empty()) out.emplace_back("uploadId", route.uuid);
  for (const auto& [key, value] : query) {
    if (key == "digest") out.emplace_back("layerDigest", value);
    if (key == "mount") out.emplace_back("mountDigest", value);
    if (key == "from") out.emplace_back("sourceRepositoryName", value);
  }
  return out;
}

}  // namespace registry_frontend::oci
