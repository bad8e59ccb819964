// The generator draws the universe first (accounts, principals, repositories), then writes the
// store document around it, then draws requests from the same pools. Probabilities are tuned so
// that (a) every generated store loads (a load failure is a generator or loader bug and the tests
// fail on it), (b) only a few percent of request lines are rejected by Store::ReadRequest, and
// (c) only a few percent of requests need the reference path of the compiled engine (session
// policies, context keys in two spellings).
//
// Policy texts are written compactly (no whitespace), so their length is an upper bound of both
// size measures of R32/R33 and the budgets below keep every document under its kind's limit.
#include "tests/differential/random_store.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "policy_engine/catalog/catalog.h"
#include "policy_engine/json/json.h"
#include "policy_engine/json/json.h"
#include "policy_engine/match/match.h"
#include "policy_engine/model/policy.h"

namespace policy_engine::differential {

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

using Account = RandomWorld::Account;
using Entity = RandomWorld::Entity;
using Repository = RandomWorld::Repository;
using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// JSON text
// ---------------------------------------------------------------------------------------------

}  // namespace

namespace {

std::string Quote(std::string_view s) { return policy_engine::json::Quote(s); }

// Members are raw JSON texts; names are quoted here.
class Object {
 public:
  Object& Add(std::string_view name, std::string_view raw) {
    text_ += text_.size() == 1 ? "" : ",";
    text_ += Quote(name);
    text_ += ':';
    text_ += raw;
    return *this;
  }
  bool empty() const { return text_.size() == 1; }
  std::string Done() const { return text_ + "}"; }

 private:
  std::string text_ = "{";
};

std::string Array(const Strings& raw_items) {
  std::string out = "[";
  for (size_t i = 0; i < raw_items.size(); ++i) {
    if (i > 0) out += ',';
    out += raw_items[i];
  }
  return out + "]";
}

Strings QuoteAll(const Strings& items) {
  Strings out;
  for (const std::string& s : items) out.push_back(Quote(s));
  return out;
}

// R21: a one-element list may be written as the bare value.
std::string ListOrScalar(Rng& rng, const Strings& raw_items) {
  if (raw_items.size() == 1 && rng.Percent(60)) return raw_items.front();
  return Array(raw_items);
}

// ---------------------------------------------------------------------------------------------
// Pools. Small on purpose: collisions between policies and requests are the point.
// ---------------------------------------------------------------------------------------------

const Strings kAccountIds = {"111122223333", "444455556666", "777788889999"};
const std::string kUnknownAccount = "999988887777";
const Strings kOrgIds = {"o-a1b2c3d4e5", "o-z9y8x7w6v5"};
const Strings kRegions = {"us-east-1", "eu-west-1"};
const Strings kUserNames = {"alice", "bob", "carol", "dave"};
const Strings kRoleNames = {"ci", "deploy", "Builder"};
const Strings kSessionNames = {"s1", "run1", "Run1"};
const Strings kRepositoryNames = {"app",         "team-a/api", "team-b/web",
                                  "base-images", "team-a/app", "payments/api"};
const Strings kUnknownRepositoryNames = {"ghost", "team-a/ghost", "replica/app"};
const Strings kServices = {"codebuild.amazonaws.com", "ecr.amazonaws.com"};
const Strings kTagValues = {"a", "b", "payments", "A", "dev", "prod", "true", "\xc3\xa9"};
const Strings kHotActions = {
    "ecr:BatchGetImage",       "ecr:PutImage",       "ecr:GetAuthorizationToken",
    "ecr:CreateRepository",    "ecr:TagResource",    "ecr:DeleteRepository",
    "ecr:SetRepositoryPolicy", "ecr:ReplicateImage", "ecr:DescribeRegistry"};

// Value families of the condition keys the generator uses (the operator family decides how a
// value is parsed; keys are paired with operators of their own family most of the time).
enum class Family : uint8_t { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn };

struct KeySpec {
  const char* name;
  Family family;
};

const std::vector<KeySpec> kKeys = {
    {"aws:PrincipalTag/team", Family::kString},
    {"aws:principaltag/Team", Family::kString},
    {"aws:ResourceTag/team", Family::kString},
    {"aws:ResourceTag/Team", Family::kString},
    {"ecr:ResourceTag/env", Family::kString},
    {"aws:RequestTag/env", Family::kString},
    {"aws:TagKeys", Family::kString},
    {"aws:username", Family::kString},
    {"aws:userid", Family::kString},
    {"aws:PrincipalOrgID", Family::kString},
    {"aws:PrincipalType", Family::kString},
    {"aws:PrincipalAccount", Family::kString},
    {"aws:ResourceAccount", Family::kString},
    {"aws:RequestedRegion", Family::kString},
    {"aws:PrincipalOrgPaths", Family::kString},
    {"aws:SourceVpce", Family::kString},
    {"aws:CalledVia", Family::kString},
    {"aws:PrincipalServiceName", Family::kString},
    {"aws:ResourceOrgID", Family::kString},
    {"aws:PrincipalArn", Family::kString},
    {"aws:MultiFactorAuthAge", Family::kNumeric},
    {"aws:EpochTime", Family::kNumeric},
    {"aws:PrincipalTag/cost-center", Family::kNumeric},
    {"aws:CurrentTime", Family::kDate},
    {"aws:EpochTime", Family::kDate},
    {"aws:TokenIssueTime", Family::kDate},
    {"aws:SecureTransport", Family::kBool},
    {"aws:MultiFactorAuthPresent", Family::kBool},
    {"aws:PrincipalIsAWSService", Family::kBool},
    {"aws:ViaAWSService", Family::kBool},
    {"aws:PrincipalTag/flag", Family::kBool},
    {"aws:PrincipalTag/blob", Family::kBinary},
    {"aws:RequestTag/blob", Family::kBinary},
    {"aws:SourceIp", Family::kIp},
    {"aws:VpcSourceIp", Family::kIp},
    {"aws:PrincipalArn", Family::kArn},
    {"aws:SourceArn", Family::kArn},
    {"aws:ResourceTag/env", Family::kString},
};

Family FamilyFor(model::OperatorFamily f) {
  switch (f) {
    case model::OperatorFamily::kNumeric:
      return Family::kNumeric;
    case model::OperatorFamily::kDate:
      return Family::kDate;
    case model::OperatorFamily::kBool:
      return Family::kBool;
    case model::OperatorFamily::kBinary:
      return Family::kBinary;
    case model::OperatorFamily::kIp:
      return Family::kIp;
    case model::OperatorFamily::kArn:
      return Family::kArn;
    case model::OperatorFamily::kString:
    case model::OperatorFamily::kNull:
      return Family::kString;
  }
  return Family::kString;
}

std::string MangleCase(Rng& rng, std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (rng.Percent(50)) {
      if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 'a' + 'A');
      } else if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
    }
  }
  return out;
}

