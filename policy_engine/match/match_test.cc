// Unit tests for policy_engine/match: globs, actions, ARNs and resources, policy variables,
// decimals, dates, IP ranges, booleans, base64 and case folding. Rule numbers refer to
// docs/policy-semantics.md; case ids (C20, E05, ...) to its worked examples in §5.7 and §5.8.
//
// Besides example-based tests, the glob and ARN matchers are checked against a dynamic-programming
// oracle on random inputs, and the hot-path matchers are checked not to allocate (this binary
// replaces the global operator new with a counting one).
#include "policy_engine/match/match.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::atomic<size_t> g_allocations{0};

}  // namespace

// Counting replacements of the global allocation functions, used by HotPathMatchersDoNotAllocate.
// The array and nothrow forms forward to these by default.
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace policy_engine::match {
namespace {

using ::testing::TestWithParam;

// ---------------------------------------------------------------------------------------------
// Oracle: a straightforward DP matcher over ASCII text, used to cross-check the iterative
// matchers. `arn_mode` applies the R45 segment rules.
// ---------------------------------------------------------------------------------------------

struct Token {
  enum Kind { kLiteral, kOne, kStar } kind;
  char ch = 0;
  bool escaped = false;
  bool restricted = false;  // `*`/`?` that cannot match `:` (ARN segments 0–4)
};

std::vector<Token> Tokenize(std::string_view glob, bool arn_mode) {
  std::vector<Token> tokens;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\' && i + 1 < glob.size()) {
      tokens.push_back({Token::kLiteral, glob[i + 1], true, false});
      ++i;
    } else if (glob[i] == '*') {
      tokens.push_back({Token::kStar, 0, false, false});
    } else if (glob[i] == '?') {
      tokens.push_back({Token::kOne, 0, false, false});
    } else {
      tokens.push_back({Token::kLiteral, glob[i], false, false});
    }
  }
  if (arn_mode) {
    int segment = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      Token& tok = tokens[i];
      if (tok.kind == Token::kLiteral) {
        if (tok.ch == ':' && !tok.escaped) {
          ++segment;
        }
        continue;
      }
      if (segment >= 5) {
        continue;
      }
      if (tok.kind == Token::kOne) {
        tok.restricted = true;
      } else {
        const bool last_of_segment =
            i + 1 == tokens.size() || (tokens[i + 1].kind == Token::kLiteral &&
                                       tokens[i + 1].ch == ':' && !tokens[i + 1].escaped);
        tok.restricted = !last_of_segment;
      }
    }
  }
  return tokens;
}

bool OracleMatch(std::string_view glob, std::string_view text, bool arn_mode) {
  const std::vector<Token> tokens = Tokenize(glob, arn_mode);
  const size_t n = tokens.size();
  const size_t m = text.size();
  // dp[i][j]: tokens[i..] match text[j..].
  std::vector<std::vector<char>> dp(n + 1, std::vector<char>(m + 1, 0));
  dp[n][m] = 1;
  for (size_t ii = n; ii-- > 0;) {
    for (size_t jj = m + 1; jj-- > 0;) {
      const Token& tok = tokens[ii];
      const bool can_take = jj < m && (!tok.restricted || text[jj] != ':');
      switch (tok.kind) {
        case Token::kLiteral:
          dp[ii][jj] = jj < m && text[jj] == tok.ch && dp[ii + 1][jj + 1];
          break;
        case Token::kOne:
          dp[ii][jj] = can_take && dp[ii + 1][jj + 1];
          break;
        case Token::kStar:
          dp[ii][jj] = dp[ii + 1][jj] || (can_take && dp[ii][jj + 1]);
          break;
      }
    }
  }
  return dp[0][0] != 0;
}

