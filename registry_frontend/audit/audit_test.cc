// AuditLog: the line format (every field, JSON-escaped) and the writer thread (order, Flush,
// lines queued at destruction are written).
#include "registry_frontend/audit/audit_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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

TEST(AuditLog, LineHasEveryField) {
  auto j = nlohmann::json::parse(FormatAuditLine(Sample()));
  EXPECT_EQ(j["time"], "2026-11-27T12:00:00Z");
  EXPECT_EQ(j["requestId"], "req-1");
  EXPECT_EQ(j["principal"], "arn:aws:iam::111122223333:user/engineering/alice");
  EXPECT_EQ(j["action"], "ecr:PutImage");
  EXPECT_EQ(j["resource"], "arn:aws:ecr:us-east-1:111122223333:repository/payments/worker");
  EXPECT_EQ(j["decision"], "Allow");
  EXPECT_EQ(j["reason"], "R115.2: an identity policy allows");
  ASSERT_EQ(j["statements"].size(), 1u);
  EXPECT_EQ(j["statements"][0]["policy"], "identity[0]");
  EXPECT_EQ(j["statements"][0]["index"], 2);
  EXPECT_EQ(j["statements"][0]["sid"], "Push");
  EXPECT_EQ(j["sourceIp"], "127.0.0.1");
  EXPECT_EQ(j["method"], "PUT");
  EXPECT_EQ(j["path"], "/v2/payments/worker/manifests/\"v1\"");  // escaped, round-trips
  EXPECT_EQ(j["status"], 201);
  EXPECT_EQ(FormatAuditLine(Sample()).find('\n'), std::string::npos);
  AuditRecord bad = Sample();
  bad.path = "/v2/\xff\xfe";  // invalid UTF-8 must not throw
  EXPECT_FALSE(FormatAuditLine(bad).empty());
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
    for (int i = 0; i < 100; ++i) EXPECT_EQ(nlohmann::json::parse(lines[i])["status"], i);
    EXPECT_EQ((*log)->dropped(), 0u);
    AuditRecord last = Sample();
    last.status = 999;
    (*log)->Write(last);  // written by the destructor
  }
  auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_EQ(nlohmann::json::parse(lines.back())["status"], 999);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  std::filesystem::remove(path);
  EXPECT_FALSE(AuditLog::Open("/nonexistent-dir/audit.jsonl"));
  EXPECT_TRUE(AuditLog::Open("-"));
}

}  // namespace
}  // namespace registry_frontend::audit
