#include "policy_engine/store/store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "policy_engine/driver/cases.h"

namespace policy_engine::store {
namespace {

using model::Decision;
using model::PolicyKind;
using model::PrincipalKind;

// A small store used by most tests: account A in an organization (two SCP levels, one RCP level),
// account B outside any organization, users alice (group, boundary) and bob, role ci, two
// repositories and a registry policy.
constexpr const char* kStore = R"json({
  "accounts": [
    {"id": "111122223333", "orgId": "o-a1b2c3d4e5", "orgPaths": ["o-a1b2c3d4e5/r-ab12/"],
     "scps": [
       [{"name": "FullAWSAccess",
         "policy": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}],
       [{"Statement": {"Effect": "Allow", "Action": ["ecr:*", "s3:*"], "Resource": "*"}}]],
     "rcps": [
       [{"name": "NoDeletes", "policy": {"Statement": {"Effect": "Deny", "Principal": "*",
          "Action": "ecr:DeleteRepository", "Resource": "*"}}}]]},
    {"id": "444455556666"}
  ],
  "managedPolicies": [
    {"arn": "arn:aws:iam::aws:policy/ReadOnly",
     "policy": {"Statement": {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}}},
    {"arn": "arn:aws:iam::111122223333:policy/Push",
     "policy": {"Statement": {"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"}}},
    {"arn": "arn:aws:iam::111122223333:policy/Boundary",
     "policy": {"Statement": {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}}}
  ],
  "groups": [
    {"account": "111122223333", "name": "devs",
     "inlinePolicies": [{"name": "login", "policy": {"Statement": {"Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken", "Resource": "*"}}}],
     "managedPolicies": ["arn:aws:iam::aws:policy/ReadOnly",
                         "arn:aws:iam::111122223333:policy/Push"]}
  ],
  "principals": [
    {"arn": "arn:aws:iam::111122223333:user/eng/alice", "uniqueId": "AIDAALICE00000000001",
     "tags": {"team": "payments", "Env": "dev"}, "groups": ["devs"],
     "inlinePolicies": [{"name": "own", "policy": {"Statement": {"Effect": "Allow",
        "Action": "s3:GetObject", "Resource": "*"}}}],
     "managedPolicies": ["arn:aws:iam::aws:policy/ReadOnly"],
     "permissionsBoundary": "arn:aws:iam::111122223333:policy/Boundary"},
    {"arn": "arn:aws:iam::111122223333:role/svc/ci", "uniqueId": "AROACIROLE0000000001",
     "tags": {"team": "platform"},
     "managedPolicies": ["arn:aws:iam::111122223333:policy/Push"]},
    {"arn": "arn:aws:iam::444455556666:user/bob"}
  ],
  "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app",
     "tags": {"team": "payments", "env": "prod", "Env": "Prod"},
     "policy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": "444455556666"},
        "Action": "ecr:BatchGetImage"}}},
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/plain"}
  ],
  "registries": [
    {"account": "111122223333", "region": "us-east-1",
     "policy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": "444455556666"},
        "Action": "ecr:ReplicateImage",
        "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/*"}}}
  ]
})json";

constexpr const char* kAlice = "arn:aws:iam::111122223333:user/eng/alice";
constexpr const char* kApp = "arn:aws:ecr:us-east-1:111122223333:repository/app";

const Store& TestStore() {
  static const Store* store = [] {
    auto s = Store::Load(kStore);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return new Store(std::move(*s));
  }();
  return *store;
}

// Reads a request line against the test store and completes its context.
StoreRequest Read(const std::string& line) {
  auto r = TestStore().ReadRequest(line);
  EXPECT_TRUE(r.has_value()) << r.error().ToString() << "\n" << line;
  if (!r) return {};
  TestStore().CompleteContext(*r);
  return std::move(*r);
}

std::string Line(std::string_view principal, std::string_view action, std::string_view resource,
                 std::string_view extra = "") {
  return R"({"id":"t","principal":")" + std::string(principal) + R"(","action":")" +
         std::string(action) + R"(","resource":")" + std::string(resource) + "\"" +
         std::string(extra) + "}";
}

std::optional<std::string> Single(const model::Context& c, std::string_view key) {
  return c.SingleValue(key);
}

std::vector<std::string> Names(const std::vector<eval::PolicyRef>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.name);
  return out;
}

Status LoadError(const std::string& text) {
  auto s = Store::Load(text);
  EXPECT_FALSE(s.has_value()) << text;
  return s ? Status::Ok() : s.error();
}

// Replaces the first occurrence of `from` in the test store.
std::string Patched(std::string_view from, std::string_view to) {
  std::string s = kStore;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

TEST(StoreLoadTest, LoadsTheTestStore) {
  const Store& s = TestStore();
  EXPECT_EQ(s.accounts().size(), 2u);
  EXPECT_EQ(s.entities().size(), 3u);
  EXPECT_EQ(s.groups().size(), 1u);
  EXPECT_EQ(s.managed_policies().size(), 3u);
  EXPECT_EQ(s.repositories().size(), 2u);
  EXPECT_EQ(s.registries().size(), 1u);
  const Entity& alice = s.entities().at(kAlice);
  EXPECT_EQ(alice.kind, PrincipalKind::kUser);
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(alice.account, "111122223333");
  EXPECT_EQ(alice.inline_policies[0].name, std::string(kAlice) + "#own");
  const Repository& app = s.repositories().at(kApp);
  EXPECT_EQ(app.name, "app");
  EXPECT_EQ(app.region, "us-east-1");
  ASSERT_TRUE(app.policy.has_value());
  EXPECT_EQ(app.policy->policy->kind, PolicyKind::kRepository);
  EXPECT_EQ(s.registries()[0].policy.policy->kind, PolicyKind::kRegistry);
  const Account& a = s.accounts().at("111122223333");
  ASSERT_EQ(a.scp_levels.size(), 2u);
  EXPECT_EQ(a.scp_levels[0][0].name, "FullAWSAccess");
  EXPECT_EQ(a.scp_levels[1][0].name, "scp[1][0]");
  EXPECT_EQ(a.scp_levels[1][0].policy->kind, PolicyKind::kScp);
  EXPECT_EQ(a.rcp_levels[0][0].policy->kind, PolicyKind::kRcp);
}

TEST(StoreLoadTest, UsedBoundaryIsParsedAsABoundary) {
  const auto& m = TestStore().managed_policies();
  const ManagedPolicy& b = m.at("arn:aws:iam::111122223333:policy/Boundary");
  ASSERT_NE(b.boundary, nullptr);
  EXPECT_EQ(b.boundary->kind, PolicyKind::kPermissionsBoundary);
  EXPECT_EQ(b.policy->kind, PolicyKind::kIdentity);
  EXPECT_EQ(m.at("arn:aws:iam::111122223333:policy/Push").boundary, nullptr);
  EXPECT_TRUE(m.at("arn:aws:iam::aws:policy/ReadOnly").aws_managed);
}

TEST(StoreLoadTest, GeneratesStableUniqueIds) {
  const Entity& bob = TestStore().entities().at("arn:aws:iam::444455556666:user/bob");
  EXPECT_EQ(bob.unique_id.size(), 21u);
  EXPECT_TRUE(bob.unique_id.starts_with("AIDA")) << bob.unique_id;
  auto again = Store::Load(kStore);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->entities().at("arn:aws:iam::444455556666:user/bob").unique_id, bob.unique_id);
}