std::string RandomString(std::mt19937& rng, std::string_view alphabet, size_t max_len) {
  std::uniform_int_distribution<size_t> len_dist(0, max_len);
  std::uniform_int_distribution<size_t> char_dist(0, alphabet.size() - 1);
  std::string s;
  const size_t len = len_dist(rng);
  for (size_t i = 0; i < len; ++i) {
    s += alphabet[char_dist(rng)];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Globs
// ---------------------------------------------------------------------------------------------

TEST(GlobMatchTest, StarMatchesAnyRunIncludingEmptySlashesAndColons) {
  // R37, §3.4: `*` is any run of characters; it crosses `/` and `:`.
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything/at:all"));
  EXPECT_TRUE(GlobMatch("a*", "a/b:c"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "abc"));
  EXPECT_TRUE(GlobMatch("**a**", "a"));
  EXPECT_FALSE(GlobMatch("a*b", "a"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(GlobMatch("*ab", "aab"));
  EXPECT_FALSE(GlobMatch("*ab", "xa"));
}

TEST(GlobMatchTest, WholeStringOnlyAndEmptyCases) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_FALSE(GlobMatch("a", ""));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
  EXPECT_FALSE(GlobMatch("bcd", "abcd"));
  EXPECT_TRUE(GlobMatch("abcd", "abcd"));
}

TEST(GlobMatchTest, QuestionMarkMatchesExactlyOneCodePoint) {
  // R37: `?` is one character; a multi-byte UTF-8 character is one character.
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_TRUE(GlobMatch("?", "a"));
  EXPECT_FALSE(GlobMatch("?", "ab"));
  EXPECT_TRUE(GlobMatch("?", "\xC3\xA9"));  // é, two bytes
  EXPECT_FALSE(GlobMatch("??", "\xC3\xA9"));
  EXPECT_TRUE(GlobMatch("?", "\xE2\x82\xAC"));      // €, three bytes
  EXPECT_TRUE(GlobMatch("?", "\xF0\x9F\x98\x80"));  // U+1F600, four bytes
  EXPECT_TRUE(GlobMatch("a?c",
                        "a\xE2\x82\xAC"
                        "c"));
  // A star must not stop in the middle of a character either: `*??` needs two characters.
  EXPECT_FALSE(GlobMatch("*??", "\xE2\x82\xAC"));
  EXPECT_TRUE(GlobMatch("*??", "x\xE2\x82\xAC"));
  EXPECT_FALSE(GlobMatch("*???", "\xF0\x9F\x98\x80"));
}

TEST(GlobMatchTest, MalformedUtf8BytesCountAsOneCharacterEach) {
  EXPECT_TRUE(GlobMatch("?", "\xFF"));
  EXPECT_TRUE(GlobMatch("??", "\xFF\xFE"));
  EXPECT_TRUE(GlobMatch("??",
                        "\xC3"
                        "a"));               // truncated sequence, then `a`
  EXPECT_TRUE(GlobMatch("??", "\xC0\xAF"));  // overlong `/` is two bad bytes
  EXPECT_TRUE(GlobMatch("*\xFF", "abc\xFF"));
}

TEST(GlobMatchTest, IsCaseSensitive) {
  // E12: StringLike "ABC*" does not match "abcd".
  EXPECT_FALSE(GlobMatch("ABC*", "abcd"));
  EXPECT_TRUE(GlobMatch("ABC*", "ABCd"));
}

TEST(GlobMatchTest, EscapesMakeWildcardsAndBackslashLiteral) {
  // R98, R103: `\*` and `\?` are the literal characters.
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b"));
  EXPECT_FALSE(GlobMatch("a\\*b", "aXb"));
  EXPECT_TRUE(GlobMatch("a\\?b", "a?b"));
  EXPECT_FALSE(GlobMatch("a\\?b", "aXb"));
  EXPECT_TRUE(GlobMatch("\\\\", "\\"));
  EXPECT_TRUE(GlobMatch("\\a", "a"));
  // A trailing lone backslash stands for itself rather than crashing.
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));
  EXPECT_TRUE(GlobMatch("*\\*", "xyz*"));
  EXPECT_FALSE(GlobMatch("*\\*", "xyz"));
}

TEST(GlobMatchTest, SetOperatorExamplesE15AndE16MatchElementwise) {
  // E15/E16: ForAllValues:StringLike aws:TagKeys [team*, env] — each request element is tested
  // against the patterns with GlobMatch.
  auto any = [](std::string_view x) { return GlobMatch("team*", x) || GlobMatch("env", x); };
  EXPECT_TRUE(any("team-a"));
  EXPECT_TRUE(any("env"));
  EXPECT_FALSE(any("owner"));
  EXPECT_FALSE(any("environment"));
}

TEST(GlobMatchTest, PathologicalPatternsFinishQuickly) {
  // The two-pointer algorithm is O(n*m); a backtracking one would be exponential here.
  const std::string text(20000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a", text));
  EXPECT_FALSE(ResourceMatch("arn:a*a*a*a*a*a*a*a*a*b", "arn:" + text));
  EXPECT_FALSE(ResourceMatch("arn:*:*:*:*:*a*a*a*a*a*a*b", "arn:" + text));
  const std::string colons = "arn:" + std::string(2000, ':');
  EXPECT_FALSE(ResourceMatch("arn:*a:*a:*a:*a:*a", colons));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(GlobMatchTest, AgreesWithDynamicProgrammingOracleOnRandomInputs) {
  std::mt19937 rng(20240611);
  for (int i = 0; i < 30000; ++i) {
    const std::string glob = RandomString(rng, "ab:*?\\", 8);
    const std::string text = RandomString(rng, "ab:*?\\", 10);
    ASSERT_EQ(GlobMatch(glob, text), OracleMatch(glob, text, false))
        << "glob=" << glob << " text=" << text;
  }
}

TEST(EscapeGlobTest, EscapesOnlyMetacharacters) {
  EXPECT_EQ(EscapeGlob(""), "");
  EXPECT_EQ(EscapeGlob("plain/text:1"), "plain/text:1");
  EXPECT_EQ(EscapeGlob("a*b?c\\d"), "a\\*b\\?c\\\\d");
  EXPECT_EQ(EscapeGlob("${x}"), "${x}");
}

TEST(EscapeGlobTest, EscapedTextMatchesOnlyItself) {
  // R102: substituted values never act as wildcards.
  for (std::string_view s : {"a*", "*", "?", "a?c", "\\", "x\\*y", "", "\xC3\xA9*"}) {
    EXPECT_TRUE(GlobMatch(EscapeGlob(s), s)) << s;
    EXPECT_EQ(UnescapeGlob(EscapeGlob(s)), s) << s;
  }
  EXPECT_FALSE(GlobMatch(EscapeGlob("a*"), "abc"));
  EXPECT_FALSE(GlobMatch(EscapeGlob("a?c"), "abc"));
}

TEST(UnescapeGlobTest, RemovesEscapesAndKeepsBareWildcards) {
  EXPECT_EQ(UnescapeGlob("a\\*b"), "a*b");
  EXPECT_EQ(UnescapeGlob("a*b?"), "a*b?");
  EXPECT_EQ(UnescapeGlob("\\\\"), "\\");
  EXPECT_EQ(UnescapeGlob("a\\"), "a\\");
  EXPECT_EQ(UnescapeGlob(""), "");
}

TEST(IsStarOnlyTest, AcceptsOnlyNonEmptyRunsOfUnescapedStars) {
  // R44, R50.
  EXPECT_TRUE(IsStarOnly("*"));
  EXPECT_TRUE(IsStarOnly("***"));
  EXPECT_FALSE(IsStarOnly(""));
  EXPECT_FALSE(IsStarOnly("\\*"));
  EXPECT_FALSE(IsStarOnly("*a"));
  EXPECT_FALSE(IsStarOnly("?"));
  EXPECT_FALSE(IsStarOnly("arn:*"));
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

TEST(ValidateActionPatternTest, AcceptsWellFormedPatterns) {
  // R35.
  for (std::string_view p :
       {"*", "ecr:*", "ecr:BatchGetImage", "ecr:Get*", "ecr:???Image",
        "ecr-public:GetAuthorizationToken", "EC2:Describe*", "s3:*Object2", "sts:AssumeRole"}) {
    EXPECT_TRUE(ValidateActionPattern(p).ok()) << p;
  }
}

TEST(ValidateActionPatternTest, AcceptsWildcardInServicePrefixForTheLinterToReport) {
  // R37: `e*:*` is compiled (it matches only a service literally named `e*`).
  EXPECT_TRUE(ValidateActionPattern("e*:*").ok());
  EXPECT_TRUE(ValidateActionPattern("ec?:Get*").ok());
}

TEST(ValidateActionPatternTest, RejectsMalformedPatternsWithInvalidAction) {
  // R35: spaces, a second colon, an empty pattern, other characters.
  for (std::string_view p : {"",
                             "ecr",
                             "**",
                             "BatchGetImage",
                             "ecr:",
                             ":BatchGetImage",
                             ":",
                             "ecr:Batch:GetImage",
                             "ecr::x",
                             "ecr:Get Image",
                             " ecr:x",
                             "ecr:x ",
                             "e cr:x",
                             "ecr:Get-Image",
                             "ecr:Get_Image",
                             "ecr:Get\\*",
                             "ecr:G\xC3\xA9t",
                             "ec.r:x",
                             "ecr:${aws:username}",
                             "ecr:*\xFF"}) {
    const Status s = ValidateActionPattern(p);
    EXPECT_FALSE(s.ok()) << p;
    EXPECT_EQ(s.code(), "INVALID_ACTION") << p;
  }
}

TEST(ValidateActionPatternTest, MessagesAreLowerCaseOneLineAndQuoteTheValue) {
  EXPECT_EQ(ValidateActionPattern("ecr:").message(), "action `ecr:` has an empty action name");
  EXPECT_EQ(ValidateActionPattern(":x").message(), "action `:x` has an empty service prefix");
  EXPECT_EQ(ValidateActionPattern("a:b:c").message(), "action `a:b:c` has more than one colon");
  EXPECT_EQ(ValidateActionPattern("ecr:Get Image").message(),
            "action `ecr:Get Image` has an invalid character U+0020 in its action name");
  EXPECT_EQ(ValidateActionPattern("e_cr:x").message(),
            "action `e_cr:x` has an invalid character U+005F in its service prefix");
  EXPECT_EQ(ValidateActionPattern("").message(), "action `` is empty");
  const std::string no_prefix = ValidateActionPattern("BatchGetImage").message();
  EXPECT_NE(no_prefix.find("`BatchGetImage`"), std::string::npos);
  EXPECT_NE(ValidateActionPattern("ecr:\xFF").message().find("byte 0xFF"), std::string::npos);
}

TEST(ActionMatchTest, StarMatchesEveryActionOfEveryService) {
  // R38.
  EXPECT_TRUE(ActionMatch("*", "ecr:BatchGetImage"));
  EXPECT_TRUE(ActionMatch("*", "s3:GetObject"));
  EXPECT_TRUE(ActionMatch("*", "ecr-public:GetAuthorizationToken"));
}

TEST(ActionMatchTest, ServiceWildcardDoesNotReachOtherServices) {
  // R38: `ecr:*` never matches `ecr-public:*` actions.
  EXPECT_TRUE(ActionMatch("ecr:*", "ecr:BatchGetImage"));
  EXPECT_FALSE(ActionMatch("ecr:*", "ecr-public:GetAuthorizationToken"));
  EXPECT_FALSE(ActionMatch("ecr:*", "s3:GetObject"));
  EXPECT_FALSE(ActionMatch("ecr-public:*", "ecr:GetAuthorizationToken"));
}

TEST(ActionMatchTest, PrefixAndNameAreCaseInsensitiveC21) {
  // R36, C21: `ECR:batchgetIMAGE` matches `ecr:BatchGetImage`.
  EXPECT_TRUE(ActionMatch("ECR:batchgetIMAGE", "ecr:BatchGetImage"));
  EXPECT_TRUE(ActionMatch("ecr:*image", "ecr:BatchGetImage"));
  EXPECT_TRUE(ActionMatch("Ecr:Get*", "ecr:GETAUTHORIZATIONTOKEN"));
  EXPECT_FALSE(ActionMatch("ecr:BatchGetImages", "ecr:BatchGetImage"));
}

TEST(ActionMatchTest, QuestionMarkIsExactlyOneCharacterC38) {
  // R37, C38: `ecr:???Image` matches PutImage but not BatchGetImage.
  EXPECT_TRUE(ActionMatch("ecr:???Image", "ecr:PutImage"));
  EXPECT_FALSE(ActionMatch("ecr:???Image", "ecr:BatchGetImage"));
  EXPECT_FALSE(ActionMatch("ecr:????Image", "ecr:PutImage"));
  EXPECT_TRUE(ActionMatch("ecr:Batch?etImage", "ecr:BatchGetImage"));
}

TEST(ActionMatchTest, StarMatchesAnyRunInTheActionName) {
  // R37.
  EXPECT_TRUE(ActionMatch("ecr:Get*", "ecr:GetAuthorizationToken"));
  EXPECT_TRUE(ActionMatch("ecr:Get*", "ecr:Get"));
  EXPECT_FALSE(ActionMatch("ecr:Get*", "ecr:BatchGetImage"));
  EXPECT_TRUE(ActionMatch("ecr:*Get*", "ecr:BatchGetImage"));
  EXPECT_TRUE(ActionMatch("ecr:Delete*", "ecr:DeleteRepository"));  // C36's NotAction pattern
}

TEST(ActionMatchTest, WildcardInServicePrefixIsAnOrdinaryCharacter) {
  // R37: `e*:*` matches only a service literally named `e*`.
  EXPECT_FALSE(ActionMatch("e*:*", "ecr:BatchGetImage"));
  EXPECT_TRUE(ActionMatch("e*:*", "e*:BatchGetImage"));
  EXPECT_FALSE(ActionMatch("ec?:*", "ecr:BatchGetImage"));
}

TEST(ActionMatchTest, MalformedPatternsOrActionsNeverMatch) {
  EXPECT_FALSE(ActionMatch("ecr", "ecr:BatchGetImage"));
  EXPECT_FALSE(ActionMatch("", "ecr:BatchGetImage"));
  EXPECT_FALSE(ActionMatch("ecr:*", "ecr"));
  EXPECT_FALSE(ActionMatch("ecr:*", ""));
  EXPECT_FALSE(ActionMatch("**", "ecr:BatchGetImage"));
  EXPECT_FALSE(ActionMatch(":*", "ecr:BatchGetImage"));
}

// ---------------------------------------------------------------------------------------------
// Resources and ARNs
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kRepoApp = "arn:aws:ecr:us-east-1:111122223333:repository/app";

TEST(ResourceMatchTest, StarOnlyPatternsMatchEverythingIncludingTheWildcardResource) {
  // R44, R50.
  EXPECT_TRUE(ResourceMatch("*", kRepoApp));
  EXPECT_TRUE(ResourceMatch("*", "*"));
  EXPECT_TRUE(ResourceMatch("**", "*"));
  EXPECT_TRUE(ResourceMatch("*", ""));
}

TEST(ResourceMatchTest, SpecificPatternsNeverMatchTheWildcardResourceC23) {
  // R50, C23: even `arn:aws:ecr:*:*:*` does not match the request resource `*`.
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:*:*:*", "*"));
  EXPECT_FALSE(ResourceMatch("arn:*", "*"));
  EXPECT_FALSE(ResourceMatch(kRepoApp, "*"));
  EXPECT_FALSE(ResourceMatch("?", "*"));
  EXPECT_FALSE(ResourceMatch("\\*", "*"));
  EXPECT_FALSE(ResourceMatch("*?", "*"));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:*:*:*", kRepoApp));
}

TEST(ResourceMatchTest, StarInResourceSegmentCrossesSlashesC20) {
  // R45, C20.
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:*:111122223333:repository/team-*",
                            "arn:aws:ecr:us-east-1:111122223333:repository/team-a/app"));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/*",
                            "arn:aws:ecr:us-east-1:111122223333:repository/a/b:c"));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:*:111122223333:repository/team-*",
                             "arn:aws:ecr:us-east-1:444455556666:repository/team-a"));
}

TEST(ResourceMatchTest, WildcardBeforeTheFirstSlashMatches) {
  // R45 (R197 divergence row): `repository/repo*/api`.
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/repo*/api",
                            "arn:aws:ecr:us-east-1:111122223333:repository/repo-x/api"));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/repo*/api",
                             "arn:aws:ecr:us-east-1:111122223333:repository/repo-x/web"));
}

TEST(ResourceMatchTest, IsCaseSensitiveInEverySegmentC22C39) {
  // R46, C22: `repository/Team-*` does not match `team-a`.
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/Team-*",
                             "arn:aws:ecr:us-east-1:111122223333:repository/team-a"));
  // C39: upper-case partition and service.
  EXPECT_FALSE(ResourceMatch("arn:AWS:ECR:us-east-1:111122223333:repository/app", kRepoApp));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:US-EAST-1:111122223333:repository/app", kRepoApp));
  EXPECT_FALSE(ResourceMatch("ARN:aws:ecr:us-east-1:111122223333:repository/app", kRepoApp));
  EXPECT_TRUE(ResourceMatch(kRepoApp, kRepoApp));
}

TEST(ResourceMatchTest, ShortArnEndingInStarMatchesEveryLongerArnR48) {
  // R48: `arn:aws:ecr:*` matches every ECR ARN in the partition.
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:*", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:*", "arn:aws:ecr:eu-west-1:444455556666:repository/x"));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:*", "arn:aws:s3:::bucket"));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:*", "arn:aws-cn:ecr:cn-north-1:1:repository/x"));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:*", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:aws:*", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:*", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:*", kRepoApp));
}

TEST(ResourceMatchTest, ShortArnNotEndingInStarNeverMatchesAFullArnR48) {
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1", kRepoApp));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333", kRepoApp));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:", kRepoApp));
  // `us-*` ends its segment (end of pattern), so it may run on across colons.
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-*", kRepoApp));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:eu-*", kRepoApp));
}

TEST(ResourceMatchTest, InnerWildcardsInArnSegmentsCannotCrossColonsR45) {
  // `us-*1` : the star is not last in its segment, so it cannot swallow `east-1:x`.
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-*-1:111122223333:repository/app", kRepoApp));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-*1:111122223333:repository/app",
                             "arn:aws:ecr:us-east-1:x1:111122223333:repository/app"));
  EXPECT_TRUE(GlobMatch("arn:aws:ecr:us-*1:111122223333:repository/app",
                        "arn:aws:ecr:us-east-1:x1:111122223333:repository/app"));
  // `?` in a non-resource segment never matches a colon.
  EXPECT_FALSE(ResourceMatch("arn:aws?ecr:us-east-1:111122223333:repository/app", kRepoApp));
  EXPECT_TRUE(GlobMatch("arn:aws?ecr:us-east-1:111122223333:repository/app", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-?:111122223333:repository/app", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:1111222233??:repository/app", kRepoApp));
}

TEST(ResourceMatchTest, StarEndingASegmentMayRunAcrossColonsR45) {
  // AWS: a trailing `*` "can expand to match beyond the colon boundaries" (contrast with R92).
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:*:111122223333:repository/*",
                            "arn:aws:ecr:us-east-1:999999999999:x:111122223333:repository/y"));
  EXPECT_TRUE(ResourceMatch("arn:aws*:ecr:*:*:repository/app",
                            "arn:aws-cn:ecr:cn-north-1:111122223333:repository/app"));
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:*:repository/app", kRepoApp));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:*:repository/web", kRepoApp));
}

TEST(ResourceMatchTest, QuestionMarkInResourceSegmentMatchesAnyCharacter) {
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/ap?", kRepoApp));
  EXPECT_TRUE(ResourceMatch("arn:aws:logs:us-east-1:1:log-group?x",
                            "arn:aws:logs:us-east-1:1:log-group:x"));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/app?", kRepoApp));
}

TEST(ResourceMatchTest, EscapedWildcardsFromVariablesAreLiteral) {
  // R102, R103: `${*}` becomes `\*` and matches only a literal star.
  EXPECT_TRUE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/a\\*",
                            "arn:aws:ecr:us-east-1:111122223333:repository/a*"));
  EXPECT_FALSE(ResourceMatch("arn:aws:ecr:us-east-1:111122223333:repository/a\\*",
                             "arn:aws:ecr:us-east-1:111122223333:repository/ab"));
}

TEST(ResourceMatchTest, NonArnPatternsAreWholeStringGlobs) {
  EXPECT_TRUE(ResourceMatch("repo*", "repo1"));
  EXPECT_TRUE(ResourceMatch("*:repository/app", kRepoApp));
  EXPECT_FALSE(ResourceMatch("repo", "repo1"));
  EXPECT_TRUE(ResourceMatch("", ""));
  EXPECT_FALSE(ResourceMatch("", kRepoApp));
}

TEST(ResourceMatchTest, AgreesWithSegmentAwareOracleOnRandomInputs) {
  std::mt19937 rng(7);
  int compared = 0;
  for (int i = 0; i < 60000; ++i) {
    const std::string glob = "arn:" + RandomString(rng, "a::*?\\", 10);
    std::string text = RandomString(rng, "a::b", 12);
    if (rng() % 4 != 0) {
      text = "arn:" + text;
    }
    if (IsStarOnly(glob) || text == "*") {
      continue;
    }
    ++compared;
    ASSERT_EQ(ResourceMatch(glob, text), OracleMatch(glob, text, true))
        << "glob=" << glob << " text=" << text;
  }
  EXPECT_GT(compared, 50000);
}

TEST(SplitArnTest, SplitsOnTheFirstFiveColons) {
  // R41: the resource part may contain `:` and `/`.
  auto parts = SplitArn("arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ((*parts)[0], "arn");
  EXPECT_EQ((*parts)[1], "aws");
  EXPECT_EQ((*parts)[2], "logs");
  EXPECT_EQ((*parts)[3], "us-east-1");
  EXPECT_EQ((*parts)[4], "111122223333");
  EXPECT_EQ((*parts)[5], "log-group:g:log-stream:s");
  auto iam = SplitArn("arn:aws:iam::111122223333:role/ci");
  ASSERT_TRUE(iam.has_value());
  EXPECT_EQ((*iam)[3], "");
  EXPECT_EQ((*iam)[5], "role/ci");
  auto empty = SplitArn("arn:::::");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ((*empty)[5], "");
}

TEST(SplitArnTest, RejectsTextThatIsNotASixComponentArn) {
  EXPECT_FALSE(SplitArn("").has_value());
  EXPECT_FALSE(SplitArn("*").has_value());
  EXPECT_FALSE(SplitArn("arn:aws:ecr:us-east-1").has_value());
  EXPECT_FALSE(SplitArn("arn:aws:ecr:us-east-1:111122223333").has_value());
  EXPECT_FALSE(SplitArn("ARN:aws:ecr:us-east-1:111122223333:repository/app").has_value());
  EXPECT_FALSE(SplitArn("aws:ecr:us-east-1:111122223333:repository/app").has_value());
}

TEST(ArnLikeMatchTest, ComponentsCannotBeCrossedR92) {
  // R90, R92: StringLike's first `*` swallows `us-east-1:999999999999:x`, ArnLike's cannot.
  constexpr std::string_view kGlob = "arn:aws:ecr:*:111122223333:repository/*";
  constexpr std::string_view kValue =
      "arn:aws:ecr:us-east-1:999999999999:x:111122223333:repository/y";
  EXPECT_EQ(ArnLikeMatch(kGlob, kValue), std::optional<bool>(false));
  EXPECT_TRUE(GlobMatch(kGlob, kValue));
  EXPECT_EQ(ArnLikeMatch(kGlob, "arn:aws:ecr:us-east-1:111122223333:repository/y"),
            std::optional<bool>(true));
}

TEST(ArnLikeMatchTest, MatchesRoleArnsC30) {
  // C30: ArnLike aws:PrincipalArn arn:aws:iam::111122223333:role/c*.
  EXPECT_EQ(ArnLikeMatch("arn:aws:iam::111122223333:role/c*", "arn:aws:iam::111122223333:role/ci"),
            std::optional<bool>(true));
  EXPECT_EQ(
      ArnLikeMatch("arn:aws:iam::111122223333:role/c*", "arn:aws:iam::111122223333:user/carol"),
      std::optional<bool>(false));
  EXPECT_EQ(ArnLikeMatch("arn:aws:iam::*:role/ci", "arn:aws:iam::444455556666:role/ci"),
            std::optional<bool>(true));
  EXPECT_EQ(ArnLikeMatch("arn:aws:iam::?:role/ci", "arn:aws:iam::444455556666:role/ci"),
            std::optional<bool>(false));
}

TEST(ArnLikeMatchTest, ResourceComponentMayContainColonsAndIsCaseSensitive) {
  EXPECT_EQ(ArnLikeMatch("arn:aws:logs:us-east-1:1:log-group:*",
                         "arn:aws:logs:us-east-1:1:log-group:x:log-stream:y"),
            std::optional<bool>(true));
  EXPECT_EQ(ArnLikeMatch("arn:AWS:ecr:*:*:*", std::string(kRepoApp)), std::optional<bool>(false));
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*:*:*", std::string(kRepoApp)), std::optional<bool>(true));
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*:*:repository/App", std::string(kRepoApp)),
            std::optional<bool>(false));
  // Variables' values are escaped, so a literal star only matches a star.
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*:*:repository/\\*", std::string(kRepoApp)),
            std::optional<bool>(false));
}

TEST(ArnLikeMatchTest, NonArnValuesOrGlobsGiveNoResultR91) {
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*:*:*", "role/ci"), std::nullopt);
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*:*:*", "arn:aws:ecr:us-east-1"), std::nullopt);
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*:*:*", ""), std::nullopt);
  EXPECT_EQ(ArnLikeMatch("*", std::string(kRepoApp)), std::nullopt);
  EXPECT_EQ(ArnLikeMatch("arn:aws:ecr:*", std::string(kRepoApp)), std::nullopt);
  EXPECT_EQ(ArnLikeMatch("", ""), std::nullopt);
}

TEST(IsArnGlobTest, RequiresSixComponentsSplitOnUnescapedColons) {
  EXPECT_TRUE(IsArnGlob("arn:aws:ecr:*:*:*"));
  EXPECT_TRUE(IsArnGlob("arn:aws:iam::111122223333:role/c*"));
  EXPECT_TRUE(IsArnGlob("arn:aws:ecr:*:*:"));
  EXPECT_FALSE(IsArnGlob("arn:aws:ecr:*:*"));
  EXPECT_FALSE(IsArnGlob("arn:aws:ecr:*\\:*:*"));  // an escaped colon is not a separator
  EXPECT_FALSE(IsArnGlob("*"));
  EXPECT_FALSE(IsArnGlob(""));
  EXPECT_FALSE(IsArnGlob("*:aws:ecr:*:*:*"));
}

// ---------------------------------------------------------------------------------------------
// Policy variables
// ---------------------------------------------------------------------------------------------

VariableLookup LookupFrom(std::vector<std::pair<std::string, std::string>> entries) {
  return [entries = std::move(entries)](std::string_view key) -> std::optional<std::string> {
    for (const auto& [k, v] : entries) {
      if (AsciiEqualsIgnoreCase(k, key)) {
        return v;
      }
    }
    return std::nullopt;
  };
}

TEST(ParseTemplateTest, ParsesVariablesAndLiteralText) {
  // R97.
  auto t = ParseTemplate("arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}", true);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->pieces.size(), 2u);
  EXPECT_FALSE(t->pieces[0].is_variable);
  EXPECT_EQ(t->pieces[0].text, "arn:aws:ecr:us-east-1:111122223333:repository/");
  EXPECT_TRUE(t->pieces[1].is_variable);
  EXPECT_EQ(t->pieces[1].key, "aws:username");
  EXPECT_FALSE(t->pieces[1].default_value.has_value());
  EXPECT_TRUE(t->has_variables());
}

TEST(ParseTemplateTest, ParsesDefaultsInSingleQuotes) {
  // R97, E18: `${aws:PrincipalTag/team, 'none'}`.
  auto t = ParseTemplate("${aws:PrincipalTag/team, 'none'}", true);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->pieces.size(), 1u);
  EXPECT_EQ(t->pieces[0].key, "aws:PrincipalTag/team");
  EXPECT_EQ(t->pieces[0].default_value, std::optional<std::string>("none"));
  auto no_space = ParseTemplate("${a,'x y'}", true);
  ASSERT_TRUE(no_space.has_value());
  EXPECT_EQ(no_space->pieces[0].default_value, std::optional<std::string>("x y"));
  auto spaces = ParseTemplate("${a,    'x'}", true);
  ASSERT_TRUE(spaces.has_value());
  EXPECT_EQ(spaces->pieces[0].default_value, std::optional<std::string>("x"));
  auto empty = ParseTemplate("${a, ''}", true);
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->pieces[0].default_value, std::optional<std::string>(""));
  auto brace = ParseTemplate("${a, 'x}y'}z", true);
  ASSERT_TRUE(brace.has_value());
  EXPECT_EQ(brace->pieces[0].default_value, std::optional<std::string>("x}y"));
  EXPECT_EQ(brace->pieces[1].text, "z");
}

TEST(ParseTemplateTest, SpecialVariablesBecomeEscapedLiterals) {
  // R98: `${*}`, `${?}`, `${$}`; adjacent literal text is merged into one piece.
  auto t = ParseTemplate("a${*}b${?}c${$}d", true);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->pieces.size(), 1u);
  EXPECT_EQ(t->pieces[0].text, "a\\*b\\?c$d");
  EXPECT_FALSE(t->has_variables());
}

TEST(ParseTemplateTest, LiteralTextKeepsWildcardsAndEscapesBackslashes) {
  auto t = ParseTemplate("a*b?c\\d$e{f}", true);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->pieces.size(), 1u);
  EXPECT_EQ(t->pieces[0].text, "a*b?c\\\\d$e{f}");
  auto empty = ParseTemplate("", true);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->pieces.empty());
  EXPECT_FALSE(empty->has_variables());
}

TEST(ParseTemplateTest, VariablesDisabledMakesEverythingLiteralExceptWildcardsR10) {
  // R10: under 2008-10-17, `${aws:username}` is literal text and `*`/`?` keep their meaning.
  for (std::string_view s : {"${aws:username}", "${", "${}", "${a b}", "${a${b}}", "${*}"}) {
    auto t = ParseTemplate(s, false);
    ASSERT_TRUE(t.has_value()) << s;
    ASSERT_EQ(t->pieces.size(), 1u) << s;
    EXPECT_EQ(t->pieces[0].text, s) << s;
    EXPECT_FALSE(t->has_variables()) << s;
  }
  auto star = ParseTemplate("${*}", false);
  EXPECT_TRUE(GlobMatch(star->pieces[0].text, "${anything}"));
  auto backslash = ParseTemplate("a\\*", false);
  EXPECT_EQ(backslash->pieces[0].text, "a\\\\*");
  EXPECT_TRUE(GlobMatch(backslash->pieces[0].text, "a\\xyz"));
}

struct TemplateErrorCase {
  std::string_view text;
  std::string_view code;
};

class ParseTemplateErrorTest : public TestWithParam<TemplateErrorCase> {};

TEST_P(ParseTemplateErrorTest, RejectsMalformedVariablesWithTheDocumentedCode) {
  // R97, R98.
  const TemplateErrorCase& c = GetParam();
  auto t = ParseTemplate(c.text, true);
  ASSERT_FALSE(t.has_value()) << c.text;
  EXPECT_EQ(t.error().code(), c.code) << c.text;
  const std::string& message = t.error().message();
  ASSERT_FALSE(message.empty());
  EXPECT_TRUE(message[0] >= 'a' && message[0] <= 'z') << message;
  EXPECT_NE(message.find('`'), std::string::npos) << message;
  EXPECT_NE(message.back(), '.') << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    AllErrors, ParseTemplateErrorTest,
    ::testing::Values(TemplateErrorCase{"${", "MISSING_BRACE_IN_VARIABLE"},
                      TemplateErrorCase{"x${aws:username", "MISSING_BRACE_IN_VARIABLE"},
                      TemplateErrorCase{"${a b", "MISSING_BRACE_IN_VARIABLE"},
                      TemplateErrorCase{"${a, 'x'", "MISSING_BRACE_IN_VARIABLE"},
                      TemplateErrorCase{"${a, ", "MISSING_BRACE_IN_VARIABLE"},
                      TemplateErrorCase{"${}", "EMPTY_VARIABLE"},
                      TemplateErrorCase{"${, 'x'}", "EMPTY_VARIABLE"},
                      TemplateErrorCase{"${a b}", "UNSUPPORTED_SPACE_IN_VARIABLE"},
                      TemplateErrorCase{"${ aws:username}", "UNSUPPORTED_SPACE_IN_VARIABLE"},
                      TemplateErrorCase{"${aws:username }", "UNSUPPORTED_SPACE_IN_VARIABLE"},
                      TemplateErrorCase{"${a , 'x'}", "UNSUPPORTED_SPACE_IN_VARIABLE"},
                      TemplateErrorCase{"${a, none}", "MISSING_QUOTE_IN_VARIABLE"},
                      TemplateErrorCase{"${a, \"none\"}", "MISSING_QUOTE_IN_VARIABLE"},
                      TemplateErrorCase{"${a,}", "MISSING_QUOTE_IN_VARIABLE"},
                      TemplateErrorCase{"${a, 'none}", "MISSING_QUOTE_IN_VARIABLE"},
                      TemplateErrorCase{"${a${b}}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"${aws:PrincipalTag/${x}}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"${a, '${b}'}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"${a{b}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"${a'b}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"${a\"b}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"${a, 'x' y}", "INVALID_VARIABLE"},
                      TemplateErrorCase{"ok ${aws:username} then ${}", "EMPTY_VARIABLE"}));

TEST(ResolveTest, SubstitutesSingleValuedKeysC25) {
  // R100, C25: alice's own repository.
  auto t = ParseTemplate("arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}", true);
  ASSERT_TRUE(t.has_value());
  auto resolved = Resolve(*t, LookupFrom({{"aws:username", "alice"}}));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(*resolved, "arn:aws:ecr:us-east-1:111122223333:repository/alice");
  EXPECT_TRUE(ResourceMatch(*resolved, "arn:aws:ecr:us-east-1:111122223333:repository/alice"));
}

TEST(ResolveTest, MissingValueWithoutDefaultGivesNothingC24) {
  // R101, C24: role sessions have no aws:username, so the pattern matches nothing.
  auto t = ParseTemplate("arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}", true);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(Resolve(*t, LookupFrom({{"aws:userid", "AROAEXAMPLE:run1"}})), std::nullopt);
  EXPECT_EQ(Resolve(*t, VariableLookup()), std::nullopt);  // an empty lookup never throws
}

TEST(ResolveTest, UsesTheDefaultWhenTheKeyHasNoValueE18) {
  // E18: x=`none`, no team tag → the default `none` is used.
  auto t = ParseTemplate("${aws:PrincipalTag/team, 'none'}", true);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(Resolve(*t, LookupFrom({{"aws:PrincipalTag/x", "none"}})),
            std::optional<std::string>("none"));
  EXPECT_EQ(Resolve(*t, LookupFrom({{"aws:PrincipalTag/team", "core"}})),
            std::optional<std::string>("core"));
}

TEST(ResolveTest, LookupReceivesTheKeyAsWritten) {
  auto t = ParseTemplate("${AWS:PrincipalTag/Team}", true);
  ASSERT_TRUE(t.has_value());
  std::string seen;
  auto resolved = Resolve(*t, [&](std::string_view key) -> std::optional<std::string> {
    seen = std::string(key);
    return "v";
  });
  EXPECT_EQ(seen, "AWS:PrincipalTag/Team");
  EXPECT_EQ(resolved, std::optional<std::string>("v"));
}

TEST(ResolveTest, SubstitutedValuesAndDefaultsAreLiteralR102) {
  // R102: a principal tag value `a*` never acts as a wildcard.
  auto t = ParseTemplate("repo/${aws:PrincipalTag/team}", true);
  ASSERT_TRUE(t.has_value());
  auto resolved = Resolve(*t, LookupFrom({{"aws:PrincipalTag/team", "a*"}}));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(*resolved, "repo/a\\*");
  EXPECT_FALSE(GlobMatch(*resolved, "repo/abc"));
  EXPECT_TRUE(GlobMatch(*resolved, "repo/a*"));
  auto with_default = ParseTemplate("${k, '?'}", true);
  ASSERT_TRUE(with_default.has_value());
  auto d = Resolve(*with_default, LookupFrom({}));
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE(GlobMatch(*d, "x"));
  EXPECT_TRUE(GlobMatch(*d, "?"));
}

TEST(ResolveTest, LiteralStarVariableEqualsLiteralStarC40) {
  // R103, C40: StringEquals "a${*}b" equals the request value `a*b`.
  auto t = ParseTemplate("a${*}b", true);
  ASSERT_TRUE(t.has_value());
  auto resolved = Resolve(*t, LookupFrom({}));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(UnescapeGlob(*resolved), "a*b");
  EXPECT_TRUE(GlobMatch(*resolved, "a*b"));  // StringLike: literal star
  EXPECT_FALSE(GlobMatch(*resolved, "aXb"));
}

TEST(ResolveTest, Version2008KeepsVariablesAsLiteralTextC31) {
  // R10, C31: under 2008-10-17 `${aws:username}` is the literal text.
  auto t = ParseTemplate("arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}", false);
  ASSERT_TRUE(t.has_value());
  auto resolved = Resolve(*t, LookupFrom({{"aws:username", "alice"}}));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_FALSE(ResourceMatch(*resolved, "arn:aws:ecr:us-east-1:111122223333:repository/alice"));
  EXPECT_TRUE(
      ResourceMatch(*resolved, "arn:aws:ecr:us-east-1:111122223333:repository/${aws:username}"));
}

// ---------------------------------------------------------------------------------------------
// Decimals (R78)
// ---------------------------------------------------------------------------------------------

int CompareText(std::string_view a, std::string_view b) {
  auto da = ParseDecimal(a);
  auto db = ParseDecimal(b);
  EXPECT_TRUE(da.has_value()) << a;
  EXPECT_TRUE(db.has_value()) << b;
  if (!da || !db) {
    return 99;
  }
  const int c = CompareDecimal(*da, *db);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

TEST(ParseDecimalTest, AcceptsTheDocumentedGrammar) {
  for (std::string_view s : {"0", "1", "+1", "-1", "1.", ".5", "-.5", "+.5", "001.500", "-0",
                             "12345678901234567890123456789012345678901234567890.000001"}) {
    EXPECT_TRUE(ParseDecimal(s).has_value()) << s;
  }
}

TEST(ParseDecimalTest, RejectsEverythingElse) {
  // R78, R79: no exponent, no whitespace, no prefix parse (`12abc`), no hex, no words.
  for (std::string_view s : {"",    "+",    "-",     ".",     "-.",
                             "+-1", "--1",  "1e5",   "1E5",   " 1",
                             "1 ",  "0x10", "1.2.3", "12abc", "1_000",
                             "1,5", "NaN",  "inf",   "abc",   "\xEF\xBC\x91" /* fullwidth 1 */,
                             "1..", ".1."}) {
    EXPECT_FALSE(ParseDecimal(s).has_value()) << s;
  }
}

TEST(ParseDecimalTest, NormalisesDigits) {
  auto d = ParseDecimal("-001.2300");
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->negative);
  EXPECT_EQ(d->int_digits, "1");
  EXPECT_EQ(d->frac_digits, "23");
  auto z = ParseDecimal("-0.000");
  ASSERT_TRUE(z.has_value());
  EXPECT_FALSE(z->negative);
  EXPECT_EQ(z->int_digits, "");
  EXPECT_EQ(z->frac_digits, "");
}

TEST(CompareDecimalTest, ComparesExactlyE20) {
  // E20: NumericEquals "1.0" vs 1.
  EXPECT_EQ(CompareText("1.0", "1"), 0);
  EXPECT_EQ(CompareText("-0", "0"), 0);
  EXPECT_EQ(CompareText("+0.0", "-.0"), 0);
  EXPECT_EQ(CompareText(".5", "0.50"), 0);
  EXPECT_EQ(CompareText("10", "9"), 1);
  EXPECT_EQ(CompareText("0.9", "1"), -1);
  EXPECT_EQ(CompareText("-2", "-1"), -1);
  EXPECT_EQ(CompareText("-1.5", "-1.25"), -1);
  EXPECT_EQ(CompareText("-1", "0"), -1);
  EXPECT_EQ(CompareText("0.1", "0.10000000000000000001"), -1);
  EXPECT_EQ(CompareText("0.6", "0.51"), 1);
  EXPECT_EQ(CompareText("100000000000000000000000000000000000001",
                        "100000000000000000000000000000000000000.9999"),
            1);
  EXPECT_EQ(CompareText("-100000000000000000000000000000000000001",
                        "-100000000000000000000000000000000000000.9999"),
            -1);
}

TEST(CompareDecimalTest, ToleratesUnnormalisedHandBuiltValues) {
  Decimal a{true, "000", "000"};  // -0
  Decimal b{false, "", ""};
  EXPECT_EQ(CompareDecimal(a, b), 0);
  Decimal c{false, "01", "50"};
  Decimal d{false, "1", "5"};
  EXPECT_EQ(CompareDecimal(c, d), 0);
}

// ---------------------------------------------------------------------------------------------
// Dates (R80)
// ---------------------------------------------------------------------------------------------

TEST(ParseDateMillisTest, AcceptsW3cProfiles) {
  EXPECT_EQ(ParseDateMillis("1970"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseDateMillis("1970-01"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseDateMillis("1970-01-02"), std::optional<int64_t>(86400000));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00:00Z"), std::optional<int64_t>(1577836800000));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00Z"), std::optional<int64_t>(1577836800000));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00"), std::optional<int64_t>(1577836800000));
  EXPECT_EQ(ParseDateMillis("2020-01-01"), std::optional<int64_t>(1577836800000));
  EXPECT_EQ(ParseDateMillis("2020"), std::optional<int64_t>(1577836800000));
  EXPECT_EQ(ParseDateMillis("2020-03"), std::optional<int64_t>(1583020800000));
  EXPECT_EQ(ParseDateMillis("1969-12-31T23:59:59Z"), std::optional<int64_t>(-1000));
  EXPECT_EQ(ParseDateMillis("0000-01-01"), std::optional<int64_t>(-62167219200000));
  EXPECT_EQ(ParseDateMillis("9999-12-31T23:59:59.999Z"), std::optional<int64_t>(253402300799999));
}

TEST(ParseDateMillisTest, AppliesFractionsAndTimeZones) {
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00:00.5Z"), std::optional<int64_t>(1577836800500));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00:00.123456789Z"),
            std::optional<int64_t>(1577836800123));
  EXPECT_EQ(ParseDateMillis("2020-01-01T10:00+02:00"), ParseDateMillis("2020-01-01T08:00Z"));
  EXPECT_EQ(ParseDateMillis("2020-01-01T10:00:00-05:30"), ParseDateMillis("2020-01-01T15:30Z"));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:30+01:00"), ParseDateMillis("2019-12-31T23:30Z"));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00-00:00"), ParseDateMillis("2020-01-01"));
}

TEST(ParseDateMillisTest, AcceptsEpochSecondsC42) {
  // R80, R82, C42: epoch 1700000000 (2023) is after 2020-01-01T00:00:00Z.
  EXPECT_EQ(ParseDateMillis("1700000000"), std::optional<int64_t>(1700000000000));
  EXPECT_GT(*ParseDateMillis("1700000000"), *ParseDateMillis("2020-01-01T00:00:00Z"));
  EXPECT_EQ(ParseDateMillis("0"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseDateMillis("-1"), std::optional<int64_t>(-1000));
  EXPECT_EQ(ParseDateMillis("+5"), std::optional<int64_t>(5000));
  EXPECT_EQ(ParseDateMillis("00000000001"), std::optional<int64_t>(1000));
  // Only an unsigned four-digit string is a year (`YYYY`); other lengths are epoch seconds.
  EXPECT_EQ(ParseDateMillis("20"), std::optional<int64_t>(20000));
  EXPECT_EQ(ParseDateMillis("202"), std::optional<int64_t>(202000));
  EXPECT_EQ(ParseDateMillis("20200"), std::optional<int64_t>(20200000));
  EXPECT_EQ(ParseDateMillis("-2020"), std::optional<int64_t>(-2020000));
  EXPECT_FALSE(ParseDateMillis("9223372036854775807").has_value());  // overflows milliseconds
  EXPECT_FALSE(ParseDateMillis("99999999999999999999999").has_value());
  EXPECT_FALSE(ParseDateMillis("-").has_value());
  EXPECT_FALSE(ParseDateMillis("1700000000.5").has_value());
}

TEST(ParseDateMillisTest, ValidatesCalendarAndLeapYears) {
  EXPECT_TRUE(ParseDateMillis("2020-02-29").has_value());
  EXPECT_TRUE(ParseDateMillis("2000-02-29").has_value());
  EXPECT_FALSE(ParseDateMillis("2019-02-29").has_value());
  EXPECT_FALSE(ParseDateMillis("1900-02-29").has_value());
  EXPECT_FALSE(ParseDateMillis("2020-04-31").has_value());
  EXPECT_TRUE(ParseDateMillis("2020-12-31").has_value());
  EXPECT_FALSE(ParseDateMillis("2020-13").has_value());
  EXPECT_FALSE(ParseDateMillis("2020-00-10").has_value());
  EXPECT_FALSE(ParseDateMillis("2020-01-00").has_value());
  EXPECT_FALSE(ParseDateMillis("2020-01-32").has_value());
}

TEST(ParseDateMillisTest, RejectsMalformedTimestamps) {
  for (std::string_view s : {"",
                             "2020-1-01",
                             "2020-01-1",
                             "2020/01/01",
                             "2020-01-01 10:00",
                             "2020-01-01T10",
                             "2020-01-01T10:0",
                             "2020-01-01T24:00Z",
                             "2020-01-01T23:60Z",
                             "2020-01-01T23:59:60Z",
                             "2020-01-01T10:00:00.",
                             "2020-01-01T10:00:00.Z",
                             "2020-01-01T10:00+0200",
                             "2020-01-01T10:00+2:00",
                             "2020-01-01T10:00+24:00",
                             "2020-01-01T10:00+01:60",
                             "2020-01-01Z",
                             "2020-01Z",
                             "2020-01-01t10:00Z",
                             "2020-01-01T10:00z",
                             "2020-01-01T10:00ZZ",
                             "2020-01-01T10:00:00Zjunk",
                             "2020-01T10:00Z",
                             "2020T10:00Z",
                             "-2020-01-01",
                             "+2020-01-01",
                             "2020-01-01T",
                             "2020-",
                             "2020-01-",
                             "2020-01-01T10:00:00+01:00:00",
                             "1e9",
                             "２０２０"}) {
    EXPECT_FALSE(ParseDateMillis(s).has_value()) << s;
  }
}

// ---------------------------------------------------------------------------------------------
// IP addresses (R86–R88)
// ---------------------------------------------------------------------------------------------

bool Contains(std::string_view network, std::string_view address) {
  auto n = ParseIpNetwork(network);
  auto a = ParseIpAddress(address);
  EXPECT_TRUE(n.has_value()) << network;
  EXPECT_TRUE(a.has_value()) << address;
  return n && a && NetworkContains(*n, *a);
}

TEST(IpNetworkTest, ParsesIpv4CidrAndBareAddresses) {
  auto n = ParseIpNetwork("203.0.113.0/24");
  ASSERT_TRUE(n.has_value());
  EXPECT_FALSE(n->address.v6);
  EXPECT_EQ(n->prefix, 24);
  EXPECT_EQ(n->address.bytes[0], 203);
  EXPECT_EQ(n->address.bytes[2], 113);
  auto bare = ParseIpNetwork("10.0.0.1");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->prefix, 32);
  EXPECT_TRUE(Contains("10.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(Contains("10.0.0.1", "10.0.0.2"));
}

TEST(IpNetworkTest, ClearsHostBitsE07) {
  // R87, E07: 203.0.113.77/24 is 203.0.113.0/24 and contains 203.0.113.5.
  auto n = ParseIpNetwork("203.0.113.77/24");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->address.bytes[3], 0);
  EXPECT_TRUE(Contains("203.0.113.77/24", "203.0.113.5"));
  EXPECT_FALSE(Contains("203.0.113.77/24", "203.0.114.5"));
  auto odd = ParseIpNetwork("10.255.255.255/9");
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(odd->address.bytes[1], 0x80);
  EXPECT_EQ(odd->address.bytes[2], 0);
  auto v6 = ParseIpNetwork("2001:db8::ffff/64");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->address.bytes[14], 0);
  EXPECT_EQ(v6->address.bytes[15], 0);
}

TEST(IpNetworkTest, ZeroPrefixMatchesEveryIpv4Address) {
  // R86 (R197 row): 0.0.0.0/0 matches every IPv4 address.
  EXPECT_TRUE(Contains("0.0.0.0/0", "0.0.0.0"));
  EXPECT_TRUE(Contains("0.0.0.0/0", "255.255.255.255"));
  EXPECT_TRUE(Contains("0.0.0.0/0", "198.51.100.7"));
  EXPECT_FALSE(Contains("0.0.0.0/0", "::1"));
  EXPECT_TRUE(Contains("::/0", "2001:db8::1"));
  EXPECT_FALSE(Contains("::/0", "1.2.3.4"));
}

TEST(IpNetworkTest, PrefixBoundariesAreExact) {
  EXPECT_TRUE(Contains("192.168.1.0/31", "192.168.1.1"));
  EXPECT_FALSE(Contains("192.168.1.0/31", "192.168.1.2"));
  EXPECT_TRUE(Contains("10.0.0.0/8", "10.255.255.255"));
  EXPECT_FALSE(Contains("10.0.0.0/8", "11.0.0.0"));
  EXPECT_TRUE(Contains("2001:db8::/33", "2001:db8:7fff::1"));
  EXPECT_FALSE(Contains("2001:db8::/33", "2001:db8:8000::1"));
  EXPECT_TRUE(Contains("2001:db8::/32", "2001:DB8:FFFF::"));
  EXPECT_TRUE(Contains("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"));
  EXPECT_FALSE(Contains("2001:db8::1", "2001:db8::2"));
}

TEST(IpNetworkTest, FamiliesNeverMatchEachOtherE05E06) {
  // R88, E05: IpAddress 203.0.113.0/24 vs 2001:db8::1 is no match; E06: NotIpAddress matches.
  const bool in = Contains("203.0.113.0/24", "2001:db8::1");
  EXPECT_FALSE(in);
  EXPECT_TRUE(!in);
  EXPECT_FALSE(Contains("2001:db8::/32", "203.0.113.5"));
  // C26: 198.51.100.7 is in neither range, so NotIpAddress holds.
  EXPECT_FALSE(Contains("203.0.113.0/24", "198.51.100.7"));
  EXPECT_FALSE(Contains("2001:db8::/32", "198.51.100.7"));
}

TEST(IpNetworkTest, Ipv4MappedRequestAddressesBecomeIpv4) {
  // R88.
  auto a = ParseIpAddress("::ffff:203.0.113.5");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->v6);
  EXPECT_EQ(a->bytes[0], 203);
  EXPECT_EQ(a->bytes[3], 5);
  EXPECT_TRUE(Contains("203.0.113.0/24", "::ffff:203.0.113.5"));
  EXPECT_TRUE(Contains("203.0.113.0/24", "::FFFF:cb00:7105"));  // same address in hex groups
  EXPECT_TRUE(Contains("203.0.113.0/24", "0:0:0:0:0:ffff:203.0.113.5"));
  auto compat = ParseIpAddress("::203.0.113.5");  // IPv4-compatible, not mapped: stays IPv6
  ASSERT_TRUE(compat.has_value());
  EXPECT_TRUE(compat->v6);
  auto other = ParseIpAddress("::fffe:203.0.113.5");
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(other->v6);
}