// The policy kinds the generator writes (a subset of model::PolicyKind, with its element rules).
enum class Kind : uint8_t { kIdentity, kBoundary, kSession, kScp, kRcp, kRepository, kRegistry };

bool IsIamStored(Kind k) {
  return k == Kind::kIdentity || k == Kind::kBoundary || k == Kind::kSession;
}

// Writes policies and request pieces over one universe.
class Writer {
 public:
  Writer(Rng& rng, const std::vector<Account>& accounts, const std::vector<Entity>& entities,
         const std::vector<Repository>& repositories)
      : rng_(rng), accounts_(accounts), entities_(entities), repositories_(repositories) {}

  void set_condition_percent(int percent) { condition_percent_ = percent; }

  // A policy document of `kind` written for `account` (the owner: ARNs lean towards it), at most
  // `budget` characters (always at least one statement).
  std::string Policy(Kind kind, const std::string& account, size_t budget) {
    kind_ = kind;
    account_ = account;
    int version = static_cast<int>(rng_.Below(100));
    variables_ = version < 80;
    Object doc;
    if (version < 80) {
      doc.Add("Version", Quote("2012-10-17"));
    } else if (version < 92) {
      doc.Add("Version", Quote("2008-10-17"));  // R9, R10: variables are literal text
    }
    if (rng_.Percent(5)) doc.Add("Id", Quote("generated policy"));
    size_t count = 1 + rng_.Below(kind == Kind::kRcp || kind == Kind::kScp ? 3 : 4);
    Strings statements;
    size_t used = 80;
    for (size_t i = 0; i < count; ++i) {
      std::string st = Statement(i);
      // Broad grants now and then, so that boundaries and identity policies do not deny most
      // requests and the allow paths of §5.3 are exercised as much as the deny paths.
      if (i == 0 && (kind == Kind::kBoundary || kind == Kind::kIdentity) && rng_.Percent(35)) {
        st = BroadAllow(i);
      }
      if (!statements.empty() && used + st.size() + 1 > budget) break;
      if (statements.empty() && used + st.size() > budget) st = MinimalStatement(i);
      used += st.size() + 1;
      statements.push_back(std::move(st));
    }
    if (statements.size() == 1 && rng_.Percent(20)) {
      doc.Add("Statement", statements.front());  // R15: a lone statement object
    } else {
      doc.Add("Statement", Array(statements));
    }
    return doc.Done();
  }

  // Many small statements that all apply to common requests: verdicts with more decisive
  // statements than the compiled engine lists (Verdict::kMaxMatched) are compared by prefix.
  std::string WidePolicy(size_t statements) {
    Strings list;
    bool deny = rng_.Percent(40);
    for (size_t i = 0; i < statements; ++i) {
      Object st;
      st.Add("Effect", Quote(deny && i % 2 == 0 ? "Deny" : "Allow"));
      st.Add("Action", Quote(rng_.Pick(Strings{"ecr:*", "*", "ecr:Get*", "ecr:Batch*"})));
      st.Add("Resource", Quote("*"));
      list.push_back(st.Done());
    }
    return "{\"Version\":\"2012-10-17\",\"Statement\":" + Array(list) + "}";
  }

  // ---- request pieces ----------------------------------------------------------------------

  std::string AnyAccount() {
    if (rng_.Percent(8)) return kUnknownAccount;
    return rng_.Pick(accounts_).id;
  }

  // A repository ARN, known or not (R130); with `preferred_account` given, half of the time one
  // of that account's repositories, so that same-account paths (R115) are as common as R116.
  std::string RepositoryArn(const std::string& preferred_account = "") {
    if (!preferred_account.empty() && rng_.Percent(50)) {
      std::vector<const Repository*> own;
      for (const Repository& r : repositories_) {
        if (r.account == preferred_account) own.push_back(&r);
      }
      if (!own.empty()) return own[rng_.Below(own.size())]->arn;
    }
    int r = static_cast<int>(rng_.Below(100));
    if (r < 75 && !repositories_.empty()) return rng_.Pick(repositories_).arn;
    std::string account = r < 95 ? rng_.Pick(accounts_).id : kUnknownAccount;
    std::string region = rng_.Percent(80) ? "us-east-1" : "eu-west-1";
    std::string name =
        rng_.Percent(70) ? rng_.Pick(kUnknownRepositoryNames) : rng_.Pick(kRepositoryNames);
    if (rng_.Percent(3)) name = "App";  // not a valid R137 name; must simply never match
    return "arn:aws:ecr:" + region + ":" + account + ":repository/" + name;
  }

  const Entity* PickEntity(bool user) {
    std::vector<const Entity*> pool;
    for (const Entity& e : entities_) {
      if (e.user == user) pool.push_back(&e);
    }
    return pool.empty() ? nullptr : pool[rng_.Below(pool.size())];
  }

  std::string SessionArn(const Entity& role, const std::string& session) {
    std::string name = rng_.Percent(20) ? MangleCase(rng_, role.name) : role.name;
    return "arn:aws:sts::" + role.account + ":assumed-role/" + name + "/" + session;
  }

  // A request context: a random subset of the keys the policies use, in both typed and
  // unparseable forms (R79), single- and multi-valued (R60, R66).
  std::string Context() {
    Object c;
    auto maybe = [&](int percent, const char* key, const Strings& values) {
      if (rng_.Percent(percent)) c.Add(key, Quote(rng_.Pick(values)));
    };
    if (rng_.Percent(40)) {
      Strings ips = {"203.0.113.5", "198.51.100.7",       "10.1.2.3", "2001:db8::1",
                     "2001:db9::5", "::ffff:203.0.113.9", "0.0.0.0",  "not-an-ip"};
      if (rng_.Percent(7)) {
        c.Add("aws:SourceIp", Array(QuoteAll({rng_.Pick(ips), rng_.Pick(ips)})));
      } else {
        c.Add("aws:SourceIp", Quote(rng_.Pick(ips)));
      }
    }
    maybe(50, "aws:SecureTransport", {"true", "false", "TRUE", "yes"});
    maybe(30, "aws:CurrentTime",
          {"2023-11-14T22:13:20Z", "2019-06-01T00:00:00Z", "2024-06-01", "1700000000",
           "2023-11-14T22:13:20.500Z", "2023-11-14T23:13:20+01:00", "soon"});
    maybe(20, "aws:EpochTime", {"1700000000", "1577836800", "1.5", "abc"});
    maybe(25, "aws:MultiFactorAuthAge", {"5", "3600", "12abc", "1.0", "0", "", "-1"});
    maybe(15, "aws:MultiFactorAuthPresent", {"true", "false"});
    maybe(10, "aws:TokenIssueTime", {"2023-11-14T22:00:00Z", "2020-01-01", "never"});
    maybe(5, "aws:PrincipalTag/team", kTagValues);
    maybe(20, "aws:RequestTag/env", {"dev", "prod", "Dev"});
    maybe(5, "aws:RequestTag/blob", {"abc", "team", "YWJj"});
    if (rng_.Percent(20)) {
      std::vector<std::string> forms = {"[]",         "[\"env\"]", "[\"team\",\"env\"]",
                                        "[\"Team\"]", "\"env\"",   "[\"owner\",\"team\"]"};
      c.Add("aws:TagKeys", rng_.Pick(forms));
    }
    maybe(5, "aws:PrincipalOrgID", {"o-a1b2c3d4e5", "o-other00000"});
    maybe(3, "aws:userid", {"AIDAEXAMPLE0000000", "anonymous"});
    maybe(3, "aws:username", {"alice", "bob"});
    maybe(10, "aws:SourceVpce", {"vpce-1a2b3c4d", "vpce-0000"});
    maybe(10, "aws:VpcSourceIp", {"10.1.2.3", "2001:db8::7"});
    if (rng_.Percent(10)) {
      c.Add("aws:CalledVia", rng_.Percent(30) ? "[]" : "[\"ecr.amazonaws.com\"]");
    }
    maybe(10, "aws:ViaAWSService", {"true", "false"});
    if (rng_.Percent(3)) {
      // Longer than the compiled engine's inline value arena: the value stays in the request.
      c.Add("aws:SourceArn",
            Quote("arn:aws:iam::111122223333:role/" + std::string(700 + rng_.Below(200), 'c')));
    }
    maybe(10, "aws:SourceArn",
          {"arn:aws:codebuild:us-east-1:111122223333:project/p1",
           "arn:aws:iam::444455556666:role/ci", "not-an-arn"});
    if (rng_.Percent(1)) {
      // R63 in the request itself: two spellings of one key (compiled engine defers).
      c.Add("aws:SecureTransport", Quote("true"));
      c.Add("aws:securetransport", Quote("false"));
    }
    return c.Done();
  }