TEST(StoreLoadTest, AnEmptyStoreIsValid) { EXPECT_TRUE(Store::Load("{}").has_value()); }

TEST(StoreLoadTest, ReportsJsonErrorsWithLineAndColumn) {
  Status e = LoadError("{\n  \"accounts\": [,]\n}");
  EXPECT_EQ(e.code(), "JSON_SYNTAX_ERROR");
  EXPECT_EQ(e.location().line, 2u);
  EXPECT_EQ(e.location().column, 16u);
  EXPECT_EQ(LoadError("[]").code(), "STORE_SYNTAX");
  EXPECT_EQ(LoadError(R"({"accounts": [{"id": "111122223333"}], "accounts": []})").code(),
            "JSON_DUPLICATE_KEY");
}

TEST(StoreLoadTest, RejectsUnknownFieldsAtTheirName) {
  Status e = LoadError("{\n  \"acounts\": []\n}");
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_FIELD");
  EXPECT_EQ(e.location().pointer, "/acounts");
  EXPECT_EQ(e.location().line, 2u);
  EXPECT_EQ(e.location().column, 3u);
  EXPECT_NE(e.message().find("`acounts`"), std::string::npos) << e.message();

  e = LoadError(Patched("\"permissionsBoundary\"", "\"permissionBoundary\""));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_FIELD");
  EXPECT_EQ(e.location().pointer, "/principals/0/permissionBoundary");
  EXPECT_EQ(e.location().line, 34u);
  EXPECT_EQ(e.location().column, 6u);

  e = LoadError(Patched(R"({"name": "login", "policy")", R"({"name": "login", "polcy")"));
  EXPECT_EQ(e.code(), "STORE_MISSING_FIELD");  // no `policy`: needs the entry form
  EXPECT_EQ(e.location().pointer, "/groups/0/inlinePolicies/0");

  e = LoadError(Patched(R"({"name": "NoDeletes", )", R"({"name": "NoDeletes", "nmae": "x", )"));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_FIELD");
  EXPECT_EQ(e.location().pointer, "/accounts/0/rcps/0/0/nmae");
}

// Repository settings (ECR's CreateRepository names) are carried verbatim for the front end;
// only their JSON type is checked here.
TEST(StoreLoadTest, CarriesRepositorySettingsForTheFrontEnd) {
  const char* doc = R"({"accounts": [{"id": "111122223333"}], "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app", "imageTagMutability": "IMMUTABLE",
     "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "dev-*"}]},
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/web"}]})";
  auto store = Store::Load(doc);
  ASSERT_TRUE(store) << store.error().ToString();
  const auto& repos = store->repositories();
  EXPECT_EQ(repos.at("arn:aws:ecr:us-east-1:111122223333:repository/app").registry_settings,
            R"({"imageTagMutability":"IMMUTABLE","imageTagMutabilityExclusionFilters":)"
            R"([{"filterType": "WILDCARD", "filter": "dev-*"}]})");
  EXPECT_EQ(repos.at("arn:aws:ecr:us-east-1:111122223333:repository/web").registry_settings, "");
  Status e = LoadError(R"({"accounts": [{"id": "111122223333"}], "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app", "imageTagMutability": true}]})");
  EXPECT_EQ(e.code(), "STORE_SYNTAX");
  EXPECT_EQ(e.location().pointer, "/repositories/0/imageTagMutability");
  e = LoadError(R"({"accounts": [{"id": "111122223333"}], "repositories": [
    {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app", "imageScanning": {}}]})");
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_FIELD");
}

TEST(StoreLoadTest, RejectsMissingAndMalformedFields) {
  Status e = LoadError(R"({"accounts": [{"orgId": "o-a1b2c3d4e5"}]})");
  EXPECT_EQ(e.code(), "STORE_MISSING_FIELD");
  EXPECT_EQ(e.location().pointer, "/accounts/0");
  e = LoadError(R"({"accounts": [{"id": "1111"}]})");
  EXPECT_EQ(e.code(), "STORE_SYNTAX");
  EXPECT_EQ(e.location().pointer, "/accounts/0/id");
  EXPECT_EQ(e.location().column, 22u);
  EXPECT_EQ(LoadError(R"({"accounts": [{"id": 111122223333}]})").code(), "STORE_SYNTAX");
  EXPECT_EQ(LoadError(R"({"accounts": {}})").code(), "STORE_SYNTAX");
  EXPECT_EQ(LoadError(R"({"accounts": [{"id": "111122223333", "orgId": "org-1"}]})").code(),
            "STORE_SYNTAX");
  e = LoadError(R"({"accounts": [{"id": "111122223333", "orgId": "o-a1b2c3d4e5",
                   "orgPaths": ["o-other00000/r-ab12/"]}]})");
  EXPECT_EQ(e.location().pointer, "/accounts/0/orgPaths/0");
  e = LoadError(R"({"accounts": [{"id": "111122223333", "scps": [[]]}]})");
  EXPECT_EQ(e.code(), "STORE_MISSING_FIELD");  // SCPs need an organization
  EXPECT_EQ(e.location().pointer, "/accounts/0/scps");
  e = LoadError(R"({"accounts": [{"id": "111122223333", "orgId": "o-a1b2c3d4e5",
                   "scps": [{"Statement": []}]}]})");
  EXPECT_EQ(e.code(), "STORE_SYNTAX");  // levels must be arrays
  EXPECT_EQ(e.location().pointer, "/accounts/0/scps/0");
  e = LoadError(Patched(R"("arn": "arn:aws:ecr:us-east-1:111122223333:repository/plain")",
                        R"("arn": "arn:aws:ecr:us-east-1:111122223333:repository/Plain")"));
  EXPECT_EQ(e.code(), "STORE_SYNTAX");
  EXPECT_EQ(e.location().pointer, "/repositories/1/arn");
  e = LoadError(Patched(R"("arn": "arn:aws:iam::444455556666:user/bob")",
                        R"("arn": "arn:aws:sts::444455556666:assumed-role/r/s")"));
  EXPECT_EQ(e.code(), "STORE_SYNTAX");
  EXPECT_EQ(e.location().pointer, "/principals/2/arn");
  e = LoadError(
      Patched(R"("uniqueId": "AROACIROLE0000000001")", R"("uniqueId": "AIDAX0000000000000001")"));
  EXPECT_EQ(e.code(), "STORE_SYNTAX");  // a role id starts with AROA
  EXPECT_EQ(e.location().pointer, "/principals/1/uniqueId");
}