TEST(IpNetworkTest, ParsesRfc4291TextForms) {
  for (std::string_view s :
       {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::1:2",
        "2001:DB8::1", "0000:0000::", "::ffff:1.2.3.4", "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4", "2001:db8::/32", "::/0", "::1/128", "64:ff9b::/96"}) {
    EXPECT_TRUE(ParseIpNetwork(s).has_value()) << s;
  }
  auto full = ParseIpAddress("1:2:3:4:5:6:7:8");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->bytes[1], 1);
  EXPECT_EQ(full->bytes[15], 8);
  auto tail = ParseIpAddress("64:ff9b::192.0.2.33");
  ASSERT_TRUE(tail.has_value());
  EXPECT_EQ(tail->bytes[12], 192);
  EXPECT_EQ(tail->bytes[15], 33);
}

TEST(IpNetworkTest, RejectsMalformedAddressesAndPrefixes) {
  for (std::string_view s : {"",
                             "/24",
                             "010.0.0.1",
                             "10.0.0.01",
                             "00.0.0.0",
                             "256.0.0.1",
                             "1.2.3",
                             "1.2.3.4.5",
                             "1..2.3",
                             "1.2.3.",
                             ".1.2.3",
                             "a.b.c.d",
                             "0x1.2.3.4",
                             "+1.2.3.4",
                             " 1.2.3.4",
                             "1.2.3.4 ",
                             "1.2.3.4/33",
                             "1.2.3.4/",
                             "1.2.3.4/024",
                             "1.2.3.4/-1",
                             "1.2.3.4/+8",
                             "1.2.3.4/24/8",
                             "1.2.3.4/2x",
                             "1.2.3.1234",
                             "1:2:3:4:5:6:7:8:9",
                             "1:2:3:4:5:6:7",
                             "1::2::3",
                             ":::",
                             "1:::2",
                             "12345::",
                             "g::1",
                             "fe80::1%eth0",
                             "::1/129",
                             "1:2:3:4:5:6:7:8::",
                             "::1:2:3:4:5:6:7:8",
                             "::1.2.3.4:5",
                             "1.2.3.4::",
                             ":1::",
                             "1::2:",
                             ":",
                             "1:2:3:4:5:6:7:",
                             "::ffff:256.1.1.1",
                             "::ffff:01.1.1.1",
                             "1:2:3:4:5:6:7:1.2.3.4",
                             "[::1]",
                             "::1/",
                             "::1/0128",
                             "1.2.3.4/3\xFF"}) {
    EXPECT_FALSE(ParseIpNetwork(s).has_value()) << s;
  }
}

