// AuditLog: the line format (every field, JSON-escaped) and the writer thread (order, Flush,
// lines queued at destruction are written).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "registry_frontend/audit/audit_log.h"

namespace registry_frontend::audit {
namespace {

AuditRecord Sample() {
  AuditRecord r;
  r.time = 1795780800;
  r.request_id = "req-1";
  r.principal = "arn:aws:iam::111122223333:user/engineering/alice";
  r.action = "ecr:PutImage";
  r.resource = "arn:aws:ecr:us-east-1:111122223333:repository/payments/worker";
  r.decision = "Allow";
  r.reason = "R115.2: an identity policy allows";
  r.statements = {{"identity[0]", 2, "Push"}};
  r.source_ip = "127.0.0.1";
  r.method = "PUT";
  r.path = "/v2/payments/worker/manifests/\"v1\"";
  r.status = 201;
  return r;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(AuditLog, LineIsCloudTrailShaped) {
  AuditRecord record = Sample();
  record.user_agent = "skopeo/1.9.3";
  record.sequence = 1;
  record.parameters = {{"repositoryName", "payments/worker"}, {"imageTag", "v1"}};
  auto j = nlohmann::json::parse(FormatAuditLine(record));
  EXPECT_EQ(j["eventVersion"], "1.08");
  EXPECT_EQ(j["eventTime"], "2026-11-27T12:00:00Z");
  EXPECT_EQ(j["eventSource"], "ecr.amazonaws.com");
  EXPECT_EQ(j["eventName"], "PutImage");
  EXPECT_EQ(j["awsRegion"], "us-east-1");
  EXPECT_EQ(j["sourceIPAddress"], "127.0.0.1");
  EXPECT_EQ(j["userAgent"], "skopeo/1.9.3");
  EXPECT_EQ(j["userIdentity"]["type"], "IAMUser");
  EXPECT_EQ(j["userIdentity"]["arn"], "arn:aws:iam::111122223333:user/engineering/alice");
  EXPECT_EQ(j["userIdentity"]["accountId"], "111122223333");
  EXPECT_EQ(j["userIdentity"]["userName"], "alice");
  EXPECT_EQ(j["requestParameters"]["repositoryName"], "payments/worker");
  EXPECT_EQ(j["requestParameters"]["imageTag"], "v1");
  EXPECT_TRUE(j["responseElements"].is_null());
  EXPECT_FALSE(j.contains("errorCode"));  // success
  EXPECT_EQ(j["requestID"], "req-1");
  EXPECT_EQ(j["eventID"], "req-1-1");
  EXPECT_EQ(j["readOnly"], false);
  ASSERT_EQ(j["resources"].size(), 1u);
  EXPECT_EQ(j["resources"][0]["ARN"],
            "arn:aws:ecr:us-east-1:111122223333:repository/payments/worker");
  EXPECT_EQ(j["resources"][0]["accountId"], "111122223333");
  EXPECT_EQ(j["resources"][0]["type"], "AWS::ECR::Repository");
  EXPECT_EQ(j["eventType"], "AwsApiCall");
  EXPECT_EQ(j["recipientAccountId"], "111122223333");
  const auto& extra = j["additionalEventData"];
  EXPECT_EQ(extra["decision"], "Allow");
  EXPECT_EQ(extra["reason"], "R115.2: an identity policy allows");
  ASSERT_EQ(extra["statements"].size(), 1u);
  EXPECT_EQ(extra["statements"][0]["policy"], "identity[0]");
  EXPECT_EQ(extra["statements"][0]["index"], 2);
  EXPECT_EQ(extra["statements"][0]["sid"], "Push");
  EXPECT_EQ(extra["httpMethod"], "PUT");
  EXPECT_EQ(extra["path"], "/v2/payments/worker/manifests/\"v1\"");  // escaped, round-trips
  EXPECT_EQ(extra["httpStatus"], 201);
  EXPECT_EQ(FormatAuditLine(Sample()).find('\n'), std::string::npos);
  AuditRecord bad = Sample();
  bad.path = "/v2/\xff\xfe";  // invalid UTF-8 must not throw
  EXPECT_FALSE(FormatAuditLine(bad).empty());
}

TEST(AuditLog, IdentitiesErrorsAndReadOnly) {
  AuditRecord r = Sample();
  r.action = "ecr:BatchGetImage";
  r.principal = "arn:aws:sts::444455556666:assumed-role/ci/session";
  r.decision = "ImplicitDeny";
  r.error_code = "AccessDeniedException";
  auto j = nlohmann::json::parse(FormatAuditLine(r));
  EXPECT_EQ(j["userIdentity"]["type"], "AssumedRole");
  EXPECT_EQ(j["userIdentity"]["accountId"], "444455556666");
  EXPECT_FALSE(j["userIdentity"].contains("userName"));
  EXPECT_EQ(j["errorCode"], "AccessDeniedException");
  EXPECT_EQ(j["readOnly"], true);
  EXPECT_EQ(j["recipientAccountId"], "111122223333");  // the resource's account
  r.principal = "ecr.amazonaws.com";
  j = nlohmann::json::parse(FormatAuditLine(r));
  EXPECT_EQ(j["userIdentity"]["type"], "AWSService");
  EXPECT_EQ(j["userIdentity"]["invokedBy"], "ecr.amazonaws.com");
  r.principal = "arn:aws:iam::111122223333:root";
  r.resource = "*";
  j = nlohmann::json::parse(FormatAuditLine(r));
  EXPECT_EQ(j["userIdentity"]["type"], "Root");
  EXPECT_TRUE(j["resources"].empty());
  EXPECT_EQ(j["awsRegion"], "");
}

TEST(AuditLog, WritesInOrderAndFlushes) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("rf-audit-" + std::to_string(::getpid()) + ".jsonl"))
                         .string();
  std::filesystem::remove(path);
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log) << log.error().ToString();
    for (int i = 0; i < 100; ++i) {
      AuditRecord r = Sample();
      r.status = i;
      (*log)->Write(r);
    }
    (*log)->Flush();
    auto lines = Lines(path);
    ASSERT_EQ(lines.size(), 100u);
    for (int i = 0; i < 100; ++i)
      EXPECT_EQ(nlohmann::json::parse(lines[i])["additionalEventData"]["httpStatus"], i);
    EXPECT_EQ((*log)->dropped(), 0u);
    AuditRecord last = Sample();
    last.status = 999;
    (*log)->Write(last);  // written by the destructor
  }
  auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_EQ(nlohmann::json::parse(lines.back())["additionalEventData"]["httpStatus"], 999);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  std::filesystem::remove(path);
  EXPECT_FALSE(AuditLog::Open("/nonexistent-dir/audit.jsonl"));
  EXPECT_TRUE(AuditLog::Open("-"));
}

}  // namespace
}  // namespace registry_frontend::audit