TEST(StoreLoadTest, RejectsBadTags) {
  Status e = LoadError(Patched(R"("tags": {"team": "platform"})", R"("tags": {"aws:team": "x"})"));
  EXPECT_EQ(e.code(), "STORE_SYNTAX");
  EXPECT_EQ(e.location().pointer, "/principals/1/tags/aws:team");
  // IAM tag keys are unique ignoring case; ECR tag keys are not (the test store's `app` has
  // both `env` and `Env`, R63).
  e = LoadError(
      Patched(R"("tags": {"team": "platform"})", R"("tags": {"team": "platform", "Team": "x"})"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/principals/1/tags/Team");
  e = LoadError(Patched(R"("tags": {"team": "platform"})", R"("tags": {"team": 1})"));
  EXPECT_EQ(e.location().pointer, "/principals/1/tags/team");
}

TEST(StoreLoadTest, RejectsDanglingReferences) {
  Status e = LoadError(Patched(R"("groups": ["devs"])", R"("groups": ["devz"])"));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_REFERENCE");
  EXPECT_EQ(e.location().pointer, "/principals/0/groups/0");
  EXPECT_NE(e.message().find("`devz`"), std::string::npos);

  e = LoadError(Patched(R"("managedPolicies": ["arn:aws:iam::aws:policy/ReadOnly"],)",
                        R"("managedPolicies": ["arn:aws:iam::aws:policy/ReadOnIy"],)"));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_REFERENCE");
  EXPECT_EQ(e.location().pointer, "/principals/0/managedPolicies/0");

  e = LoadError(Patched(R"("permissionsBoundary": "arn:aws:iam::111122223333:policy/Boundary")",
                        R"("permissionsBoundary": "arn:aws:iam::111122223333:policy/Bound")"));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_REFERENCE");
  EXPECT_EQ(e.location().pointer, "/principals/0/permissionsBoundary");
  EXPECT_EQ(e.location().line, 34u);
  EXPECT_EQ(e.location().column, 29u);

  e = LoadError(Patched(R"({"arn": "arn:aws:iam::444455556666:user/bob"})",
                        R"({"arn": "arn:aws:iam::999999999999:user/bob"})"));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_REFERENCE");  // the account must be declared
  EXPECT_EQ(e.location().pointer, "/principals/2/arn");

  e = LoadError(Patched(R"({"account": "111122223333", "name": "devs",)",
                        R"({"account": "111122223334", "name": "devs",)"));
  EXPECT_EQ(e.code(), "STORE_UNKNOWN_REFERENCE");
  EXPECT_EQ(e.location().pointer, "/groups/0/account");
}

TEST(StoreLoadTest, RejectsReferencesThatCannotBeUsedThere) {
  // A customer managed policy of account A cannot be attached to bob in account B.
  Status e = LoadError(Patched(R"({"arn": "arn:aws:iam::444455556666:user/bob"})",
                               R"({"arn": "arn:aws:iam::444455556666:user/bob",
                  "managedPolicies": ["arn:aws:iam::111122223333:policy/Push"]})"));
  EXPECT_EQ(e.code(), "STORE_INVALID_REFERENCE");
  EXPECT_EQ(e.location().pointer, "/principals/2/managedPolicies/0");
  // Roles do not belong to groups.
  e = LoadError(Patched(R"("tags": {"team": "platform"},)",
                        R"("tags": {"team": "platform"}, "groups": ["devs"],)"));
  EXPECT_EQ(e.code(), "STORE_INVALID_REFERENCE");
  EXPECT_EQ(e.location().pointer, "/principals/1/groups");
}

TEST(StoreLoadTest, RejectsDuplicates) {
  Status e = LoadError(Patched(R"({"id": "444455556666"})", R"({"id": "111122223333"})"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/accounts/1/id");
  e = LoadError(Patched(R"("arn:aws:iam::111122223333:role/svc/ci")",
                        R"("arn:aws:iam::111122223333:user/eng/alice")"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/principals/1/arn");
  // Same name on another path: IAM names are unique ignoring case and path.
  e = LoadError(Patched(R"({"arn": "arn:aws:iam::444455556666:user/bob"})",
                        R"({"arn": "arn:aws:iam::444455556666:user/bob"},
                           {"arn": "arn:aws:iam::444455556666:user/ops/BOB"})"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/principals/3/arn");
  e = LoadError(
      Patched(R"("uniqueId": "AROACIROLE0000000001")",
              R"("uniqueId": "AROACIROLE0000000001"}, {"arn": "arn:aws:iam::111122223333:role/x", )"
              R"("uniqueId": "AROACIROLE0000000001")"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  e = LoadError(Patched(R"({"arn": "arn:aws:ecr:us-east-1:111122223333:repository/plain"})",
                        R"({"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app"})"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/repositories/1/arn");
  e = LoadError(Patched(R"("managedPolicies": ["arn:aws:iam::aws:policy/ReadOnly",)",
                        R"("managedPolicies": ["arn:aws:iam::111122223333:policy/Push",)"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/groups/0/managedPolicies/1");
  e = LoadError(Patched(R"("registries": [)",
                        R"("registries": [{"account": "111122223333", "region": "us-east-1",
                           "policy": {"Statement": []}},)"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/registries/1/region");
  e = LoadError(
      Patched(R"([{"name": "own", "policy")",
              R"([{"name": "own", "policy": {"Statement": []}}, {"name": "own", "policy")"));
  EXPECT_EQ(e.code(), "STORE_DUPLICATE");
  EXPECT_EQ(e.location().pointer, "/principals/0/inlinePolicies/1/name");
}

TEST(StoreLoadTest, ParsesEveryPolicyWithItsKind) {
  // Identity policy (managed): Effect spelled wrong.
  Status e = LoadError(Patched(R"("Effect": "Allow", "Action": "ecr:PutImage")",
                               R"("Effect": "allow", "Action": "ecr:PutImage")"));
  EXPECT_EQ(e.code(), "INVALID_EFFECT");
  EXPECT_EQ(e.location().pointer, "/managedPolicies/1/policy/Statement/Effect");
  EXPECT_EQ(e.location().line, 17u);
  EXPECT_EQ(e.location().column, 41u);  // the value `"allow"`
  // SCP: no Principal.
  e = LoadError(Patched(
      R"({"Statement": {"Effect": "Allow", "Action": ["ecr:*", "s3:*"])",
      R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": ["ecr:*", "s3:*"])"));
  EXPECT_EQ(e.code(), "UNSUPPORTED_PRINCIPAL");
  EXPECT_EQ(e.location().pointer, "/accounts/0/scps/1/0/Statement/Principal");
  // RCP: Allow only in the full-access statement.
  e = LoadError(Patched(R"("Statement": {"Effect": "Deny", "Principal": "*",)",
                        R"("Statement": {"Effect": "Allow", "Principal": "*",)"));
  EXPECT_EQ(e.code(), "RCP_ALLOW_NOT_SUPPORTED");
  EXPECT_EQ(e.location().pointer, "/accounts/0/rcps/0/0/policy/Statement/Effect");
  // Repository policy: no Resource (R24).
  e = LoadError(Patched(R"("Action": "ecr:BatchGetImage"}}},)",
                        R"("Action": "ecr:BatchGetImage", "Resource": "*"}}},)"));
  EXPECT_EQ(e.code(), "ECR_REPO_POLICY_HAS_RESOURCE");
  EXPECT_EQ(e.location().pointer, "/repositories/0/policy/Statement/Resource");
  // Registry policy: Resource required.
  e = LoadError(Patched(R"("Action": "ecr:ReplicateImage",
        "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/*"}}})",
                        R"("Action": "ecr:ReplicateImage"}}})"));
  EXPECT_EQ(e.code(), "MISSING_RESOURCE");
  EXPECT_EQ(e.location().pointer, "/registries/0/policy/Statement");
  // Identity policy (inline): no Principal.
  e = LoadError(
      Patched(R"("Action": "s3:GetObject")", R"("Principal": "*", "Action": "s3:GetObject")"));
  EXPECT_EQ(e.code(), "UNSUPPORTED_PRINCIPAL");
  EXPECT_EQ(e.location().pointer, "/principals/0/inlinePolicies/0/policy/Statement/Principal");
}

// A customer managed policy over 6,144 characters (R32); the same text is fine as an AWS managed
// policy, which IAM exempts.
TEST(StoreLoadTest, EnforcesSizeLimitsExceptForAwsManagedPolicies) {
  std::string actions;
  for (int i = 0; i < 400; ++i)
    actions += (i ? ",\"ecr:Action" : "\"ecr:Action") + std::to_string(i) + "\"";
  std::string big =
      R"({"Statement": {"Effect": "Allow", "Action": [)" + actions + R"(], "Resource": "*"}})";
  std::string customer = R"({"accounts": [{"id": "111122223333"}], "managedPolicies": [
      {"arn": "arn:aws:iam::111122223333:policy/Big", "policy": )" +
                         big + "}]}";
  Status e = LoadError(customer);
  EXPECT_EQ(e.code(), "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA");
  EXPECT_EQ(e.location().pointer, "/managedPolicies/0/policy");
  std::string aws = R"({"managedPolicies": [
      {"arn": "arn:aws:iam::aws:policy/Big", "policy": )" +
                    big + "}]}";
  EXPECT_TRUE(Store::Load(aws).has_value());
}

// R32: inline policies count against an aggregate per user (2,048) or role (10,240).
TEST(StoreLoadTest, EnforcesTheAggregateInlineQuota) {
  std::string actions;
  for (int i = 0; i < 150; ++i)
    actions += (i ? ",\"ecr:Action" : "\"ecr:Action") + std::to_string(i) + "\"";
  std::string doc =
      R"({"Statement": {"Effect": "Allow", "Action": [)" + actions + R"(], "Resource": "*"}})";
  auto store = [&](const std::string& arn) {
    return R"({"accounts": [{"id": "111122223333"}], "principals": [{"arn": ")" + arn +
           R"(", "inlinePolicies": [{"name": "a", "policy": )" + doc + "}]}]}";
  };
  Status e = LoadError(store("arn:aws:iam::111122223333:user/u"));
  EXPECT_EQ(e.code(), "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA");
  EXPECT_EQ(e.location().pointer, "/principals/0/inlinePolicies");
  EXPECT_TRUE(Store::Load(store("arn:aws:iam::111122223333:role/r")).has_value());
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

TEST(StoreRequestTest, ResolvesUsers) {
  StoreRequest r = Read(Line(kAlice, "ecr:BatchGetImage", kApp));
  EXPECT_EQ(r.id_json, "\"t\"");
  EXPECT_EQ(r.request.principal.kind, PrincipalKind::kUser);
  EXPECT_EQ(r.request.principal.unique_id, "AIDAALICE00000000001");
  EXPECT_EQ(r.request.resource_account, "111122223333");
}

TEST(StoreRequestTest, ResolvesSessionsOfKnownRolesIgnoringRoleNameCase) {
  StoreRequest r =
      Read(Line("arn:aws:sts::111122223333:assumed-role/CI/run-1", "ecr:PutImage", kApp));
  const model::Principal& p = r.request.principal;
  EXPECT_EQ(p.kind, PrincipalKind::kAssumedRole);
  EXPECT_EQ(p.arn, "arn:aws:sts::111122223333:assumed-role/ci/run-1");  // R54: role's spelling
  EXPECT_EQ(p.role_arn, "arn:aws:iam::111122223333:role/svc/ci");       // with its path
  EXPECT_EQ(p.role_name, "ci");
  EXPECT_EQ(p.session_name, "run-1");
  EXPECT_EQ(p.unique_id, "AROACIROLE0000000001");
}

TEST(StoreRequestTest, ReportsUnknownPrincipals) {
  auto r = TestStore().ReadRequest(
      Line("arn:aws:iam::111122223333:user/mallory", "ecr:BatchGetImage", kApp));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), "UNKNOWN_PRINCIPAL");
  EXPECT_EQ(r.error().location().pointer, "/principal");
  EXPECT_EQ(r.error().location().column, 23u);
  for (const char* p :
       {"arn:aws:sts::111122223333:assumed-role/nobody/s1", "arn:aws:iam::111122223333:role/nobody",
        "arn:aws:iam::999999999999:root", "arn:aws:sts::111122223333:federated-user/fed",
        // A user ARN must match exactly, path included.
        "arn:aws:iam::111122223333:user/alice"}) {
    auto e = TestStore().ReadRequest(Line(p, "ecr:BatchGetImage", kApp));
    ASSERT_FALSE(e.has_value()) << p;
    EXPECT_EQ(e.error().code(), "UNKNOWN_PRINCIPAL") << p;
  }
}

TEST(StoreRequestTest, RejectsMalformedRequests) {
  struct Bad {
    std::string line;
    std::string code;
    std::string pointer;
  };
  const std::string bob = "arn:aws:iam::444455556666:user/bob";
  const std::string ci = "arn:aws:sts::111122223333:assumed-role/ci/s1";
  const Bad cases[] = {
      {"[]", "BAD_REQUEST", ""},
      {Line(kAlice, "ecr:BatchGetImage", kApp, R"(,"contxt":{})"), "BAD_REQUEST", "/contxt"},
      {R"({"principal":"anonymous","action":"ecr:BatchGetImage"})", "BAD_REQUEST", ""},
      {Line("alice", "ecr:BatchGetImage", kApp), "BAD_REQUEST", "/principal"},
      {Line(kAlice, "ecr:*", kApp), "BAD_REQUEST", "/action"},
      {Line(kAlice, "ecr:BatchGetImagez", kApp), "UNKNOWN_ACTION", "/action"},
      {Line(kAlice, "ecr:GetAuthorizationToken", kApp), "RESOURCE_TYPE_MISMATCH", "/resource"},
      {Line(kAlice, "ecr:BatchGetImage", "*"), "RESOURCE_TYPE_MISMATCH", "/resource"},
      {Line(kAlice, "s3:GetObject", "bucket/key"), "BAD_REQUEST", "/resource"},
      {Line(kAlice, "ecr:BatchGetImage", kApp, R"(,"context":{"aws:a/b":1})"), "BAD_REQUEST",
       "/context/aws:a~1b"},
      {Line(bob, "ecr:BatchGetImage", kApp, R"(,"sessionTags":{"team":"x"})"), "BAD_REQUEST",
       "/sessionTags"},
      {Line(bob, "ecr:BatchGetImage", kApp, R"(,"sessionPolicy":{"Statement":[]})"), "BAD_REQUEST",
       "/sessionPolicy"},
      {Line(ci, "ecr:BatchGetImage", kApp,
            R"(,"sessionPolicy":{"Statement":{"Effect":"Allow","Action":"ecr:*"}})"),
       "MISSING_RESOURCE", "/sessionPolicy/Statement"},
      {Line(ci, "ecr:BatchGetImage", kApp,
            R"(,"sessionPolicy":{"name":"p","policy":{"Statement":{"Effect":"Allow",)"
            R"("Action":"ecr:*","Resource":"*","Principal":"*"}}})"),
       "UNSUPPORTED_PRINCIPAL", "/sessionPolicy/policy/Statement/Principal"},
      {Line(ci, "ecr:BatchGetImage", kApp, R"(,"sessionTags":{"aws:x":"y"})"), "BAD_REQUEST",
       "/sessionTags/aws:x"},
      {Line("arn:aws:sts::111122223333:assumed-role/ci/s", "ecr:BatchGetImage", kApp),
       "BAD_REQUEST", "/principal"},  // session names have at least 2 characters
  };
  for (const Bad& b : cases) {
    auto r = TestStore().ReadRequest(b.line);
    ASSERT_FALSE(r.has_value()) << b.line;
    EXPECT_EQ(r.error().code(), b.code) << b.line << "\n" << r.error().ToString();
    EXPECT_EQ(r.error().location().pointer, b.pointer) << b.line;
    EXPECT_EQ(r.error().location().line, 1u) << b.line;
  }
}

TEST(StoreRequestTest, PrepareKeepsTheIdOfLinesInError) {
  PreparedRequest p = TestStore().Prepare(
      Line("arn:aws:iam::111122223333:user/nobody", "ecr:BatchGetImage", kApp), 7);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.id_json, "\"t\"");
  EXPECT_TRUE(p.error.starts_with("line 7: UNKNOWN_PRINCIPAL: /principal (line 1, column 23): "))
      << p.error;
  p = TestStore().Prepare("{oops", 2);
  EXPECT_TRUE(p.error.starts_with("line 2: JSON_SYNTAX_ERROR")) << p.error;
  EXPECT_EQ(p.id_json, "null");
  p = TestStore().Prepare(Line(kAlice, "ecr:BatchGetImage", kApp), 1);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.request.context.SingleValue("aws:username"), "alice");
  EXPECT_FALSE(p.policies.identity.empty());
}