TEST(IpAddressTest, RequestSideAcceptsOnlyBareAddresses) {
  EXPECT_TRUE(ParseIpAddress("198.51.100.7").has_value());
  EXPECT_TRUE(ParseIpAddress("2001:db8::1").has_value());
  EXPECT_FALSE(ParseIpAddress("198.51.100.7/32").has_value());
  EXPECT_FALSE(ParseIpAddress("2001:db8::/32").has_value());
  EXPECT_FALSE(ParseIpAddress("").has_value());
  EXPECT_FALSE(ParseIpAddress("localhost").has_value());
}

TEST(IpAddressTest, NetworkContainsToleratesOutOfRangeHandBuiltPrefixes) {
  IpNetwork n;
  n.prefix = 99;  // clamped to 32 for IPv4
  IpAddress a;
  EXPECT_TRUE(NetworkContains(n, a));
  n.prefix = -5;  // clamped to 0
  a.bytes[0] = 7;
  EXPECT_TRUE(NetworkContains(n, a));
}

// ---------------------------------------------------------------------------------------------
// Bool, base64, case
// ---------------------------------------------------------------------------------------------

TEST(ParseBoolTest, AcceptsTrueAndFalseInAnyCaseE08) {
  // R83, E08: "TRUE" matches true.
  EXPECT_EQ(ParseBool("true"), std::optional<bool>(true));
  EXPECT_EQ(ParseBool("TRUE"), std::optional<bool>(true));
  EXPECT_EQ(ParseBool("tRuE"), std::optional<bool>(true));
  EXPECT_EQ(ParseBool("False"), std::optional<bool>(false));
  EXPECT_EQ(ParseBool("false"), std::optional<bool>(false));
  for (std::string_view s : {"", "yes", "1", "0", " true", "true ", "truee", "fals", "t"}) {
    EXPECT_FALSE(ParseBool(s).has_value()) << s;
  }
}