  std::string SessionTags() {
    Object t;
    t.Add(rng_.Percent(30) ? "Team" : "team", Quote(rng_.Pick(kTagValues)));
    if (rng_.Percent(30)) t.Add("flag", Quote(rng_.Percent(50) ? "true" : "false"));
    return t.Done();
  }

 private:
  // ---- statements --------------------------------------------------------------------------

  std::string Sid(size_t index) {
    if (IsIamStored(kind_) || rng_.Percent(50)) return "S" + std::to_string(index);
    return rng_.Percent(80) ? "Statement " + std::to_string(index) : "";
  }

  bool ChooseAllow() {
    switch (kind_) {
      case Kind::kIdentity:
        return rng_.Percent(75);
      case Kind::kBoundary:
        return rng_.Percent(85);
      case Kind::kSession:
        return rng_.Percent(80);
      case Kind::kScp:
        return rng_.Percent(60);
      case Kind::kRcp:
        return false;  // the full-access Allow is written by the caller
      case Kind::kRepository:
        return rng_.Percent(70);
      case Kind::kRegistry:
        return rng_.Percent(75);
    }
    return true;
  }

  std::string BroadAllow(size_t index) {
    Object st;
    st.Add("Sid", Quote("S" + std::to_string(index)));
    st.Add("Effect", Quote("Allow"));
    st.Add("Action", Quote(rng_.Pick(Strings{"ecr:*", "*", "ecr:*Image", "ecr:Get*"})));
    st.Add("Resource", Quote("*"));
    return st.Done();
  }

  std::string MinimalStatement(size_t index) {
    Object st;
    st.Add("Sid", Quote("S" + std::to_string(index)));
    st.Add("Effect", Quote(kind_ == Kind::kRcp ? "Deny" : "Allow"));
    if (kind_ == Kind::kRepository || kind_ == Kind::kRegistry || kind_ == Kind::kRcp) {
      st.Add("Principal", Quote("*"));
    }
    st.Add("Action", Quote("ecr:BatchGetImage"));
    if (kind_ != Kind::kRepository) st.Add("Resource", Quote("*"));
    return st.Done();
  }

  std::string Statement(size_t index) {
    Object st;
    if (rng_.Percent(30)) st.Add("Sid", Quote(Sid(index)));
    bool allow = ChooseAllow();
    st.Add("Effect", Quote(allow ? "Allow" : "Deny"));
    // Principal / NotPrincipal (R24: resource-based kinds only).
    if (kind_ == Kind::kRcp) {
      st.Add("Principal", rng_.Percent(80) ? Quote("*") : "{\"AWS\":\"*\"}");
    } else if (kind_ == Kind::kRepository && !allow && rng_.Percent(35)) {
      st.Add("NotPrincipal", NotPrincipal());
    } else if (kind_ == Kind::kRepository || kind_ == Kind::kRegistry) {
      st.Add("Principal", Principal());
    }
    // Action / NotAction.
    bool not_action = rng_.Percent(15);
    st.Add(not_action ? "NotAction" : "Action", Actions());
    // Resource / NotResource (R24: none in repository policies, R25).
    if (kind_ != Kind::kRepository) {
      bool not_resource = rng_.Percent(kind_ == Kind::kRegistry ? 5 : 15);
      st.Add(not_resource ? "NotResource" : "Resource", Resources());
    }
    if (rng_.Percent(condition_percent_)) st.Add("Condition", Condition());
    return st.Done();
  }

  std::string Actions() {
    if (rng_.Percent(2)) return "[]";  // R23
    size_t n = 1 + rng_.Below(3);
    Strings out;
    for (size_t i = 0; i < n; ++i) out.push_back(Quote(ActionPattern()));
    return ListOrScalar(rng_, out);
  }

  std::string ActionPattern() {
    static const Strings kPatterns = {"ecr:*",
                                      "*",
                                      "ecr:Get*",
                                      "ecr:*Image",
                                      "ecr:Batch*",
                                      "ecr:???Image",
                                      "ecr:Describe*",
                                      "ecr:*Layer*",
                                      "ecr:Put*",
                                      "ecr:*Repository*",
                                      "ecr:List*",
                                      "ecr:*Policy",
                                      "s3:*",
                                      "e*:*",
                                      "ecr:B?tch*",
                                      "ECR:batchgetimage",
                                      "ecr:GetAuthorizationToken",
                                      "ecr:*Registry*",
                                      "iam:Get*",
                                      "ecr:CreateRepository",
                                      "ecr:*Tag*",
                                      "ecr:?*",
                                      "ecr:Delete*",
                                      "s3:GetObject",
                                      "logs:*"};
    if (rng_.Percent(40)) {
      const catalog::ActionInfo& a = rng_.Pick(catalog::Actions());
      std::string name = a.full_name();
      return rng_.Percent(15) ? MangleCase(rng_, name) : name;
    }
    if (rng_.Percent(25)) return rng_.Pick(kHotActions);
    return rng_.Pick(kPatterns);
  }

  std::string OwnOrOtherAccount() { return rng_.Percent(70) ? account_ : AnyAccount(); }