// ---------------------------------------------------------------------------------------------
// Policy sets (R107)
// ---------------------------------------------------------------------------------------------

TEST(StorePolicySetTest, GathersUserGroupAndBoundaryPolicies) {
  eval::PolicySet set = TestStore().PolicySetFor(Read(Line(kAlice, "ecr:BatchGetImage", kApp)));
  // Own inline, own managed, then the group's inline and managed; ReadOnly is attached both
  // directly and through the group and counts once.
  EXPECT_EQ(
      Names(set.identity),
      (std::vector<std::string>{std::string(kAlice) + "#own", "arn:aws:iam::aws:policy/ReadOnly",
                                "arn:aws:iam::111122223333:group/devs#login",
                                "arn:aws:iam::111122223333:policy/Push"}));
  ASSERT_EQ(set.boundary.size(), 1u);
  EXPECT_EQ(set.boundary[0].name, "arn:aws:iam::111122223333:policy/Boundary");
  EXPECT_EQ(set.boundary[0].policy->kind, PolicyKind::kPermissionsBoundary);
  EXPECT_FALSE(set.session.has_value());
  ASSERT_EQ(set.scp_levels.size(), 2u);
  EXPECT_EQ(set.scp_levels[0][0].name, "FullAWSAccess");
  ASSERT_EQ(set.rcp_levels.size(), 1u);
  EXPECT_EQ(Names(set.resource),
            (std::vector<std::string>{kApp, "registry:111122223333:us-east-1"}));
}

