// The engine's direct path (direct_path.h): the flat-key Decide must decide exactly as the
// model::Context overload, take the direct path for the requests it covers, and leave the rest
// (errors included) to the general path. tests/differential compares it with the reference
// evaluator on random stores; these are the cases a random store does not reach.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy_engine/engine/engine.h"

namespace policy_engine::engine {
namespace {

constexpr char kRepo[] = "arn:aws:ecr:us-east-1:111122223333:repository/team/app";
constexpr char kSession[] = "arn:aws:sts::111122223333:assumed-role/Builder/build-7";

// A role whose sessions are named in a repository policy and tested through aws:userid and
// ${aws:userid}; a repository with a tag the identity policy conditions on.
constexpr char kStore[] = R"({
  "accounts": [{"id": "111122223333"}],
  "principals": [
    {"arn": "arn:aws:iam::111122223333:role/ci/Builder", "uniqueId": "AROAEXAMPLEBUILDER01",
     "tags": {"team": "blue"},
     "inlinePolicies": [{"name": "pull", "policy": {"Version": "2012-10-17", "Statement": [
       {"Sid": "OwnTeam", "Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
       {"Sid": "BuildSessionsPush", "Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*",
        "Condition": {"StringLike": {"aws:userid": "AROAEXAMPLEBUILDER01:build-*"}}},
       {"Sid": "NoOldClients", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:UserAgent": "old-client/1.0"}}}]}}]},
    {"arn": "arn:aws:iam::111122223333:user/alice", "tags": {"team": "red"},
     "inlinePolicies": [{"name": "pull", "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}]}}]}
  ],
  "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/team/app", "tags": {"team": "blue"},
     "policy": {"Version": "2012-10-17", "Statement": [
       {"Sid": "OneSession", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/Builder/release-1"},
        "Action": "ecr:BatchDeleteImage"}]}}
  ]
})";

class DirectPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = Engine::Create(kStore, EngineOptions{0});  // memo off: every call decides
    ASSERT_TRUE(e) << e.error().ToString();
    engine_ = std::move(*e);
  }
  // Decides through both overloads, checks they agree, and says whether the direct path decided.
  model::DecisionResult Both(const std::string& principal, const std::string& action,
                             const std::string& resource, const std::vector<RequestKey>& keys,
                             bool* direct) {
    model::Context context;
    for (const RequestKey& k : keys) context.SetSingle(std::string(k.name), std::string(k.value));
    model::DecisionResult general = engine_->Decide(principal, action, resource, context);
    uint64_t before = engine_->direct_count();
    model::DecisionResult flat = engine_->Decide(principal, action, resource, keys);
    *direct = engine_->direct_count() != before;
    EXPECT_EQ(flat.decision, general.decision) << principal << " " << action;
    EXPECT_EQ(flat.reason, general.reason);
    EXPECT_EQ(flat.matched.size(), general.matched.size());
    for (size_t i = 0; i < std::min(flat.matched.size(), general.matched.size()); ++i) {
      EXPECT_EQ(flat.matched[i].sid, general.matched[i].sid);
      EXPECT_EQ(flat.matched[i].role, general.matched[i].role);
    }
    return flat;
  }
  std::unique_ptr<Engine> engine_;
};

const std::vector<RequestKey> kKeys = {{"aws:SourceIp", "10.0.0.1"},
                                       {"aws:UserAgent", "skopeo/1.9.3"}};

TEST_F(DirectPathTest, RoleSessionsResolvePerRequest) {
  bool direct = false;
  // Principal tag from the role, resource tag from the repository (R146).
  auto pull = Both(kSession, "ecr:BatchGetImage", kRepo, kKeys, &direct);
  EXPECT_EQ(pull.decision, model::Decision::kAllow) << pull.reason;
  EXPECT_TRUE(direct);
  // aws:userid carries this request's session name (R105).
  auto push = Both(kSession, "ecr:PutImage", kRepo, kKeys, &direct);
  EXPECT_EQ(push.decision, model::Decision::kAllow) << push.reason;
  EXPECT_TRUE(direct);
  auto other = Both("arn:aws:sts::111122223333:assumed-role/Builder/deploy-7", "ecr:PutImage",
                    kRepo, kKeys, &direct);
  EXPECT_EQ(other.decision, model::Decision::kImplicitDeny);
  EXPECT_TRUE(direct);
  // The session ARN is matched against the repository policy's principal, with the role name
  // case-insensitive (R54) and the ARN rebuilt with the role's own spelling.
  auto named = Both("arn:aws:sts::111122223333:assumed-role/builder/release-1",
                    "ecr:BatchDeleteImage", kRepo, kKeys, &direct);
  EXPECT_EQ(named.decision, model::Decision::kAllow) << named.reason;
  EXPECT_TRUE(direct);
  auto unnamed = Both("arn:aws:sts::111122223333:assumed-role/Builder/release-2",
                      "ecr:BatchDeleteImage", kRepo, kKeys, &direct);
  EXPECT_EQ(unnamed.decision, model::Decision::kImplicitDeny);
}

TEST_F(DirectPathTest, CallerKeysWinOverDerivedOnes) {
  bool direct = false;
  // A caller-supplied aws:ResourceTag/team (any case) replaces the repository's tag (R62).
  auto r = Both("arn:aws:iam::111122223333:user/alice", "ecr:BatchGetImage", kRepo,
                {{"AWS:RESOURCETAG/team", "red"}}, &direct);
  EXPECT_EQ(r.decision, model::Decision::kAllow) << r.reason;
  EXPECT_TRUE(direct);
  auto deny =
      Both(kSession, "ecr:BatchGetImage", kRepo, {{"aws:useragent", "old-client/1.0"}}, &direct);
  EXPECT_EQ(deny.decision, model::Decision::kExplicitDeny);
  EXPECT_TRUE(direct);
}

TEST_F(DirectPathTest, UncoveredRequestsTakeTheGeneralPath) {
  bool direct = true;
  // A referenced key in two spellings (R63): the general path sends it to the reference
  // evaluator. (Keys no policy references are dropped on either path.)
  Both(kSession, "ecr:BatchGetImage", kRepo,
       {{"aws:UserAgent", "a"}, {"AWS:USERAGENT", "old-client/1.0"}}, &direct);
  EXPECT_FALSE(direct);
  // A repository the store does not know (R130), CreateRepository (R129), an action spelled
  // differently, a service principal.
  Both(kSession, "ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/other", kKeys,
       &direct);
  EXPECT_FALSE(direct);
  Both(kSession, "ecr:CreateRepository", kRepo, kKeys, &direct);
  EXPECT_FALSE(direct);
  Both(kSession, "ECR:BatchGetImage", kRepo, kKeys, &direct);
  EXPECT_FALSE(direct);
  Both("ecr.amazonaws.com", "ecr:BatchGetImage", kRepo, kKeys, &direct);
  EXPECT_FALSE(direct);
}

TEST_F(DirectPathTest, BadRequestsAreErrorsFromTheGeneralPath) {
  for (const char* principal :
       {"arn:aws:sts::111122223333:assumed-role/Builder/x",  // session name too short
        "arn:aws:sts::111122223333:assumed-role/Builder/a/b",
        "arn:aws:sts::111122223333:assumed-role/Nobody/s1",
        "arn:aws-cn:sts::111122223333:assumed-role/Builder/s1",
        "arn:aws:iam::111122223333:user/nobody"}) {
    auto r = engine_->Decide(principal, "ecr:BatchGetImage", kRepo, kKeys);
    EXPECT_TRUE(IsError(r)) << principal << ": " << r.reason;
    EXPECT_EQ(r.decision, model::Decision::kImplicitDeny);
  }
  // A wildcard-only action on a repository, a repository action on `*`.
  EXPECT_TRUE(IsError(engine_->Decide(kSession, "ecr:GetAuthorizationToken", kRepo, kKeys)));
  EXPECT_TRUE(IsError(engine_->Decide(kSession, "ecr:BatchGetImage", "*", kKeys)));
  EXPECT_EQ(engine_->direct_count(), 0u);
}

}  // namespace
}  // namespace policy_engine::engine
