// Resource ARN checks against the service reference's resource types (R41–R48, §9.2): each
// `Resource` ARN is analysed once per check (cheap: a literal-prefix filter rejects almost every
// format before the glob intersection runs). Patterns and syntax (service case, wildcard service,
// partition, region and account syntax) are ERRORs; findings that rest on the reference's list of
// resource types are WARNINGs, because the reference lags AWS (docs/lint.md).
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy_engine/lint/checks.h"
#include "policy_engine/lint/service_reference.h"
#include "policy_engine/match/match.h"

namespace policy_engine::lint {
namespace {

using Format = ServiceInfo::ArnFormat;

enum class ArnProblem : uint8_t {
  kNone,
  kServiceCase,
  kServiceWildcard,
  kPartition,
  kRegion,
  kMissingRegion,
  kRegionNotAllowed,
  kAccount,
  kMissingAccount,
  kAccountNotAllowed,
  kResource,
};

bool IsOpen(std::string_view s) {  // a wildcard or a variable: any value is possible
  return s.find_first_of("*?") != std::string_view::npos || s.find("${") != std::string_view::npos;
}

// A glob with the length of its literal prefix (the text before the first `*` or `?`), ASCII
// lower case: GlobsIntersect compares letters without case (lenient: the reference's spelling of
// literal parts is not authoritative).
struct Glob {
  std::string_view text;
  size_t literal;
};

Glob MakeGlob(std::string_view lower) {
  size_t lit = 0;
  while (lit < lower.size() && lower[lit] != '*' && lower[lit] != '?') ++lit;
  return {lower, lit};
}

// Is there a string matched by both globs? `*` any run, `?` one character. A depth-first search
// over pairs of positions; the literal prefixes reject almost every pair of formats at once.
bool GlobsIntersect(Glob pg, Glob fg) {
  std::string_view p = pg.text, f = fg.text;
  size_t common = std::min(pg.literal, fg.literal);
  if (p.compare(0, common, f, 0, common) != 0) return false;
  if (pg.literal == p.size() && fg.literal == f.size()) return p == f;
  size_t n = p.size(), m = f.size();
  thread_local std::vector<char> seen;
  thread_local std::vector<std::pair<size_t, size_t>> stack;
  seen.assign((n + 1) * (m + 1), 0);
  stack.clear();
  auto push = [&](size_t i, size_t j) {
    char& s = seen[i * (m + 1) + j];
    if (!s) {
      s = 1;
      stack.emplace_back(i, j);
    }
  };
  push(common, common);
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (i == n && j == m) return true;
    if (i < n && p[i] == '*') push(i + 1, j);
    if (j < m && f[j] == '*') push(i, j + 1);
    if (i < n && j < m) {
      char a = p[i], b = f[j];
      bool ok = a == '*' || a == '?' || b == '*' || b == '?' || a == b;
      size_t ni = a == '*' ? i : i + 1, nj = b == '*' ? j : j + 1;
      if (ok && (ni != i || nj != j)) push(ni, nj);
    }
  }
  return false;
}

Glob FormatGlob(const Format& f, int field) { return {f.globs[field], f.literal[field]}; }

// aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-eusc, …: `aws` and dash-separated lower-case
// words (R41 accepts isolated partitions as opaque strings, so only the shape is checked).
bool PartitionLike(std::string_view s) {
  if (!s.starts_with("aws")) return false;
  std::string_view rest = s.substr(3);
  while (!rest.empty()) {
    if (rest[0] != '-' || rest.size() < 2) return false;
    size_t k = 1;
    while (k < rest.size() && rest[k] != '-') {
      if (!std::islower(static_cast<unsigned char>(rest[k])) &&
          !std::isdigit(static_cast<unsigned char>(rest[k]))) {
        return false;
      }
      ++k;
    }
    rest = rest.substr(k);
  }
  return true;
}

// us-east-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1: letters, dash-separated words,
// a trailing number.
bool RegionLike(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '-') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 3 || parts[0].size() < 2) return false;
  for (size_t k = 0; k + 1 < parts.size(); ++k) {
    if (parts[k].empty() || !std::all_of(parts[k].begin(), parts[k].end(),
                                         [](char ch) { return ch >= 'a' && ch <= 'z'; })) {
      return false;
    }
  }
  std::string_view last = parts.back();
  return !last.empty() && last.size() <= 2 &&
         std::all_of(last.begin(), last.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool AccountLike(std::string_view s) {
  return s == "aws" || (s.size() == 12 && std::all_of(s.begin(), s.end(), [](char ch) {
                          return ch >= '0' && ch <= '9';
                        }));
}

// Services whose AWS-owned resources have ARNs without an account, though the reference's formats
// all have one: SSM documents and public parameters (`arn:aws:ssm:*::document/AWS-RunShellScript`,
// `…::parameter/aws/service/…`) and Resource Explorer's AWS service views.
bool AwsOwnedWithoutAccount(std::string_view service) {
  return service == "ssm" || service == "resource-explorer-2";
}

// Services renamed while keeping their actions' prefix: the old prefix's actions take the new
// service's ARNs (CodeStar Connections became CodeConnections).
std::string_view RenamedArnService(std::string_view prefix) {
  if (prefix == "codestar-connections") return "codeconnections";
  if (prefix == "codeconnections") return "codestar-connections";
  return {};
}

struct ArnVerdict {
  ArnProblem problem = ArnProblem::kNone;
  bool judged = false;  // the ARN's service has formats in the reference
  std::vector<std::string_view> fields;
  const std::vector<const Format*>* formats = nullptr;  // every format of the ARN's service
  std::vector<const Format*> candidates;  // those whose resource part this ARN's can match
};

ArnVerdict AnalyzeArn(std::string_view text) {
  ArnVerdict v;
  if (!text.starts_with("arn:")) return v;
  v.fields = ArnFields(text, true);
  if (v.fields.size() < 6) return v;  // MISSING_ARN_FIELD
  std::string_view partition = v.fields[1], service = v.fields[2], region = v.fields[3],
                   account = v.fields[4];
  if (service.find("${") != std::string_view::npos) return v;
  if (HasWildcard(service)) {
    v.problem = ArnProblem::kServiceWildcard;
    return v;
  }
  const ServiceReference& ref = ServiceReference::Get();
  const auto& formats = ref.FormatsForArnService(service);
  if (formats.empty()) return v;  // a service the reference does not know: not judged
  if (std::any_of(service.begin(), service.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    v.problem = ArnProblem::kServiceCase;
    return v;
  }
  if (!IsOpen(partition) && !PartitionLike(partition)) {
    v.problem = ArnProblem::kPartition;
    return v;
  }
  v.judged = true;
  v.formats = &formats;
  auto literal_in_formats = [&](std::string_view value, int field) {
    return std::any_of(formats.begin(), formats.end(), [&](const Format* f) {
      return !IsOpen(f->fields[field]) && match::AsciiEqualsIgnoreCase(f->fields[field], value);
    });
  };
  if (!region.empty() && !IsOpen(region) && !RegionLike(region) && !literal_in_formats(region, 3)) {
    v.problem = ArnProblem::kRegion;
    return v;
  }
  if (!account.empty() && !IsOpen(account) && !AccountLike(account) &&
      !literal_in_formats(account, 4)) {
    v.problem = ArnProblem::kAccount;
    return v;
  }
  // The resource types whose resource part this ARN's can match.
  std::string resource = match::AsciiLower(VariablesAsWildcards(v.fields[5]));
  Glob glob = MakeGlob(resource);
  std::vector<const Format*>& candidates = v.candidates;
  for (const Format* f : formats) {
    if (GlobsIntersect(glob, FormatGlob(*f, 5))) candidates.push_back(f);
  }
  if (candidates.empty()) {
    v.problem = ArnProblem::kResource;
    return v;
  }
  auto all_empty = [&](int field) {
    return std::all_of(candidates.begin(), candidates.end(),
                       [&](const Format* f) { return f->fields[field].empty(); });
  };
  auto none_empty = [&](int field) {
    return std::none_of(candidates.begin(), candidates.end(),
                        [&](const Format* f) { return f->fields[field].empty(); });
  };
  if (region.empty() && none_empty(3)) {
    v.problem = ArnProblem::kMissingRegion;
  } else if (!region.empty() && !IsOpen(region) && all_empty(3)) {
    v.problem = ArnProblem::kRegionNotAllowed;
  } else if (account.empty() && none_empty(4) && !AwsOwnedWithoutAccount(service)) {
    v.problem = ArnProblem::kMissingAccount;
  } else if (!account.empty() && !IsOpen(account) && all_empty(4)) {
    v.problem = ArnProblem::kAccountNotAllowed;
  }
  return v;
}

// AnalyzeArn is pure and eleven checks ask about the same ARNs: memoized for one LintPolicy call
// (ResetArnMemo), so that figures measured on repeated input stay honest. The verdict's fields
// view into the map's key, which node-based maps never move.
thread_local std::unordered_map<std::string, ArnVerdict> arn_memo;

const ArnVerdict& AnalyzeArnCached(const std::string& text) {
  if (auto it = arn_memo.find(text); it != arn_memo.end()) return it->second;
  auto [it, inserted] = arn_memo.emplace(text, ArnVerdict{});
  it->second = AnalyzeArn(it->first);
  return it->second;
}

std::string Examples(const std::vector<const Format*>& formats) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const Format* f : formats) {
    std::string s = f->fields[0];
    for (int k = 1; k < 6; ++k) s += ":" + f->fields[k];
    if (seen.insert(s).second) out.push_back(s);
  }
  return JoinQuoted(out, 2);
}