TEST(StorePolicySetTest, GathersRolePoliciesAndTheSessionPolicyForSessions) {
  eval::PolicySet set = TestStore().PolicySetFor(
      Read(Line("arn:aws:sts::111122223333:assumed-role/ci/s1", "ecr:PutImage", kApp,
                R"(,"sessionPolicy":{"Statement":{"Effect":"Allow","Action":"ecr:*",)"
                R"("Resource":"*"}})")));
  EXPECT_EQ(Names(set.identity),
            (std::vector<std::string>{"arn:aws:iam::111122223333:policy/Push"}));
  EXPECT_TRUE(set.boundary.empty());
  ASSERT_TRUE(set.session.has_value());
  EXPECT_EQ(Names(*set.session), (std::vector<std::string>{"session"}));
  EXPECT_EQ((*set.session)[0].policy->kind, PolicyKind::kSession);
  EXPECT_EQ(set.scp_levels.size(), 2u);
}

TEST(StorePolicySetTest, UsesThePrincipalsAccountForScpsAndTheResourcesForRcps) {
  // bob's account is in no organization: no SCPs; the repository's account has RCPs.
  eval::PolicySet set = TestStore().PolicySetFor(
      Read(Line("arn:aws:iam::444455556666:user/bob", "ecr:BatchGetImage", kApp)));
  EXPECT_TRUE(set.scp_levels.empty());
  EXPECT_EQ(set.rcp_levels.size(), 1u);
  EXPECT_TRUE(set.identity.empty());
}