  std::string Resources() {
    if (rng_.Percent(2)) return "[]";  // R23
    size_t n = 1 + rng_.Below(rng_.Percent(70) ? 1 : 3);
    Strings out;
    for (size_t i = 0; i < n; ++i) out.push_back(Quote(ResourcePattern()));
    return ListOrScalar(rng_, out);
  }

  std::string ResourcePattern() {
    std::string acct = OwnOrOtherAccount();
    std::string region = rng_.Pick(kRegions);
    std::string repo = "arn:aws:ecr:" + region + ":" + acct + ":repository/";
    std::string any_region = "arn:aws:ecr:*:" + acct + ":repository/";
    switch (rng_.Below(40)) {
      case 34:
        return "arn:aws:logs:*:" + acct + ":log-group:*";
      case 35:
        return "arn:aws:logs:*:" + acct + ":log-group:app:log-stream:s?";
      case 36:
        return "arn:aws:*:us-east-1:" + acct + ":*:app:*";
      case 37:
        return "arn:aws:ecr:*-1:" + acct + ":repository/*api";
      case 38:
        return "arn:aws:ecr:us-east-1:*:repository/team-a/*";
      case 39:
        return "arn:*:ecr:*:" + acct + ":repository/?pp";
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
        return "*";
      case 6:
      case 7:
      case 8:
        if (!repositories_.empty()) return rng_.Pick(repositories_).arn;
        return repo + "app";
      case 9:
        return repo + rng_.Pick(Strings{"team-a/", "team-", "app", "payments/", "base"}) + "*";
      case 10:
        return any_region + "*";
      case 11:
        return "arn:aws:ecr:*:*:*";
      case 12:
        return "arn:aws:ecr:*";  // R48 short ARN ending in `*`
      case 13:
        return "arn:aws:ecr:us-*";
      case 14:
        return "arn:aws:*:*:" + acct + ":*";
      case 15:
        return repo + "team-?/*";
      case 16:
        return any_region + "*/api";
      case 17:
        return any_region + "Team-*";  // R46: never matches a lower-case name
      case 18:
        return "arn:aws:ecr:?"
               "?-east-1:" +
               acct + ":repository/*";
      case 19:
        return any_region + "${aws:username}";
      case 20:
        return any_region + "${aws:PrincipalTag/team}/*";
      case 21:
        return any_region + "${aws:PrincipalTag/team, 'base-images'}";
      case 22:
        return "arn:aws:ecr:*:${aws:PrincipalAccount}:repository/*";
      case 23:
        return "arn:aws:ecr:${aws:RequestedRegion}:" + acct + ":repository/*";
      case 24:
        return any_region + "team-${aws:ResourceTag/team}*";
      case 25:
        return "${*}";  // R103: a literal `*`, not a wildcard
      case 26:
        return any_region + "a${*}b";
      case 27:
        return "*${aws:PrincipalTag/missing, ''}";
      case 28:
        return "arn:aws:s3:::bucket/*";
      case 29:
        return "arn:aws:ecr:us-east-1:" + acct;  // R48: short, no `*`: never matches
      case 30:
        return "**";
      case 31:
        return "arn:aws:iam::" + acct + ":user/*";
      case 32:
        return "arn:aws:ecr:*:" + acct + ":repository/${aws:PrincipalTag/missing}";
      default:
        return repo + "app*";
    }
  }

  std::string PrincipalValue() {
    std::string acct = OwnOrOtherAccount();
    switch (rng_.Below(18)) {
      case 0:
        return "*";
      case 16:
      case 17: {
        const Entity* r = PickEntity(false);
        return r != nullptr ? r->arn : acct;
      }
      case 1:
      case 2:
        return acct;
      case 3:
      case 4:
        return "arn:aws:iam::" + acct + ":root";
      case 5:
      case 6: {
        const Entity* u = PickEntity(true);
        if (u == nullptr) return acct;
        if (rng_.Percent(20)) return "arn:aws:iam::" + u->account + ":user/" + u->name;
        return u->arn;
      }
      case 7:
        return "arn:aws:iam::" + acct + ":user/ghost";
      case 8:
      case 9: {
        const Entity* r = PickEntity(false);
        if (r == nullptr) return acct;
        int form = static_cast<int>(rng_.Below(3));
        if (form == 0) return r->arn;
        if (form == 1) return "arn:aws:iam::" + r->account + ":role/" + r->name;  // R55 no path
        return "arn:aws:iam::" + r->account + ":role/" + r->path + MangleCase(rng_, r->name);
      }
      case 10:
      case 11: {
        const Entity* r = PickEntity(false);
        if (r == nullptr) return acct;
        return SessionArn(*r, rng_.Pick(kSessionNames));
      }
      case 12:
        return "arn:aws:sts::" + acct + ":federated-user/bob";
      case 13: {
        for (size_t tries = 0; tries < 4; ++tries) {
          const Entity& e = rng_.Pick(entities_);
          if (!e.unique_id.empty()) return e.unique_id;  // R56
        }
        return acct;
      }
      case 14:
        return "arn:aws-cn:iam::" + acct + ":root";
      default:
        return "arn:aws:iam::" + acct + ":role/ci";
    }
  }

  std::string Principal() {
    int form = static_cast<int>(rng_.Below(100));
    if (form < 15) return Quote("*");
    if (form < 20) return "{\"AWS\":\"*\"}";
    if (form < 22) return "{\"AWS\":[]}";  // R23: nobody
    if (form < 32) return "{\"Service\":" + Quote(rng_.Pick(kServices)) + "}";
    size_t n = 1 + rng_.Below(3);
    Strings values;
    for (size_t i = 0; i < n; ++i) values.push_back(Quote(PrincipalValue()));
    Object p;
    p.Add("AWS", ListOrScalar(rng_, values));
    if (form > 92) p.Add("Service", Quote(rng_.Pick(kServices)));
    return p.Done();
  }

  // R58 layers of one caller: all of them, all but one, or with an extra entry.
  std::string NotPrincipal() {
    Strings layers;
    Strings services;
    int target = static_cast<int>(rng_.Below(10));
    const Entity* user = PickEntity(true);
    const Entity* role = PickEntity(false);
    auto account_entry = [&](const std::string& acct) {
      return rng_.Percent(50) ? acct : "arn:aws:iam::" + acct + ":root";
    };
    if (target < 4 && user != nullptr) {
      layers = {user->arn, account_entry(user->account)};
    } else if (target < 8 && role != nullptr) {
      layers = {
          SessionArn(*role, rng_.Pick(kSessionNames)),
          rng_.Percent(70) ? role->arn : "arn:aws:iam::" + role->account + ":role/" + role->name,
          account_entry(role->account)};
    } else if (target < 9) {
      layers = {"arn:aws:iam::" + rng_.Pick(accounts_).id + ":root"};
    } else {
      services = {rng_.Pick(kServices)};
    }
    int shape = static_cast<int>(rng_.Below(10));
    if (shape < 3 && layers.size() > 1) {
      layers.erase(layers.begin() + static_cast<long>(rng_.Below(layers.size())));
    } else if (shape < 5) {
      layers.push_back(PrincipalValue());
      if (layers.back() == "*") layers.back() = account_;  // keep the list free of `*`
    }
    Object p;
    if (!layers.empty()) p.Add("AWS", ListOrScalar(rng_, QuoteAll(layers)));
    if (!services.empty() || rng_.Percent(10)) {
      if (services.empty()) services = {rng_.Pick(kServices)};
      p.Add("Service", ListOrScalar(rng_, QuoteAll(services)));
    }
    return p.Done();
  }

