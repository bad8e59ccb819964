// Value grammars and matchers shared by the parser (validation), the reference evaluator and the
// compiled engine: globs, actions, ARNs, policy-variable templates, decimals, dates, IP ranges,
// booleans, base64 and Unicode case folding. Rules cited are from docs/policy-semantics.md.
//
// Internal glob syntax ("escaped glob"): `*` matches any run of characters (possibly empty), `?`
// exactly one character (one UTF-8 code point), and `\c` the literal character c. Policy text is
// turned into an escaped glob by ParseTemplate/Resolve, so `${*}` (R98, R103) and values
// substituted from the request context (R102) can never act as wildcards.
//
// Everything here is a pure function over its arguments: thread-safe, no allocation unless a
// std::string is returned. Nothing here throws.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/common/status.h"

namespace policy_engine::match {

// ---------------------------------------------------------------------------------------------
// Globs
// ---------------------------------------------------------------------------------------------

// Whole-string match of an escaped glob; case-sensitive, `*` crosses every character.
bool GlobMatch(std::string_view glob, std::string_view text);

// Escapes `\`, `*` and `?` so that `text` matches only itself as a glob.
std::string EscapeGlob(std::string_view text);

// Removes escapes: the literal text an escaped glob stands for when used by an Equals operator
// (`a\*b` -> `a*b`). Unescaped `*`/`?` are kept as the characters themselves.
std::string UnescapeGlob(std::string_view glob);

// True iff the glob consists only of unescaped `*` (at least one). Such a pattern matches every
// resource including the wildcard-only request resource `*` (R44, R50).
bool IsStarOnly(std::string_view glob);

// ---------------------------------------------------------------------------------------------
// Actions (§2.1)
// ---------------------------------------------------------------------------------------------

// R35: `*` or `service:pattern`, service `[A-Za-z0-9-]+`, pattern of letters, digits, `*`, `?`.
// Returns an error with code INVALID_ACTION and a message naming the problem.
Status ValidateActionPattern(std::string_view pattern);

// R36–R38: `*` matches everything; otherwise the service prefixes must be equal ignoring ASCII case
// (a `*` in the service prefix is an ordinary character, R37) and the action-name pattern is a glob
// matched ignoring ASCII case. `action` is the request action, e.g. `ecr:BatchGetImage`.
bool ActionMatch(std::string_view pattern, std::string_view action);

// ---------------------------------------------------------------------------------------------
// Resources and ARNs (§2.2, §2.3, §3.10)
// ---------------------------------------------------------------------------------------------

// R45/R48/R50: does the escaped-glob resource pattern match the request resource?
//  * A star-only pattern matches everything, including the request resource `*`.
//  * Otherwise the request resource `*` (wildcard-only action) is never matched.
//  * A pattern starting with `arn:` is matched with ARN segment rules: in the partition, service,
//    region and account segments `*` and `?` do not match `:`, except that a `*` that is the last
//    character of its segment (followed by `:` or the end of the pattern) matches any run,
//    colons included; in the resource segment (after the fifth colon) `*` matches any run.
//    Consequently a short pattern such as `arn:aws:ecr:*` matches every ECR ARN, and a short
//    pattern not ending in `*` matches nothing longer than itself (R48).
//  * Any other pattern is a whole-string glob.
// Case-sensitive throughout (R46).
bool ResourceMatch(std::string_view glob, std::string_view resource);

// Splits an ARN on its first five colons. Returns nullopt when `text` does not start with `arn:`
// or has fewer than six components.
std::optional<std::array<std::string_view, 6>> SplitArn(std::string_view text);

// R90/R91: ArnLike / ArnEquals. Both sides are split into six components (the glob on unescaped
// colons); each component pair is a case-sensitive glob match where `*`/`?` never cross the
// component. Returns nullopt when `value` (the request side) is not a six-component ARN, or when
// the glob does not have six components.
std::optional<bool> ArnLikeMatch(std::string_view glob, std::string_view value);

// True iff the escaped glob has the six-component ARN shape required of ArnLike policy values.
bool IsArnGlob(std::string_view glob);

// ---------------------------------------------------------------------------------------------
// Policy variables (§4)
// ---------------------------------------------------------------------------------------------

// One piece of a policy string: literal text (already an escaped glob) or a variable reference.
struct TemplatePiece {
  bool is_variable = false;
  std::string text;                          // kText: escaped glob text
  std::string key;                           // variable: condition-key name as written
  std::optional<std::string> default_value;  // variable: `${key, 'default'}`
};

struct Template {
  std::vector<TemplatePiece> pieces;
  bool has_variables() const;
};

// Parses a policy string. With `variables_enabled` false (Version 2008-10-17 or missing, R10) the
// whole string is literal text whose `*`/`?` keep their wildcard meaning. With it true
// (2012-10-17):
// `${*}`, `${?}`, `${$}` become literal `\*`, `\?`, `$` (R98); `${key}` and `${key, 'default'}`
// become variables (R97). Errors (R97, R98): MISSING_BRACE_IN_VARIABLE (unterminated `${`),
// EMPTY_VARIABLE
// (`${}`), UNSUPPORTED_SPACE_IN_VARIABLE (space inside the name), MISSING_QUOTE_IN_VARIABLE
// (default not in single quotes), INVALID_VARIABLE (nested `${` or a name with braces/quotes). The
// Status carries no location; the caller adds the JSON pointer.
Result<Template> ParseTemplate(std::string_view text, bool variables_enabled);

// Looks up a single-valued context key (name case-insensitive); nullopt when absent or
// multi-valued.
using VariableLookup = std::function<std::optional<std::string>(std::string_view key)>;

// R100–R102: substitutes every variable (its value escaped so it stays literal; the default, also
// literal, when the key has no value). Returns nullopt when some variable has no value and no
// default.
std::optional<std::string> Resolve(const Template& tmpl, const VariableLookup& lookup);

// ---------------------------------------------------------------------------------------------
// Typed values (§3.5–§3.9)
// ---------------------------------------------------------------------------------------------

// R78: `^[+-]?(\d+(\.\d*)?|\.\d+)$`, compared as exact decimals ("1.0" == "1", "-0" == "0").
struct Decimal {
  bool negative = false;
  std::string int_digits;   // no leading zeros ("" for zero)
  std::string frac_digits;  // no trailing zeros
};
std::optional<Decimal> ParseDecimal(std::string_view text);
int CompareDecimal(const Decimal& a, const Decimal& b);  // <0, 0, >0

// R80: milliseconds since the epoch. Accepts `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
// `YYYY-MM-DDThh:mm[:ss[.fraction]]` with optional `Z` or `±hh:mm` (missing zone = UTC), and an
// integer string of epoch seconds (optionally signed). Validates ranges (month 1–12, day within the
// month, hour < 24, minute and second < 60).
std::optional<int64_t> ParseDateMillis(std::string_view text);

// R86–R88.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4
};
struct IpNetwork {
  IpAddress address;  // host bits already cleared (R87)
  int prefix = 0;     // 0–32 or 0–128
};
// Policy side: `a.b.c.d/n`, any RFC 4291 IPv6 text `/n`, or a bare address (/32 or /128).
std::optional<IpNetwork> ParseIpNetwork(std::string_view text);
// Request side: a bare address; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) becomes IPv4.
std::optional<IpAddress> ParseIpAddress(std::string_view text);
// False when the families differ.
bool NetworkContains(const IpNetwork& network, const IpAddress& address);

// R83: "true"/"false" in any letter case.
std::optional<bool> ParseBool(std::string_view text);

// R85: standard base64 with padding; nullopt when invalid.
std::optional<std::string> DecodeBase64(std::string_view text);

// R75: Java String.equalsIgnoreCase semantics over code points (simple upper/lower mappings).
// Invalid UTF-8 compares bytewise.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// ASCII lower-casing, used for condition-key names (R62) and action names (R36).
std::string AsciiLower(std::string_view text);
bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace policy_engine::match