TEST(StorePolicySetTest, SkipsScpsAndRcpsOfTheManagementAccount) {
  auto s = Store::Load(Patched(R"("orgPaths": ["o-a1b2c3d4e5/r-ab12/"],)",
                               R"("orgPaths": ["o-a1b2c3d4e5/r-ab12/"], "management": true,)"));
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  auto r = s->ReadRequest(Line(kAlice, "ecr:BatchGetImage", kApp));
  ASSERT_TRUE(r.has_value());
  eval::PolicySet set = s->PolicySetFor(*r);
  EXPECT_TRUE(set.scp_levels.empty());
  EXPECT_TRUE(set.rcp_levels.empty());
}

TEST(StorePolicySetTest, WildcardOnlyActionsHaveNoResourcePoliciesOrRcps) {
  eval::PolicySet set =
      TestStore().PolicySetFor(Read(Line(kAlice, "ecr:GetAuthorizationToken", "*")));
  EXPECT_TRUE(set.resource.empty());
  EXPECT_TRUE(set.rcp_levels.empty());
  EXPECT_EQ(set.scp_levels.size(), 2u);
}

TEST(StorePolicySetTest, ServicePrincipalsGetNoIdentityPoliciesOrScps) {
  eval::PolicySet set =
      TestStore().PolicySetFor(Read(Line("codebuild.amazonaws.com", "ecr:BatchGetImage", kApp)));
  EXPECT_TRUE(set.identity.empty());
  EXPECT_TRUE(set.scp_levels.empty());
  EXPECT_EQ(set.rcp_levels.size(), 1u);
  EXPECT_EQ(set.resource.size(), 2u);
}

// R130: an unknown repository has no repository policy, but its registry's policy still applies.
TEST(StorePolicySetTest, UnknownRepositoryGetsOnlyTheRegistryPolicy) {
  eval::PolicySet set = TestStore().PolicySetFor(Read(
      Line(kAlice, "ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/missing")));
  EXPECT_EQ(Names(set.resource), (std::vector<std::string>{"registry:111122223333:us-east-1"}));
  set = TestStore().PolicySetFor(Read(
      Line(kAlice, "ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:111122223333:repository/missing")));
  EXPECT_TRUE(set.resource.empty());  // no registry policy in eu-west-1
}

// R129: CreateRepository consults no repository policy, even when the name is taken.
TEST(StorePolicySetTest, CreateRepositoryConsultsOnlyTheRegistryPolicy) {
  eval::PolicySet set = TestStore().PolicySetFor(Read(Line(kAlice, "ecr:CreateRepository", kApp)));
  EXPECT_EQ(Names(set.resource), (std::vector<std::string>{"registry:111122223333:us-east-1"}));
}