  // ---- conditions --------------------------------------------------------------------------

  std::string Condition() {
    if (rng_.Percent(2)) return "{}";  // R20
    size_t clauses = 1 + rng_.Below(rng_.Percent(60) ? 1 : 3);
    // operator text -> (lower-case keys, members): R2/R3 forbid repeats.
    std::vector<std::pair<std::string, std::pair<std::set<std::string>, Object>>> ops;
    for (size_t i = 0; i < clauses; ++i) {
      auto op = static_cast<model::ConditionOperator>(rng_.Below(model::kConditionOperatorCount));
      bool is_null = op == model::ConditionOperator::kNull;
      std::string name;
      int q = static_cast<int>(rng_.Below(100));
      if (q < 15) {
        name = "ForAllValues:";
      } else if (q < 30) {
        name = "ForAnyValue:";
      }
      name += model::ConditionOperatorName(op);
      if (!is_null && rng_.Percent(20)) name += "IfExists";  // R30: never NullIfExists
      Family family = FamilyFor(model::FamilyOf(op));
      std::string key = Key(family, is_null);
      std::string values = is_null ? NullValues() : Values(family, key);
      auto it =
          std::find_if(ops.begin(), ops.end(), [&](const auto& e) { return e.first == name; });
      if (it == ops.end()) {
        ops.push_back({name, {}});
        it = ops.end() - 1;
      }
      if (!it->second.first.insert(match::AsciiLower(key)).second) continue;
      it->second.second.Add(key, values);
    }
    Object cond;
    for (const auto& [name, block] : ops) cond.Add(name, block.second.Done());
    return cond.Done();
  }

  std::string Key(Family family, bool any) {
    std::string key;
    if (any || rng_.Percent(12)) {
      key = kKeys[rng_.Below(kKeys.size())].name;  // R94: a type mismatch now and then
    } else {
      std::vector<const char*> pool;
      for (const KeySpec& k : kKeys) {
        if (k.family == family) pool.push_back(k.name);
      }
      key = pool[rng_.Below(pool.size())];
    }
    if (rng_.Percent(8)) key = MangleCase(rng_, key);  // R62: key names are case-insensitive
    return key;
  }

  std::string NullValues() {
    static const Strings kRaw = {"\"true\"", "\"false\"", "true", "false", "\"TRUE\""};
    if (rng_.Percent(10)) return "[\"true\",\"false\"]";
    return rng_.Pick(kRaw);
  }

  std::string Values(Family family, const std::string& key) {
    size_t n = 1 + rng_.Below(rng_.Percent(65) ? 1 : 3);
    Strings out;
    for (size_t i = 0; i < n; ++i) out.push_back(Value(family, key));
    return ListOrScalar(rng_, out);
  }

  // One condition value as raw JSON (R22: numbers and booleans may be unquoted).
  std::string Value(Family family, const std::string& key) {
    std::string k = match::AsciiLower(key);
    switch (family) {
      case Family::kNumeric: {
        static const Strings kNumbers = {"0",  "5",  "10", "3600", "1.0",       "-1",
                                         "+2", ".5", "12", "4411", "1700000000"};
        static const Strings kRaw = {"10", "1.50", "0", "3600", "-1"};
        return rng_.Percent(20) ? rng_.Pick(kRaw) : Quote(rng_.Pick(kNumbers));
      }
      case Family::kDate: {
        static const Strings kDates = {"2020-01-01T00:00:00Z",
                                       "2023-11-14T22:13:20Z",
                                       "2024-06-01",
                                       "2023",
                                       "2023-11",
                                       "1700000000",
                                       "2023-11-14T23:13:20+01:00",
                                       "2023-11-14T22:13:20.500Z",
                                       "2019-06-01T00:00"};
        return rng_.Percent(10) ? "1700000000" : Quote(rng_.Pick(kDates));
      }
      case Family::kBool: {
        if (variables_ && rng_.Percent(15)) {
          return Quote(rng_.Percent(50) ? "${aws:PrincipalTag/flag}"
                                        : "${aws:PrincipalTag/flag, 'true'}");
        }
        static const Strings kRaw = {"\"true\"",  "\"false\"", "\"TRUE\"",
                                     "\"False\"", "true",      "false"};
        return rng_.Pick(kRaw);
      }
      case Family::kBinary: {
        static const Strings kBase64 = {"YWJj", "dGVhbQ==", "YQ==", "cGF5bWVudHM="};
        return Quote(rng_.Pick(kBase64));
      }
      case Family::kIp: {
        static const Strings kRanges = {"203.0.113.0/24",   "203.0.113.77/24", "10.0.0.0/8",
                                        "0.0.0.0/0",        "2001:db8::/32",   "::/0",
                                        "198.51.100.7",     "2001:db8::1",     "192.0.2.0/32",
                                        "2001:DB8:0:0::/64"};
        return Quote(rng_.Pick(kRanges));
      }
      case Family::kArn:
        return Quote(ArnValue());
      case Family::kString:
        return Quote(StringValue(k));
    }
    return Quote("x");
  }

  std::string ArnValue() {
    std::string acct = OwnOrOtherAccount();
    if (variables_ && rng_.Percent(15)) {
      Strings forms = {"arn:aws:iam::${aws:PrincipalAccount}:*",
                       "arn:aws:iam::" + acct + ":user/${aws:username}",
                       "arn:aws:iam::" + acct + ":role/${aws:PrincipalTag/team, 'ci'}"};
      return rng_.Pick(forms);
    }
    if (rng_.Percent(25) && !entities_.empty()) return rng_.Pick(entities_).arn;
    Strings forms = {"arn:aws:iam::" + acct + ":role/*",
                     "arn:aws:iam::" + acct + ":user/*",
                     "arn:aws:iam::*:root",
                     "arn:aws:iam::" + acct + ":role/automation/*",
                     "arn:aws:codebuild:us-east-1:" + acct + ":project/*",
                     "arn:aws:iam::" + acct + ":*",
                     "arn:aws:iam::" + acct + ":user/engineering/*",
                     "arn:*:*:*:*:*",
                     "arn:aws:iam::" + acct + ":root",
                     "arn:aws:iam::" + acct + ":role/c?",
                     "arn:aws:iam::*:role/*ci",
                     "arn:aws:iam::" + acct + ":user/*/alice",
                     "arn:aws:logs:*:" + acct + ":log-group:*"};
    return rng_.Pick(forms);
  }

