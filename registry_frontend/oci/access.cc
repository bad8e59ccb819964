// The HTTP → ECR action table (access.h). The rows cite policy-semantics.md §7.2.
#include "registry_frontend/oci/access.h"

namespace registry_frontend::oci {

std::string RepositoryArn(const RegistryIdentity& registry, std::string_view name) {
  return "arn:" + registry.partition + ":ecr:" + registry.region + ":" + registry.account +
         ":repository/" + std::string(name);
}

std::vector<AccessRecord> AccessRecordsFor(const RouteMatch& route, const AccessQuery& query,
                                           const RegistryIdentity& registry) {
  std::vector<AccessRecord> out;
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

}  // namespace registry_frontend::oci