// ---------------------------------------------------------------------------------------------
// Context (R105, R146)
// ---------------------------------------------------------------------------------------------

TEST(StoreContextTest, DerivesUserKeys) {
  const model::Context c = Read(Line(kAlice, "ecr:BatchGetImage", kApp)).request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalArn"), kAlice);
  EXPECT_EQ(Single(c, "aws:PrincipalAccount"), "111122223333");
  EXPECT_EQ(Single(c, "aws:PrincipalType"), "User");
  EXPECT_EQ(Single(c, "aws:userid"), "AIDAALICE00000000001");
  EXPECT_EQ(Single(c, "aws:username"), "alice");
  EXPECT_EQ(Single(c, "aws:PrincipalTag/team"), "payments");
  EXPECT_EQ(Single(c, "aws:principaltag/env"), "dev");  // key names ignore case (R62)
  EXPECT_EQ(Single(c, "aws:PrincipalOrgID"), "o-a1b2c3d4e5");
  const model::ContextValue* paths = c.Find("aws:PrincipalOrgPaths");
  ASSERT_NE(paths, nullptr);
  EXPECT_TRUE(paths->multi);
  EXPECT_EQ(paths->values, std::vector<std::string>{"o-a1b2c3d4e5/r-ab12/"});
  EXPECT_EQ(Single(c, "aws:PrincipalIsAWSService"), "false");
  EXPECT_EQ(c.Find("aws:PrincipalServiceName"), nullptr);
}

TEST(StoreContextTest, DerivesResourceKeysForExistingRepositories) {
  const model::Context c = Read(Line(kAlice, "ecr:BatchGetImage", kApp)).request.context;
  EXPECT_EQ(Single(c, "aws:ResourceAccount"), "111122223333");
  EXPECT_EQ(Single(c, "aws:ResourceOrgID"), "o-a1b2c3d4e5");
  ASSERT_NE(c.Find("aws:ResourceOrgPaths"), nullptr);
  EXPECT_EQ(Single(c, "aws:RequestedRegion"), "us-east-1");
  EXPECT_EQ(Single(c, "aws:ResourceTag/team"), "payments");
  EXPECT_EQ(Single(c, "ecr:ResourceTag/team"), "payments");  // R140
  // R63: `env` and `Env` are distinct ECR tags; the exact spelling wins.
  EXPECT_EQ(Single(c, "aws:ResourceTag/env"), "prod");
  EXPECT_EQ(Single(c, "aws:ResourceTag/Env"), "Prod");
  EXPECT_EQ(Single(c, "ecr:ResourceTag/ENV"), "Prod");  // smallest spelling: "Env" < "env"
}

TEST(StoreContextTest, DerivesNoResourceTagsForCreateRepositoryOrUnknownRepositories) {
  model::Context c = Read(Line(kAlice, "ecr:CreateRepository", kApp)).request.context;
  EXPECT_EQ(c.Find("aws:ResourceTag/team"), nullptr);  // R129
  EXPECT_EQ(Single(c, "aws:ResourceAccount"), "111122223333");
  c = Read(Line(kAlice, "ecr:BatchGetImage",
                "arn:aws:ecr:us-east-1:111122223333:repository/missing"))
          .request.context;
  EXPECT_EQ(c.Find("ecr:ResourceTag/team"), nullptr);  // R130
  EXPECT_EQ(Single(c, "aws:ResourceAccount"), "111122223333");
}

TEST(StoreContextTest, DerivesNoResourceKeysForWildcardOnlyActions) {
  const model::Context c = Read(Line(kAlice, "ecr:GetAuthorizationToken", "*")).request.context;
  EXPECT_EQ(c.Find("aws:ResourceAccount"), nullptr);
  EXPECT_EQ(c.Find("aws:RequestedRegion"), nullptr);
  EXPECT_EQ(Single(c, "aws:PrincipalAccount"), "111122223333");
}

TEST(StoreContextTest, DerivesSessionKeys) {
  const model::Context c =
      Read(Line("arn:aws:sts::111122223333:assumed-role/ci/run-1", "ecr:PutImage", kApp,
                R"(,"sessionTags":{"TEAM":"payments","stage":"canary"})"))
          .request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalArn"), "arn:aws:iam::111122223333:role/svc/ci");  // R105
  EXPECT_EQ(Single(c, "aws:PrincipalType"), "AssumedRole");
  EXPECT_EQ(Single(c, "aws:userid"), "AROACIROLE0000000001:run-1");
  EXPECT_EQ(c.Find("aws:username"), nullptr);
  // Session tags override the role's tags ignoring key case (R146).
  EXPECT_EQ(Single(c, "aws:PrincipalTag/team"), "payments");
  EXPECT_EQ(Single(c, "aws:PrincipalTag/stage"), "canary");
}

TEST(StoreContextTest, DerivesKeysForARoleArnCaller) {
  const model::Context c =
      Read(Line("arn:aws:iam::111122223333:role/svc/ci", "ecr:PutImage", kApp)).request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalArn"), "arn:aws:iam::111122223333:role/svc/ci");
  EXPECT_EQ(Single(c, "aws:PrincipalType"), "AssumedRole");
  EXPECT_EQ(c.Find("aws:userid"), nullptr);  // the session name is unknown
  EXPECT_EQ(Single(c, "aws:PrincipalTag/team"), "platform");
}

TEST(StoreContextTest, DerivesRootServiceAndAnonymousKeys) {
  model::Context c =
      Read(Line("arn:aws:iam::111122223333:root", "ecr:BatchGetImage", kApp)).request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalType"), "Account");
  EXPECT_EQ(Single(c, "aws:userid"), "111122223333");
  EXPECT_EQ(Single(c, "aws:PrincipalArn"), "arn:aws:iam::111122223333:root");
  EXPECT_EQ(c.Find("aws:PrincipalTag/team"), nullptr);

  c = Read(Line("codebuild.amazonaws.com", "ecr:BatchGetImage", kApp)).request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalIsAWSService"), "true");
  EXPECT_EQ(Single(c, "aws:PrincipalServiceName"), "codebuild.amazonaws.com");
  EXPECT_EQ(c.Find("aws:PrincipalArn"), nullptr);
  EXPECT_EQ(c.Find("aws:PrincipalAccount"), nullptr);
  EXPECT_EQ(Single(c, "aws:ResourceAccount"), "111122223333");

  c = Read(Line("anonymous", "ecr:BatchGetImage", kApp)).request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalType"), "Anonymous");
  EXPECT_EQ(Single(c, "aws:userid"), "anonymous");
  EXPECT_EQ(c.Find("aws:PrincipalIsAWSService"), nullptr);
}