// Reports every Resource/NotResource ARN whose analysis is `kProblem`.
template <ArnProblem kProblem, typename Message>
void ReportArns(const LintContext& c, Reporter& r, Message message) {
  for (const StatementView& st : c.policy.statements) {
    for (const ValueRef& v : st.resource.values) {
      const ArnVerdict& verdict = AnalyzeArnCached(v.text);
      if (verdict.problem != kProblem) continue;
      auto [msg, hint] = message(v, verdict);
      r.At(*v.node, v.pointer, std::move(msg), std::move(hint));
    }
  }
}

using Pair = std::pair<std::string, std::string>;

}  // namespace

void ResetArnMemo() { arn_memo.clear(); }

void CheckInvalidArnServiceCase(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kServiceCase>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    std::string lower = match::AsciiLower(a.fields[2]);
    return Pair{"the service `" + std::string(a.fields[2]) + "` in resource " + Quote(v.text) +
                    " is not lower case; ARNs match case-sensitively (R46), so it matches nothing",
                "write `" + lower + "`"};
  });
}

void CheckWildcardInArnService(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kServiceWildcard>(c, r, [](const ValueRef& v, const ArnVerdict&) {
    return Pair{
        "you can't use a wildcard in the service segment of resource " + Quote(v.text) + " (R47)",
        "name the service, or use \"*\" for every resource"};
  });
}