namespace registry_frontend::audit {
namespace {

// Rotation: after a rename and Reopen, new lines go to a new file at the old path; if the path
// cannot be reopened, the old file keeps receiving lines and the error is returned.
TEST(AuditLog, ReopenRotatesAndKeepsTheOldFileOnError) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("rf-audit-rotate-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "audit.jsonl").string();
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log);
  auto line = [](int status) {
    AuditRecord r = Sample();
    r.status = status;
    return r;
  };
  (*log)->Write(line(1));
  (*log)->Flush();
  fs::rename(path, dir / "audit.1");
  ASSERT_TRUE((*log)->Reopen().ok());
  (*log)->Write(line(2));
  (*log)->Flush();
  EXPECT_EQ(Lines((dir / "audit.1").string()).size(), 1u);
  ASSERT_EQ(Lines(path).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(Lines(path)[0])["additionalEventData"]["httpStatus"], 2);
  // The directory disappears: Reopen fails, lines still go to the open file.
  fs::rename(dir, dir.string() + ".moved");
  EXPECT_FALSE((*log)->Reopen().ok());
  (*log)->Write(line(3));
  (*log)->Flush();
  EXPECT_EQ(Lines(dir.string() + ".moved/audit.jsonl").size(), 2u);
  log->reset();
  fs::remove_all(dir.string() + ".moved");
  EXPECT_TRUE(AuditLog::Open("-").value()->Reopen().ok());  // stderr: nothing to do
}

}  // namespace
}  // namespace registry_frontend::audit