  std::string StringValue(const std::string& key) {
    if (variables_ && rng_.Percent(20)) {
      static const Strings kVariables = {"${aws:PrincipalTag/team}",
                                         "${aws:username}",
                                         "${aws:PrincipalTag/team, 'a'}",
                                         "${aws:ResourceTag/team}",
                                         "a${*}b",
                                         "${?}",
                                         "${aws:PrincipalAccount}",
                                         "team-${aws:PrincipalTag/team}",
                                         "${aws:userid}",
                                         "${aws:PrincipalTag/missing, ''}",
                                         "${$}x",
                                         "${aws:ResourceAccount}"};
      return rng_.Pick(kVariables);
    }
    if (key.find("tag/") != std::string::npos) {
      static const Strings kPatterns = {"pay*",     "?",    "*",      "a*",  "*a*",
                                        "p?yments", "PAY*", "*ments", "*-1", "a*b*"};
      return rng_.Percent(25) ? rng_.Pick(kPatterns) : rng_.Pick(kTagValues);
    }
    if (key == "aws:tagkeys") return rng_.Pick(Strings{"team", "env", "Team", "t*", "*", "owner"});
    if (key == "aws:username") return rng_.Pick(Strings{"alice", "bob", "Alice", "a*"});
    if (key == "aws:userid") {
      Strings ids = {"AIDA*", "*:s1", "*:run1", "AROA*", "anonymous"};
      for (const Entity& e : entities_) {
        if (!e.unique_id.empty()) ids.push_back(e.unique_id);
      }
      return rng_.Pick(ids);
    }
    if (key == "aws:principalorgid" || key == "aws:resourceorgid") {
      return rng_.Pick(Strings{"o-a1b2c3d4e5", "o-z9y8x7w6v5", "o-*"});
    }
    if (key == "aws:principaltype") {
      return rng_.Pick(Strings{"User", "AssumedRole", "Account", "user"});
    }
    if (key == "aws:principalaccount" || key == "aws:resourceaccount") {
      return rng_.Percent(15) ? "1111*" : rng_.Pick(accounts_).id;
    }
    if (key == "aws:requestedregion") return rng_.Pick(Strings{"us-east-1", "eu-west-1", "us-*"});
    if (key == "aws:principalorgpaths") {
      return rng_.Pick(
          Strings{"o-a1b2c3d4e5/r-ab12/*", "o-a1b2c3d4e5/r-ab12/", "o-*/r-ab12/ou-ab12-11111111/"});
    }
    if (key == "aws:sourcevpce") return rng_.Pick(Strings{"vpce-1a2b3c4d", "vpce-*"});
    if (key == "aws:calledvia") return rng_.Pick(Strings{"ecr.amazonaws.com", "*.amazonaws.com"});
    if (key == "aws:principalservicename") return rng_.Pick(kServices);
    if (key == "aws:principalarn") return ArnValue();
    return rng_.Pick(kTagValues);
  }

  Rng& rng_;
  const std::vector<Account>& accounts_;
  const std::vector<Entity>& entities_;
  const std::vector<Repository>& repositories_;
  Kind kind_ = Kind::kIdentity;
  int condition_percent_ = 45;  // per store: sparse, medium or dense conditions
  std::string account_;
  bool variables_ = true;
};

std::string Tags(const std::vector<std::pair<std::string, std::string>>& tags) {
  Object o;
  for (const auto& [k, v] : tags) o.Add(k, Quote(v));
  return o.Done();
}

}  // namespace

RandomWorld::RandomWorld(uint64_t seed)
    : seed_(seed), store_rng_(seed), request_rng_(seed ^ 0x5deece66dull * 0x2545f4914f6cdd1dull) {
  store_json_ = BuildStore();
}