void CheckInvalidPartition(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kPartition>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"partition `" + std::string(a.fields[1]) + "` of resource " + Quote(v.text) +
                    " is not a partition (`aws`, `aws-cn`, `aws-us-gov`, …)",
                "write `aws`, another partition, or `*`"};
  });
}

void CheckInvalidArnRegion(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kRegion>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"region `" + std::string(a.fields[3]) + "` of resource " + Quote(v.text) +
                    " is not a region code such as `us-east-1`",
                "write a region code, or `*`"};
  });
}

void CheckMissingArnRegion(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kMissingRegion>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"resource " + Quote(v.text) + " has no region, but every `" +
                    std::string(a.fields[2]) + "` resource type it could name has one, e.g. " +
                    Examples(a.candidates),
                "add the region (or `*`) to the fourth field"};
  });
}

void CheckArnRegionNotAllowed(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kRegionNotAllowed>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"resource " + Quote(v.text) + " names region `" + std::string(a.fields[3]) +
                    "`, but the `" + std::string(a.fields[2]) +
                    "` resource types it could name have none, so it matches nothing",
                "leave the region field empty"};
  });
}

void CheckInvalidArnAccount(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kAccount>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"account `" + std::string(a.fields[4]) + "` of resource " + Quote(v.text) +
                    " is not a 12-digit account id",
                "write the 12-digit account id, or `*`"};
  });
}