TEST(DecodeBase64Test, DecodesPaddedStandardBase64) {
  // R85.
  EXPECT_EQ(DecodeBase64(""), std::optional<std::string>(""));
  EXPECT_EQ(DecodeBase64("Zg=="), std::optional<std::string>("f"));
  EXPECT_EQ(DecodeBase64("Zm8="), std::optional<std::string>("fo"));
  EXPECT_EQ(DecodeBase64("Zm9v"), std::optional<std::string>("foo"));
  EXPECT_EQ(DecodeBase64("Zm9vYmFy"), std::optional<std::string>("foobar"));
  EXPECT_EQ(DecodeBase64("AA=="), std::optional<std::string>(std::string(1, '\0')));
  EXPECT_EQ(DecodeBase64("+/8="), std::optional<std::string>("\xFB\xFF"));
}

TEST(DecodeBase64Test, RejectsInvalidText) {
  for (std::string_view s : {"Zg", "Zg=", "Z===", "====", "Zg==Zg==", "Zm9v!", "Zm 9v", "Zm9v\n",
                             "Zm-_", "=Zg=", "Zg=a", "Z", "Zm9vY"}) {
    EXPECT_FALSE(DecodeBase64(s).has_value()) << s;
  }
}

TEST(EqualsIgnoreCaseTest, FoldsAsciiAndLatin1) {
  // R75.
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_TRUE(EqualsIgnoreCase("Hello", "hELLO"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abd"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "ab"));
  EXPECT_FALSE(EqualsIgnoreCase("", "a"));
  EXPECT_TRUE(EqualsIgnoreCase("\xC3\x89t\xC3\xA9", "\xC3\xA9T\xC3\x89"));  // Été / éTÉ
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\xA9", "e"));
}

TEST(EqualsIgnoreCaseTest, FollowsJavaEqualsIgnoreCaseForSpecialLetters) {
  // U+01C5 (titlecase Dž) equals U+01C4 and U+01C6.
  EXPECT_TRUE(EqualsIgnoreCase("\xC7\x85", "\xC7\x86"));
  EXPECT_TRUE(EqualsIgnoreCase("\xC7\x85", "\xC7\x84"));
  // Greek final sigma ς, sigma σ and capital Σ.
  EXPECT_TRUE(EqualsIgnoreCase("\xCF\x82", "\xCE\xA3"));
  EXPECT_TRUE(EqualsIgnoreCase("\xCF\x82", "\xCF\x83"));
  // U+017F LONG S upper-cases to S.
  EXPECT_TRUE(EqualsIgnoreCase("\xC5\xBF", "s"));
  // U+212A KELVIN SIGN needs the second (lower-of-upper) comparison.
  EXPECT_TRUE(EqualsIgnoreCase("\xE2\x84\xAA", "k"));
  EXPECT_TRUE(EqualsIgnoreCase("\xE2\x84\xAA", "K"));
  // Dotless ı and dotted İ.
  EXPECT_TRUE(EqualsIgnoreCase("\xC4\xB1", "I"));
  EXPECT_TRUE(EqualsIgnoreCase("\xC4\xB0", "i"));
  // Simple mappings only: ß is not SS.
  EXPECT_FALSE(
      EqualsIgnoreCase("stra\xC3\x9F"
                       "e",
                       "STRASSE"));
  EXPECT_TRUE(EqualsIgnoreCase("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"));
  // Deseret (outside the BMP) has case pairs: U+10400 / U+10428.
  EXPECT_TRUE(EqualsIgnoreCase("\xF0\x90\x90\x80", "\xF0\x90\x90\xA8"));
}

TEST(EqualsIgnoreCaseTest, InvalidUtf8ComparesBytewise) {
  EXPECT_TRUE(EqualsIgnoreCase("\xFF", "\xFF"));
  EXPECT_TRUE(EqualsIgnoreCase("A\xFF", "A\xFF"));
  EXPECT_FALSE(EqualsIgnoreCase("A\xFF", "a\xFF"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC0\xAF", "/"));                 // overlong
  EXPECT_FALSE(EqualsIgnoreCase("\xED\xA0\x80", "\xED\xA0\x81"));  // surrogates
  EXPECT_TRUE(EqualsIgnoreCase("\xC3", "\xC3"));                   // truncated
  EXPECT_FALSE(EqualsIgnoreCase("a", "a\xC3"));
}

TEST(AsciiCaseTest, LowersAndComparesAsciiOnly) {
  // R62, R36.
  EXPECT_EQ(AsciiLower("AWS:PrincipalTag/Team"), "aws:principaltag/team");
  EXPECT_EQ(AsciiLower("\xC3\x89"), "\xC3\x89");
  EXPECT_EQ(AsciiLower(""), "");
  EXPECT_TRUE(AsciiEqualsIgnoreCase("ECR", "ecr"));
  EXPECT_TRUE(AsciiEqualsIgnoreCase("", ""));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("ecr", "ecr-public"));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("\xC3\x89", "\xC3\xA9"));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("[", "{"));  // 0x5B vs 0x7B differ by 0x20 but are not letters
}

// ---------------------------------------------------------------------------------------------
// Robustness and allocation
// ---------------------------------------------------------------------------------------------

TEST(RobustnessTest, RandomInputsNeverCrashAndKeepInvariants) {
  std::mt19937 rng(12345);
  constexpr char kAlphabet[] = "arn:*?\\${}', ./-0129aAfF:TZ+\xC3\xA9\xFF\x80";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  for (int i = 0; i < 20000; ++i) {
    const std::string a = RandomString(rng, alphabet, 24);
    const std::string b = RandomString(rng, alphabet, 24);
    (void)GlobMatch(a, b);
    (void)ActionMatch(a, b);
    (void)ResourceMatch(a, b);
    (void)ArnLikeMatch(a, b);
    (void)IsArnGlob(a);
    (void)SplitArn(a);
    (void)ValidateActionPattern(a);
    (void)ParseDecimal(a);
    (void)ParseDateMillis(a);
    (void)ParseIpNetwork(a);
    (void)ParseIpAddress(a);
    (void)ParseBool(a);
    (void)DecodeBase64(a);
    EXPECT_EQ(EqualsIgnoreCase(a, b), EqualsIgnoreCase(b, a)) << a << " / " << b;
    EXPECT_TRUE(EqualsIgnoreCase(a, a));
    auto with_vars = ParseTemplate(a, true);
    if (with_vars) {
      (void)Resolve(*with_vars, LookupFrom({{"a", "*"}}));
    }
    // 2008 templates never fail and round-trip to the original text.
    auto literal = ParseTemplate(a, false);
    ASSERT_TRUE(literal.has_value()) << a;
    auto resolved = Resolve(*literal, VariableLookup());
    ASSERT_TRUE(resolved.has_value());
    EXPECT_EQ(UnescapeGlob(*resolved), a);
    EXPECT_TRUE(GlobMatch(EscapeGlob(a), a)) << a;
  }
}

TEST(AllocationTest, HotPathMatchersDoNotAllocate) {
  const Decimal one = *ParseDecimal("1");
  const Decimal one_point_zero = *ParseDecimal("1.0");
  const IpNetwork net = *ParseIpNetwork("203.0.113.0/24");
  const IpAddress addr = *ParseIpAddress("203.0.113.5");
  const std::string long_text(4096, 'a');
  (void)EqualsIgnoreCase("\xC3\x89", "\xC3\xA9");  // creates the locale once, outside the count

  const size_t before = g_allocations.load();
  bool results[] = {
      GlobMatch("*a*a*b", long_text),
      GlobMatch("a?c", "abc"),
      ActionMatch("ECR:batchget*", "ecr:BatchGetImage"),
      ResourceMatch("arn:aws:ecr:*:111122223333:repository/team-*",
                    "arn:aws:ecr:us-east-1:111122223333:repository/team-a/app"),
      ResourceMatch("arn:aws:ecr:us-*-1:1:*", "arn:aws:ecr:us-east-1:1:repository/x"),
      ResourceMatch("*", "*"),
      ArnLikeMatch("arn:aws:iam::*:role/c*", "arn:aws:iam::111122223333:role/ci").value_or(false),
      NetworkContains(net, addr),
      EqualsIgnoreCase("\xE2\x84\xAA\xC3\x89t\xC3\xA9", "k\xC3\xA9T\xC3\x89"),
      CompareDecimal(one, one_point_zero) == 0,
      AsciiEqualsIgnoreCase("ECR", "ecr"),
      IsStarOnly("**"),
      SplitArn("arn:aws:ecr:us-east-1:1:repository/x").has_value(),
  };
  const size_t after = g_allocations.load();
  EXPECT_EQ(after, before);
  EXPECT_FALSE(results[0]);
  for (size_t i = 1; i < sizeof(results) / sizeof(results[0]); ++i) {
    EXPECT_TRUE(results[i]) << i;
  }
}

}  // namespace
}  // namespace policy_engine::match