std::string RandomWorld::BuildStore() {
  Rng& rng = store_rng_;

  // ---- the universe ------------------------------------------------------------------------
  size_t account_count = rng.Percent(60) ? 2 : 3;
  for (size_t i = 0; i < account_count; ++i) {
    Account a;
    a.id = kAccountIds[i];
    if (rng.Percent(i == 0 ? 75 : 55)) {
      a.org_id = rng.Percent(70) ? kOrgIds[0] : kOrgIds[1];
      a.management = rng.Percent(20);
    }
    accounts_.push_back(a);
  }
  for (const Account& a : accounts_) {
    // Users and roles; IAM names are unique ignoring case within an account.
    Strings users = kUserNames;
    size_t user_count = 1 + rng.Below(3);
    for (size_t i = 0; i < user_count && !users.empty(); ++i) {
      size_t pick = rng.Below(users.size());
      Entity e;
      e.user = true;
      e.account = a.id;
      e.name = users[pick];
      users.erase(users.begin() + static_cast<long>(pick));
      e.path = rng.Percent(30) ? "engineering/" : "";
      e.arn = "arn:aws:iam::" + a.id + ":user/" + e.path + e.name;
      entities_.push_back(std::move(e));
    }
    Strings roles = kRoleNames;
    size_t role_count = 1 + rng.Below(2);
    for (size_t i = 0; i < role_count && !roles.empty(); ++i) {
      size_t pick = rng.Below(roles.size());
      Entity e;
      e.user = false;
      e.account = a.id;
      e.name = roles[pick];
      roles.erase(roles.begin() + static_cast<long>(pick));
      e.path = rng.Percent(30) ? "automation/" : "";
      e.arn = "arn:aws:iam::" + a.id + ":role/" + e.path + e.name;
      entities_.push_back(std::move(e));
    }
  }
  for (size_t i = 0; i < entities_.size(); ++i) {
    Entity& e = entities_[i];
    if (rng.Percent(40)) {
      // A-Z0-9, 16–32 characters, unique: prefix + account digits + index.
      e.unique_id = std::string(e.user ? "AIDA" : "AROA") + "EXAMPLE" + e.account +
                    static_cast<char>('A' + i % 26);
    }
    // Principal tags: keys unique ignoring case (IAM).
    std::set<std::string> seen;
    size_t tag_count = rng.Below(4);
    for (size_t t = 0; t < tag_count; ++t) {
      static const Strings kKeysPool = {"team", "env", "cost-center", "flag", "blob"};
      std::string key = rng.Pick(kKeysPool);
      if (!seen.insert(key).second) continue;
      if (key == "team" && rng.Percent(20)) key = "Team";
      std::string value;
      if (key == "team" || key == "Team") {
        value = rng.Pick(kTagValues);
      } else if (key == "env") {
        value = rng.Pick(Strings{"dev", "prod"});
      } else if (key == "cost-center") {
        value = rng.Pick(Strings{"4411", "12", "1.0", "x"});
      } else if (key == "flag") {
        value = rng.Pick(Strings{"true", "false", "TRUE", "maybe"});
      } else {
        value = rng.Pick(Strings{"abc", "team", "a"});
      }
      e.tags.emplace_back(key, value);
    }
  }
  for (const Account& a : accounts_) {
    Strings names = kRepositoryNames;
    size_t count = 1 + rng.Below(3);
    for (size_t i = 0; i < count && !names.empty(); ++i) {
      size_t pick = rng.Below(names.size());
      Repository r;
      r.account = a.id;
      r.region = rng.Percent(80) ? "us-east-1" : "eu-west-1";
      r.name = names[pick];
      names.erase(names.begin() + static_cast<long>(pick));
      r.arn = "arn:aws:ecr:" + r.region + ":" + a.id + ":repository/" + r.name;
      repositories_.push_back(std::move(r));
    }
    if (rng.Percent(45)) registries_.emplace_back(a.id, "us-east-1");
    if (rng.Percent(15)) registries_.emplace_back(a.id, "eu-west-1");
  }

  Writer w(rng, accounts_, entities_, repositories_);
  w.set_condition_percent(rng.Pick(std::vector<int>{25, 45, 75}));

  // ---- accounts with SCP / RCP levels ------------------------------------------------------
  Strings account_docs;
  for (const Account& a : accounts_) {
    Object o;
    o.Add("id", Quote(a.id));
    if (!a.org_id.empty()) {
      o.Add("orgId", Quote(a.org_id));
      if (rng.Percent(60)) {
        Strings paths = {Quote(a.org_id + "/r-ab12/")};
        if (rng.Percent(50)) paths.push_back(Quote(a.org_id + "/r-ab12/ou-ab12-11111111/"));
        o.Add("orgPaths", Array(paths));
      }
      if (a.management) o.Add("management", "true");
      if (rng.Percent(65)) {
        Strings levels;
        size_t count = 1 + rng.Below(3);
        for (size_t l = 0; l < count; ++l) {
          Strings level;
          if (rng.Percent(85)) {
            level.push_back(
                "{\"name\":\"FullAWSAccess\",\"policy\":{\"Version\":\"2012-10-17\","
                "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}}");
          }
          size_t extra = rng.Below(level.empty() ? 3 : 2);
          if (level.empty() && extra == 0) extra = 1;  // a level is never empty here
          for (size_t i = 0; i < extra; ++i) {
            std::string doc = w.Policy(Kind::kScp, a.id, 4800);
            if (rng.Percent(70)) {
              level.push_back(
                  "{\"name\":" + Quote("scp-" + std::to_string(l) + "-" + std::to_string(i)) +
                  ",\"policy\":" + doc + "}");
            } else {
              level.push_back(doc);  // a bare document: named scp[l][i] by the loader
            }
          }
          levels.push_back(Array(level));
        }
        o.Add("scps", Array(levels));
      }
      if (rng.Percent(40)) {
        Strings levels;
        size_t count = 1 + rng.Below(2);
        for (size_t l = 0; l < count; ++l) {
          Strings level;
          if (rng.Percent(70)) {
            level.push_back(
                "{\"name\":\"RCPFullAWSAccess\",\"policy\":{\"Version\":\"2012-10-17\","
                "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
                "\"Resource\":\"*\"}]}}");
          }
          if (rng.Percent(70) || level.empty()) {
            level.push_back("{\"name\":" + Quote("rcp-" + std::to_string(l)) +
                            ",\"policy\":" + w.Policy(Kind::kRcp, a.id, 4800) + "}");
          }
          levels.push_back(Array(level));
        }
        o.Add("rcps", Array(levels));
      }
    }
    account_docs.push_back(o.Done());
  }

  // ---- managed policies (shared; some become boundaries) -----------------------------------
  Strings managed_docs;
  std::vector<std::pair<std::string, std::string>> managed;  // (arn, account or "aws")
  static const Strings kAwsManaged = {"arn:aws:iam::aws:policy/EcrPowerUser",
                                      "arn:aws:iam::aws:policy/ReadOnlyRegistry"};
  for (const std::string& arn : kAwsManaged) {
    if (!rng.Percent(60)) continue;
    managed.emplace_back(arn, "aws");
    managed_docs.push_back("{\"arn\":" + Quote(arn) +
                           ",\"policy\":" + w.Policy(Kind::kIdentity, accounts_[0].id, 6000) + "}");
  }
  for (const Account& a : accounts_) {
    size_t count = rng.Below(4);
    for (size_t i = 0; i < count; ++i) {
      std::string arn = "arn:aws:iam::" + a.id + ":policy/" +
                        (rng.Percent(30) ? "boundaries/" : "") + "P" + std::to_string(i);
      managed.emplace_back(arn, a.id);
      managed_docs.push_back(
          "{\"arn\":" + Quote(arn) + ",\"policy\":" +
          w.Policy(rng.Percent(30) ? Kind::kBoundary : Kind::kIdentity, a.id, 5800) + "}");
    }
  }
  auto attachable = [&](const std::string& account) {
    Strings out;
    for (const auto& [arn, owner] : managed) {
      if (owner == "aws" || owner == account) out.push_back(arn);
    }
    return out;
  };
  auto pick_attachments = [&](const std::string& account, size_t max) {
    Strings pool = attachable(account);
    Strings out;
    size_t n = pool.empty() ? 0 : rng.Below(max + 1);
    for (size_t i = 0; i < n && !pool.empty(); ++i) {
      size_t pick = rng.Below(pool.size());
      out.push_back(Quote(pool[pick]));
      pool.erase(pool.begin() + static_cast<long>(pick));
    }
    return out;
  };
  // Inline policies under an aggregate quota (R32: user 2,048, group 5,120, role 10,240).
  auto inline_policies = [&](const std::string& account, size_t max_count, size_t aggregate) {
    Strings out;
    size_t n = rng.Below(max_count + 1);
    size_t budget = n == 0 ? 0 : aggregate / n - 40;
    for (size_t i = 0; i < n; ++i) {
      out.push_back("{\"name\":" + Quote("inline" + std::to_string(i)) +
                    ",\"policy\":" + w.Policy(Kind::kIdentity, account, budget) + "}");
    }
    return out;
  };

  // ---- groups ------------------------------------------------------------------------------
  Strings group_docs;
  std::vector<std::pair<std::string, std::string>> groups;  // (account, name)
  for (const Account& a : accounts_) {
    size_t count = rng.Below(3);
    for (size_t i = 0; i < count; ++i) {
      std::string name = i == 0 ? "developers" : "ops";
      groups.emplace_back(a.id, name);
      Object g;
      g.Add("account", Quote(a.id));
      g.Add("name", Quote(name));
      Strings inl = inline_policies(a.id, 2, 5000);
      if (!inl.empty()) g.Add("inlinePolicies", Array(inl));
      Strings att = pick_attachments(a.id, 2);
      if (!att.empty()) g.Add("managedPolicies", Array(att));
      group_docs.push_back(g.Done());
    }
  }

  // ---- principals --------------------------------------------------------------------------
  Strings principal_docs;
  for (const Entity& e : entities_) {
    Object p;
    p.Add("arn", Quote(e.arn));
    if (!e.unique_id.empty()) p.Add("uniqueId", Quote(e.unique_id));
    if (!e.tags.empty()) p.Add("tags", Tags(e.tags));
    if (e.user) {
      Strings member;
      for (const auto& [account, name] : groups) {
        if (account == e.account && rng.Percent(50)) member.push_back(Quote(name));
      }
      if (!member.empty()) p.Add("groups", Array(member));
    }
    Strings inl = inline_policies(e.account, 2, e.user ? 2000 : 9000);
    if (rng.Percent(4)) {
      // Users: 17–30 statements fit the 2,048 quota alone. Roles: up to 80, beyond the 64
      // applicable allows the compiled engine remembers before it rescans.
      if (e.user) {
        inl.clear();
      } else if (inl.size() > 1) {
        inl.pop_back();  // R32: one ordinary inline policy (≤ 4,460) + 80 statements < 10,240
      }
      size_t n = 17 + rng.Below(e.user ? 14 : 64);
      inl.push_back("{\"name\":\"wide\",\"policy\":" + w.WidePolicy(n) + "}");
    }
    if (!inl.empty()) p.Add("inlinePolicies", Array(inl));
    Strings att = pick_attachments(e.account, 2);
    if (!att.empty()) p.Add("managedPolicies", Array(att));
    if (rng.Percent(30)) {
      Strings pool = attachable(e.account);
      if (!pool.empty()) p.Add("permissionsBoundary", Quote(rng.Pick(pool)));
    }
    principal_docs.push_back(p.Done());
  }

  // ---- repositories and registries ---------------------------------------------------------
  Strings repository_docs;
  for (const Repository& r : repositories_) {
    Object o;
    o.Add("arn", Quote(r.arn));
    // ECR tag keys are case-sensitive (R63): `Team` next to `team` is legal and rare.
    std::vector<std::pair<std::string, std::string>> tags;
    std::set<std::string> seen;
    size_t tag_count = rng.Below(4);
    for (size_t t = 0; t < tag_count; ++t) {
      static const Strings kKeysPool = {"team", "env", "owner", "team", "env"};
      std::string key = rng.Pick(kKeysPool);
      if (key == "team" && rng.Percent(6)) key = "Team";
      if (!seen.insert(key).second) continue;
      std::string value = key == "env"     ? rng.Pick(Strings{"dev", "prod"})
                          : key == "owner" ? rng.Pick(kUserNames)
                                           : rng.Pick(kTagValues);
      tags.emplace_back(key, value);
    }
    if (!tags.empty()) o.Add("tags", Tags(tags));
    if (rng.Percent(60)) o.Add("policy", w.Policy(Kind::kRepository, r.account, 9000));
    repository_docs.push_back(o.Done());
  }
  Strings registry_docs;
  for (const auto& [account, region] : registries_) {
    Object o;
    o.Add("account", Quote(account));
    o.Add("region", Quote(region));
    o.Add("policy", w.Policy(Kind::kRegistry, account, 9000));
    registry_docs.push_back(o.Done());
  }

  Object store;
  store.Add("description", Quote("random store, seed " + std::to_string(seed_)));
  store.Add("accounts", Array(account_docs));
  if (!managed_docs.empty()) store.Add("managedPolicies", Array(managed_docs));
  if (!group_docs.empty()) store.Add("groups", Array(group_docs));
  store.Add("principals", Array(principal_docs));
  store.Add("repositories", Array(repository_docs));
  if (!registry_docs.empty()) store.Add("registries", Array(registry_docs));
  return store.Done();
}