void CheckMissingArnAccount(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kMissingAccount>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"resource " + Quote(v.text) + " has no account, but every `" +
                    std::string(a.fields[2]) +
                    "` resource type it could name has one, so it matches nothing",
                "add the account id (or `*`) to the fifth field"};
  });
}

void CheckArnAccountNotAllowed(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kAccountNotAllowed>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"resource " + Quote(v.text) + " names account `" + std::string(a.fields[4]) +
                    "`, but the `" + std::string(a.fields[2]) +
                    "` resource types it could name have none, so it matches nothing",
                "leave the account field empty, e.g. `arn:aws:s3:::bucket`"};
  });
}

void CheckInvalidArnResource(const LintContext& c, Reporter& r) {
  ReportArns<ArnProblem::kResource>(c, r, [](const ValueRef& v, const ArnVerdict& a) {
    return Pair{"the resource part `" + std::string(a.fields[5]) + "` of " + Quote(v.text) +
                    " matches no `" + std::string(a.fields[2]) +
                    "` resource type of the service reference",
                "use a format such as " + Examples(*a.formats) +
                    "; if the resource type is newer than the reference, ignore this warning"};
  });
}

void CheckResourceArnNotMatchingAction(const LintContext& c, Reporter& r) {
  const ServiceReference& ref = ServiceReference::Get();
  for (const StatementView& st : c.policy.statements) {
    if (st.action.negated || st.action.values.empty() || st.resource.negated) continue;
    // The resource formats of every service the statement's actions name; not judged when an
    // action is "*", has a wildcard service, or names a service without formats.
    std::vector<const Format*> formats;
    std::vector<std::string> services;
    bool judged = true;
    for (const ValueRef& a : st.action.values) {
      auto parts = SplitAction(a.text);
      const ServiceInfo* s = parts && !HasWildcard(parts->first) && !parts->first.empty()
                                 ? ref.FindService(parts->first)
                                 : nullptr;
      if (s == nullptr || s->arn_formats.empty()) {
        judged = false;
        break;
      }
      if (std::find(services.begin(), services.end(), s->prefix) != services.end()) continue;
      services.push_back(s->prefix);
      for (const Format& f : s->arn_formats) formats.push_back(&f);
      if (std::string_view alias = RenamedArnService(s->prefix); !alias.empty()) {
        for (const Format* f : ref.FormatsForArnService(alias)) formats.push_back(f);
      }
    }
    if (!judged) continue;
    for (const ValueRef& v : st.resource.values) {
      const ArnVerdict& a = AnalyzeArnCached(v.text);
      if (!a.judged || a.problem != ArnProblem::kNone) continue;
      std::string fields[4];
      Glob globs[4];
      for (int k = 0; k < 4; ++k) {
        fields[k] = match::AsciiLower(VariablesAsWildcards(a.fields[2 + k]));
        globs[k] = MakeGlob(fields[k]);
      }
      bool any = std::any_of(formats.begin(), formats.end(), [&](const Format* f) {
        for (int k = 0; k < 4; ++k) {
          if (!GlobsIntersect(globs[k], FormatGlob(*f, 2 + k))) return false;
        }
        return true;
      });
      if (any) continue;
      r.At(*v.node, v.pointer,
           "resource " + Quote(v.text) + " is no resource type of " + JoinQuoted(services) +
               ", the services of the statement's actions, so it matches none of their requests",
           "name a resource of those services, or move the resource to a statement with its "
           "service's actions; if the resource type is newer than the reference, ignore this");
    }
  }
}

}  // namespace policy_engine::lint