TEST(StoreContextTest, CallerSuppliedKeysWinIgnoringCase) {
  const model::Context c =
      Read(Line(kAlice, "ecr:BatchGetImage", kApp,
                R"(,"context":{"AWS:PRINCIPALTAG/TEAM":"audit","aws:RequestedRegion":"eu-west-1",)"
                R"("aws:resourcetag/env":"staging"})"))
          .request.context;
  EXPECT_EQ(Single(c, "aws:PrincipalTag/team"), "audit");
  EXPECT_EQ(Single(c, "aws:RequestedRegion"), "eu-west-1");
  // Neither repository spelling of `env` is added once the caller gave the key.
  EXPECT_EQ(Single(c, "aws:ResourceTag/Env"), "staging");
  EXPECT_EQ(Single(c, "ecr:ResourceTag/env"), "prod");  // the other prefix is a different key
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

Decision Decide(const std::string& line) {
  return TestStore().EvaluateReference(Read(line)).decision;
}

TEST(StoreDecisionTest, EvaluatesWithGatheredPoliciesAndContext) {
  // Group policy allows the login, SCP levels allow ecr:*.
  EXPECT_EQ(Decide(Line(kAlice, "ecr:GetAuthorizationToken", "*")), Decision::kAllow);
  // Inline policy allows s3:GetObject, but the boundary caps it (R119).
  EXPECT_EQ(Decide(Line(kAlice, "s3:GetObject", "arn:aws:s3:::bucket/key")),
            Decision::kImplicitDeny);
  // The RCP denies deletes.
  EXPECT_EQ(Decide(Line(kAlice, "ecr:DeleteRepository", kApp)), Decision::kExplicitDeny);
  // Cross-account: repository policy delegates to B, but bob has no identity policy (R120).
  EXPECT_EQ(Decide(Line("arn:aws:iam::444455556666:user/bob", "ecr:BatchGetImage", kApp)),
            Decision::kImplicitDeny);
  // Sessions use the role's policies; the SCP at level 1 does not allow iam:* (R112).
  const std::string ci = "arn:aws:sts::111122223333:assumed-role/ci/s1";
  EXPECT_EQ(Decide(Line(ci, "ecr:PutImage", kApp)), Decision::kAllow);
  EXPECT_EQ(Decide(Line(ci, "ecr:PutImage", kApp,
                        R"(,"sessionPolicy":{"Statement":{"Effect":"Allow",)"
                        R"("Action":"ecr:BatchGetImage","Resource":"*"}})")),
            Decision::kImplicitDeny);
}

// Unique ids in a resource policy name the entity (R56); a session matches its role's id.
TEST(StoreDecisionTest, UniqueIdPrincipalsMatchTheEntityAndItsSessions) {
  auto s = Store::Load(Patched(
      R"("Principal": {"AWS": "444455556666"},
        "Action": "ecr:BatchGetImage"}}},)",
      R"("Principal": {"AWS": ["AIDAALICE00000000001", "AROACIROLE0000000001"]},
        "Action": "ecr:DescribeImages"}}},)"));
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  for (const char* p : {kAlice, "arn:aws:sts::111122223333:assumed-role/ci/s1"}) {
    auto r = s->ReadRequest(Line(p, "ecr:DescribeImages", kApp));
    ASSERT_TRUE(r.has_value());
    s->CompleteContext(*r);
    EXPECT_EQ(s->EvaluateReference(*r).decision, Decision::kAllow) << p;
  }
}

// ---------------------------------------------------------------------------------------------
// The demo store: corpus/stores/demo-*.{json,jsonl}, expected decisions reasoned from the spec.
// ---------------------------------------------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

TEST(StoreDemoTest, DemoRequestsGetTheExpectedDecisions) {
  const std::string dir = std::string(PE_SOURCE_DIR) + "/corpus/stores/";
  auto store = Store::Load(ReadFile(dir + "demo-store.json"));
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  std::vector<std::string> requests = Lines(ReadFile(dir + "demo-requests.jsonl"));
  std::vector<std::string> expected = Lines(ReadFile(dir + "demo-expected.jsonl"));
  ASSERT_EQ(requests.size(), expected.size());
  ASSERT_GE(requests.size(), 30u);
  int allow = 0, explicit_deny = 0, implicit_deny = 0, errors = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    PreparedRequest p = store->Prepare(requests[i], i + 1);
    driver::CaseOutcome outcome;
    outcome.id_json = p.id_json;
    if (p.ok()) {
      outcome.result = eval::EvaluateReference(p.policies, p.request);
    } else {
      outcome.error = p.error;
    }
    std::string out = driver::FormatOutcome(outcome);
    auto got = json::Parse(out);
    auto want = json::Parse(expected[i]);
    ASSERT_TRUE(got.has_value() && want.has_value());
    EXPECT_EQ(json::Dump(*got->Find("id")), json::Dump(*want->Find("id"))) << "line " << i + 1;
    EXPECT_EQ(json::Dump(*got->Find("decision")), json::Dump(*want->Find("decision")))
        << json::Dump(*want->Find("id")) << ": " << out;
    if (!p.ok()) {
      ++errors;
    } else if (outcome.result->decision == Decision::kAllow) {
      ++allow;
    } else if (outcome.result->decision == Decision::kExplicitDeny) {
      ++explicit_deny;
    } else {
      ++implicit_deny;
    }
  }
  // The demo covers every outcome.
  EXPECT_GT(allow, 0);
  EXPECT_GT(explicit_deny, 0);
  EXPECT_GT(implicit_deny, 0);
  EXPECT_EQ(errors, 1);
}

}  // namespace
}  // namespace policy_engine::store