std::string RandomWorld::NextRequest() {
  Rng& rng = request_rng_;
  Writer w(rng, accounts_, entities_, repositories_);
  Object line;
  std::string principal;
  bool session = false;
  int who = static_cast<int>(rng.Below(100));
  if (who < 35) {
    const Entity* u = w.PickEntity(true);
    principal = u != nullptr ? u->arn : "anonymous";
  } else if (who < 62) {
    const Entity* r = w.PickEntity(false);
    if (r != nullptr) {
      principal = w.SessionArn(*r, rng.Pick(kSessionNames));
      session = true;
    }
  } else if (who < 67) {
    const Entity* r = w.PickEntity(false);
    if (r != nullptr) {
      principal = r->arn;  // a role ARN as caller: a session with an unknown name
      session = true;
    }
  } else if (who < 78) {
    principal = "arn:aws:iam::" + w.AnyAccount() + ":root";  // unknown account: rejected
  } else if (who < 88) {
    principal = rng.Pick(kServices);
  } else if (who < 94) {
    principal = "anonymous";
  } else if (who < 95) {
    principal = "arn:aws:iam::" + rng.Pick(accounts_).id + ":user/ghost";  // rejected
  }
  if (principal.empty()) {
    const Entity* u = w.PickEntity(true);
    principal = u != nullptr ? u->arn : "anonymous";
  }

  std::string action;
  std::string resource;
  int what = static_cast<int>(rng.Below(100));
  if (what < 6) {
    // Services outside the catalog are accepted as is (R40 applies to known services only).
    int service = static_cast<int>(rng.Below(3));
    if (service == 0) {
      action = "s3:GetObject";
      resource = "arn:aws:s3:::bucket/key";
    } else if (service == 1) {
      action = "logs:GetLogEvents";  // a resource with more than five colons
      resource = "arn:aws:logs:us-east-1:" + rng.Pick(accounts_).id +
                 (rng.Percent(50) ? ":log-group:app:log-stream:s1" : ":log-group:app");
    } else {
      const Entity& e = rng.Pick(entities_);
      action = "iam:GetUser";
      resource = e.arn;
    }
  } else {
    action = what < 30 ? rng.Pick(kHotActions) : rng.Pick(catalog::Actions()).full_name();
    bool wildcard_only = catalog::IsWildcardOnlyAction(action);
    if (rng.Percent(5)) action = MangleCase(rng, action);  // R36
    if (wildcard_only) {
      resource = rng.Percent(2) ? w.RepositoryArn() : "*";  // repository ARN: rejected
    } else {
      std::string account = principal.starts_with("arn:") ? principal.substr(13, 12) : "";
      resource = rng.Percent(1) ? "*" : w.RepositoryArn(account);  // `*`: rejected
    }
  }

  line.Add("principal", Quote(principal));
  line.Add("action", Quote(action));
  line.Add("resource", Quote(resource));
  if (rng.Percent(85)) line.Add("context", w.Context());
  if (session) {
    if (rng.Percent(10)) line.Add("sessionTags", w.SessionTags());
    if (rng.Percent(3)) {
      // Session policies are per request; the compiled engine defers them to the reference.
      std::string doc = Writer(rng, accounts_, entities_, repositories_)
                            .Policy(Kind::kSession, principal.substr(13, 12), 1500);
      line.Add("sessionPolicy", doc);
    }
  }
  return line.Done();
}

}  // namespace policy_engine::differential
