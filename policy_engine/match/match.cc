// Implementation of the value grammars and matchers declared in match.h.
//
// Glob matching. Every glob here is matched with the classic two-pointer algorithm: walk pattern
// and text together; on `*` remember where the star is and where in the text it started; on a
// mismatch go back to the most recent star and let it swallow one more code point. Because a later
// `*` can absorb anything an earlier one could, forgetting earlier stars is safe, no recursion is
// needed and the cost is O(|glob| * |text|) in the worst case (never exponential). `?` and the
// backtracking step both advance by one UTF-8 code point, so `?` never matches half a character;
// bytes that are not well-formed UTF-8 count as one character each.
//
// ARN resource patterns (R45) need two kinds of star: a *restricted* star (inside the partition,
// service, region or account segment, not last in its segment) that cannot match `:`, and an
// *unrestricted* one (last character of such a segment, or anywhere in the resource segment). The
// matcher keeps one backtrack point per kind. While no unrestricted star intervenes, colons in the
// text can only be consumed by literal colons of the pattern, one for one, so when the most recent
// restricted star runs into a `:` no earlier restricted star could do better either; the only
// remaining move is to extend the most recent unrestricted star. That keeps the algorithm
// iterative and polynomial: O(|glob| * |text|) per position of the unrestricted star.
//
// Nothing in the matchers allocates: they work on string_views and a few indices.
#include "policy_engine/match/match.h"

#include <locale.h>
#include <wctype.h>

#include <charconv>
#include <cstdio>
#include <limits>
#include <system_error>
#include <utility>

namespace policy_engine::match {

namespace {

constexpr size_t kNpos = std::string_view::npos;

// Returns the length (1–4) of the well-formed UTF-8 sequence starting at s[i] and stores its code
// point, or 0 when the bytes there are not well-formed UTF-8 (RFC 3629: overlong forms, surrogates
// and values above U+10FFFF are rejected). REQUIRES: i < s.size().
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  char32_t value = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    value = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    value = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    value = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;  // continuation byte or 0xF8..0xFF where a lead byte is expected
  }
  if (s.size() - i < len) {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *cp = value;
  return len;
}

// The number of bytes one "character" occupies at s[i]: a whole code point when the text is
// well-formed there, otherwise a single byte (so malformed input still makes progress).
size_t CharLength(std::string_view s, size_t i) {
  char32_t cp = 0;
  const size_t n = DecodeUtf8(s, i, &cp);
  return n == 0 ? 1 : n;
}

char AsciiToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Classic two-pointer glob over an escaped glob; `kFoldAscii` compares literals ignoring ASCII case
// (action names, R36).
template <bool kFoldAscii>
bool ClassicGlobMatch(std::string_view glob, std::string_view text) {
  size_t g = 0;
  size_t t = 0;
  size_t star_g = kNpos;  // pattern index just after the most recent `*`
  size_t star_t = 0;      // text index where that star's run currently ends
  while (t < text.size()) {
    if (g < glob.size()) {
      const char c = glob[g];
      if (c == '*') {
        star_g = ++g;
        star_t = t;
        continue;
      }
      if (c == '?') {
        t += CharLength(text, t);
        ++g;
        continue;
      }
      char literal = c;
      size_t width = 1;
      if (c == '\\' && g + 1 < glob.size()) {  // a trailing lone `\` stands for itself
        literal = glob[g + 1];
        width = 2;
      }
      const bool same =
          kFoldAscii ? AsciiToLower(literal) == AsciiToLower(text[t]) : literal == text[t];
      if (same) {
        ++t;
        g += width;
        continue;
      }
    }
    if (star_g == kNpos) {
      return false;
    }
    star_t += CharLength(text, star_t);  // INVARIANT: star_t <= t < text.size()
    t = star_t;
    g = star_g;
  }
  while (g < glob.size() && glob[g] == '*') {
    ++g;
  }
  return g == glob.size();
}

// R45/R48: glob match of an `arn:` resource pattern with segment-aware wildcards (see the file
// comment for why two backtrack points suffice).
bool ArnResourceGlobMatch(std::string_view glob, std::string_view text) {
  constexpr int kResourceSegment = 5;  // segments 0..4: arn, partition, service, region, account
  size_t g = 0;
  size_t t = 0;
  int seg = 0;                  // number of unescaped colons before glob[g]
  size_t u_g = kNpos, u_t = 0;  // most recent unrestricted star
  int u_seg = 0;
  size_t r_g = kNpos, r_t = 0;  // most recent restricted star after it
  int r_seg = 0;
  while (t < text.size()) {
    if (g < glob.size()) {
      const char c = glob[g];
      const bool in_resource = seg >= kResourceSegment;
      if (c == '*') {
        // A star that ends its segment may run across colons ("can expand to match beyond the
        // colon boundaries"); this also makes short ARNs such as `arn:aws:ecr:*` work (R48).
        const bool unrestricted = in_resource || g + 1 == glob.size() || glob[g + 1] == ':';
        if (unrestricted) {
          u_g = g + 1;
          u_t = t;
          u_seg = seg;
          r_g = kNpos;
        } else {
          r_g = g + 1;
          r_t = t;
          r_seg = seg;
        }
        ++g;
        continue;
      }
      if (c == '?') {
        if (in_resource || text[t] != ':') {
          t += CharLength(text, t);
          ++g;
          continue;
        }
      } else {
        char literal = c;
        size_t width = 1;
        if (c == '\\' && g + 1 < glob.size()) {
          literal = glob[g + 1];
          width = 2;
        }
        if (literal == text[t]) {
          if (c == ':') {
            ++seg;
          }
          ++t;
          g += width;
          continue;
        }
      }
    }
    // Mismatch. INVARIANT: r_t <= t and u_t <= t, both < text.size().
    if (r_g != kNpos && text[r_t] != ':') {
      r_t += CharLength(text, r_t);
      t = r_t;
      g = r_g;
      seg = r_seg;
      continue;
    }
    if (u_g != kNpos) {
      r_g = kNpos;  // re-discovered when the pattern after the star is walked again
      u_t += CharLength(text, u_t);
      t = u_t;
      g = u_g;
      seg = u_seg;
      continue;
    }
    return false;
  }
  while (g < glob.size() && glob[g] == '*') {
    ++g;
  }
  return g == glob.size();
}

// Splits an escaped glob on its first five unescaped colons.
std::optional<std::array<std::string_view, 6>> SplitArnGlob(std::string_view glob) {
  if (!glob.starts_with("arn:")) {
    return std::nullopt;
  }
  std::array<std::string_view, 6> parts;
  size_t start = 0;
  size_t n = 0;
  for (size_t i = 0; i < glob.size() && n < 5; ++i) {
    if (glob[i] == '\\') {
      ++i;  // skip the escaped character
      continue;
    }
    if (glob[i] == ':') {
      parts[n++] = glob.substr(start, i - start);
      start = i + 1;
    }
  }
  if (n < 5) {
    return std::nullopt;
  }
  parts[5] = glob.substr(start);
  return parts;
}

// ---- Actions ----

std::string DescribeChar(std::string_view s, size_t i) {
  char32_t cp = 0;
  char buf[32];
  if (DecodeUtf8(s, i, &cp) == 0) {
    std::snprintf(buf, sizeof buf, "byte 0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(s[i])));
  } else {
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  }
  return buf;
}

Status ActionError(std::string_view pattern, std::string_view problem) {
  std::string message = "action `";
  message.append(pattern);
  message += "` ";
  message.append(problem);
  return Status("INVALID_ACTION", std::move(message));
}

// ---- Templates ----

Status TemplateError(std::string code, std::string_view problem, std::string_view snippet) {
  std::string message;
  message.append(problem);
  message += " `";
  message.append(snippet);
  message += "`";
  return Status(std::move(code), std::move(message));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// ---- Dates ----

// Parses exactly `width` ASCII digits at text[pos]; no sign, no whitespace.
bool FixedDigits(std::string_view text, size_t pos, size_t width, int* out) {
  if (text.size() < pos + width) {
    return false;
  }
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!IsAsciiDigit(text[i])) {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && IsLeapYear(y)) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// ---- IP addresses ----

// Strict dotted quad: four decimal octets 0–255, no sign, no leading zero on multi-digit octets.
bool ParseIpv4(std::string_view text, uint8_t* out) {
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') {
        return false;
      }
      ++pos;
    }
    size_t end = pos;
    while (end < text.size() && IsAsciiDigit(text[end]) && end - pos < 4) {
      ++end;
    }
    const size_t len = end - pos;
    if (len == 0 || len > 3 || (len > 1 && text[pos] == '0')) {
      return false;
    }
    int value = 0;
    for (size_t i = pos; i < end; ++i) {
      value = value * 10 + (text[i] - '0');
    }
    if (value > 255) {
      return false;
    }
    out[octet] = static_cast<uint8_t>(value);
    pos = end;
  }
  return pos == text.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Parses a colon-separated run of 1–4 digit hex groups (possibly empty), optionally ending in a
// dotted quad that stands for two groups. Writes at most 8 groups.
bool ParseHexGroups(std::string_view text, bool allow_ipv4_tail, uint16_t* groups, int* count) {
  *count = 0;
  if (text.empty()) {
    return true;
  }
  size_t pos = 0;
  while (true) {
    size_t end = text.find(':', pos);
    const bool last = end == kNpos;
    if (last) {
      end = text.size();
    }
    const std::string_view part = text.substr(pos, end - pos);
    if (last && allow_ipv4_tail && part.find('.') != kNpos) {
      uint8_t v4[4];
      if (*count > 6 || !ParseIpv4(part, v4)) {
        return false;
      }
      groups[(*count)++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[(*count)++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      return true;
    }
    if (part.empty() || part.size() > 4 || *count >= 8) {
      return false;
    }
    int value = 0;
    for (char c : part) {
      const int h = HexValue(c);
      if (h < 0) {
        return false;
      }
      value = value * 16 + h;
    }
    groups[(*count)++] = static_cast<uint16_t>(value);
    if (last) {
      return true;
    }
    pos = end + 1;
  }
}

// RFC 4291 §2.2 text forms: eight groups, one `::` for a run of at least one zero group, and an
// optional dotted-quad tail. Zone ids (`%eth0`) are not addresses and are rejected.
bool ParseIpv6(std::string_view text, uint8_t* out) {
  uint16_t head[8];
  uint16_t tail[8];
  int head_count = 0;
  int tail_count = 0;
  const size_t gap = text.find("::");
  if (gap == kNpos) {
    if (!ParseHexGroups(text, true, head, &head_count) || head_count != 8) {
      return false;
    }
  } else {
    if (text.find("::", gap + 1) != kNpos) {
      return false;  // at most one `::` (this also rejects `:::`)
    }
    if (!ParseHexGroups(text.substr(0, gap), false, head, &head_count) ||
        !ParseHexGroups(text.substr(gap + 2), true, tail, &tail_count) ||
        head_count + tail_count > 7) {
      return false;
    }
  }
  uint16_t all[8] = {};
  for (int i = 0; i < head_count; ++i) {
    all[i] = head[i];
  }
  for (int i = 0; i < tail_count; ++i) {
    all[8 - tail_count + i] = tail[i];
  }
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(all[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(all[i] & 0xFF);
  }
  return true;
}

std::optional<IpAddress> ParseBareAddress(std::string_view text) {
  IpAddress address;
  if (text.find(':') != kNpos) {
    address.v6 = true;
    if (!ParseIpv6(text, address.bytes.data())) {
      return std::nullopt;
    }
  } else if (!ParseIpv4(text, address.bytes.data())) {
    return std::nullopt;
  }
  return address;
}

// ---- Case folding ----

// glibc's C.UTF-8 locale (built in since 2.35) carries the Unicode simple case mappings. Created
// once and never modified; nullptr when unavailable, in which case only ASCII folds.
locale_t Utf8Locale() {
  static const locale_t locale =
      newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return locale;
}

char32_t ToUpper(char32_t c, locale_t locale) {
  if (locale == nullptr) {
    return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
  }
  return static_cast<char32_t>(towupper_l(static_cast<wint_t>(c), locale));
}

char32_t ToLower(char32_t c, locale_t locale) {
  if (locale == nullptr) {
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
  }
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), locale));
}

// Compares two digit strings as magnitudes (leading zeros ignored by the caller).
int CompareDigitsAsInteger(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return a.size() < b.size() ? -1 : 1;
  }
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string_view TrimLeadingZeros(std::string_view s) {
  while (!s.empty() && s.front() == '0') {
    s.remove_prefix(1);
  }
  return s;
}

std::string_view TrimTrailingZeros(std::string_view s) {
  while (!s.empty() && s.back() == '0') {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Globs
// ---------------------------------------------------------------------------------------------

bool GlobMatch(std::string_view glob, std::string_view text) {
  return ClassicGlobMatch<false>(glob, text);
}

std::string EscapeGlob(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || c == '*' || c == '?') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string UnescapeGlob(std::string_view glob) {
  std::string out;
  out.reserve(glob.size());
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\' && i + 1 < glob.size()) {
      ++i;
    }
    out += glob[i];
  }
  return out;
}

bool IsStarOnly(std::string_view glob) {
  return !glob.empty() && glob.find_first_not_of('*') == kNpos;
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

Status ValidateActionPattern(std::string_view pattern) {
  if (pattern == "*") {
    return Status::Ok();
  }
  if (pattern.empty()) {
    return ActionError(pattern, "is empty");
  }
  const size_t colon = pattern.find(':');
  if (colon == kNpos) {
    return ActionError(pattern, "is not `*` and has no `service:` prefix");
  }
  if (pattern.find(':', colon + 1) != kNpos) {
    return ActionError(pattern, "has more than one colon");
  }
  const std::string_view service = pattern.substr(0, colon);
  const std::string_view name = pattern.substr(colon + 1);
  if (service.empty()) {
    return ActionError(pattern, "has an empty service prefix");
  }
  for (size_t i = 0; i < service.size(); ++i) {
    const char c = service[i];
    // R37: `e*:*` is accepted (and matches only a service literally named `e*`); the linter
    // reports the wildcard, so `*` and `?` pass validation here.
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-' && c != '*' && c != '?') {
      return ActionError(pattern, "has an invalid character " + DescribeChar(service, i) +
                                      " in its service prefix");
    }
  }
  if (name.empty()) {
    return ActionError(pattern, "has an empty action name");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '*' && c != '?') {
      return ActionError(
          pattern, "has an invalid character " + DescribeChar(name, i) + " in its action name");
    }
  }
  return Status::Ok();
}

bool ActionMatch(std::string_view pattern, std::string_view action) {
  if (pattern == "*") {
    return true;
  }
  const size_t p_colon = pattern.find(':');
  const size_t a_colon = action.find(':');
  if (p_colon == kNpos || a_colon == kNpos) {
    return false;
  }
  // R37: the service prefix is compared literally (a `*` there is an ordinary character).
  if (!AsciiEqualsIgnoreCase(pattern.substr(0, p_colon), action.substr(0, a_colon))) {
    return false;
  }
  return ClassicGlobMatch<true>(pattern.substr(p_colon + 1), action.substr(a_colon + 1));
}

// ---------------------------------------------------------------------------------------------
// Resources and ARNs
// ---------------------------------------------------------------------------------------------

bool ResourceMatch(std::string_view glob, std::string_view resource) {
  if (IsStarOnly(glob)) {
    return true;  // R44
  }
  if (resource == "*") {
    return false;  // R50: only star-only patterns match a wildcard-only action's resource
  }
  if (glob.starts_with("arn:")) {
    return ArnResourceGlobMatch(glob, resource);
  }
  return GlobMatch(glob, resource);
}

std::optional<std::array<std::string_view, 6>> SplitArn(std::string_view text) {
  if (!text.starts_with("arn:")) {
    return std::nullopt;
  }
  std::array<std::string_view, 6> parts;
  size_t start = 0;
  for (size_t n = 0; n < 5; ++n) {
    const size_t colon = text.find(':', start);
    if (colon == kNpos) {
      return std::nullopt;
    }
    parts[n] = text.substr(start, colon - start);
    start = colon + 1;
  }
  parts[5] = text.substr(start);
  return parts;
}

std::optional<bool> ArnLikeMatch(std::string_view glob, std::string_view value) {
  const auto value_parts = SplitArn(value);
  const auto glob_parts = SplitArnGlob(glob);
  if (!value_parts || !glob_parts) {
    return std::nullopt;
  }
  // Components 0–4 of the value contain no colon and those of the glob no unescaped colon, so a
  // per-component glob can never cross into a neighbour (R90, R92).
  for (size_t i = 0; i < 6; ++i) {
    if (!GlobMatch((*glob_parts)[i], (*value_parts)[i])) {
      return false;
    }
  }
  return true;
}

bool IsArnGlob(std::string_view glob) { return SplitArnGlob(glob).has_value(); }

// ---------------------------------------------------------------------------------------------
// Policy variables
// ---------------------------------------------------------------------------------------------

bool Template::has_variables() const {
  for (const TemplatePiece& piece : pieces) {
    if (piece.is_variable) {
      return true;
    }
  }
  return false;
}

Result<Template> ParseTemplate(std::string_view text, bool variables_enabled) {
  Template out;
  std::string literal;  // pending escaped-glob text, merged so that plain strings give one piece
  auto flush = [&] {
    if (!literal.empty()) {
      TemplatePiece piece;
      piece.text = std::move(literal);
      out.pieces.push_back(std::move(piece));
      literal.clear();
    }
  };
  size_t i = 0;
  while (i < text.size()) {
    const bool variable_start =
        variables_enabled && text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{';
    if (!variable_start) {
      // `*` and `?` keep their wildcard meaning; a backslash is literal and must be escaped.
      if (text[i] == '\\') {
        literal += '\\';
      }
      literal += text[i];
      ++i;
      continue;
    }
    const size_t body = i + 2;
    // The text shown in error messages: from `${` through the next `}` (or to the end).
    const size_t close = text.find('}', body);
    const std::string_view snippet = text.substr(i, close == kNpos ? kNpos : close + 1 - i);

    // R98: `${*}`, `${?}`, `${$}` are literal characters, never wildcards.
    if (text.size() - body >= 2 && text[body + 1] == '}' &&
        (text[body] == '*' || text[body] == '?' || text[body] == '$')) {
      if (text[body] != '$') {
        literal += '\\';
      }
      literal += text[body];
      i = body + 2;
      continue;
    }

    size_t k = body;
    while (k < text.size() && text[k] != '}' && text[k] != ',') {
      ++k;
    }
    const std::string_view name = text.substr(body, k - body);
    if (name.find("${") != kNpos) {
      return TemplateError("INVALID_VARIABLE", "nested policy variable in", snippet);
    }
    if (k == text.size()) {
      return TemplateError("MISSING_BRACE_IN_VARIABLE",
                           "policy variable has no closing brace:", snippet);
    }
    if (name.empty()) {
      return TemplateError("EMPTY_VARIABLE", "empty policy variable", snippet);
    }
    for (char c : name) {
      if (IsSpace(c)) {
        return TemplateError("UNSUPPORTED_SPACE_IN_VARIABLE",
                             "space in the name of policy variable", snippet);
      }
    }
    for (char c : name) {
      if (c == '{' || c == '}' || c == '\'' || c == '"') {
        return TemplateError("INVALID_VARIABLE", "brace or quote in the name of policy variable",
                             snippet);
      }
    }

    TemplatePiece piece;
    piece.is_variable = true;
    piece.key = std::string(name);
    if (text[k] == '}') {
      i = k + 1;
    } else {
      // `, 'default'`: a comma, optional spaces, then a single-quoted text without quotes (R97).
      size_t m = k + 1;
      while (m < text.size() && text[m] == ' ') {
        ++m;
      }
      if (m == text.size()) {
        return TemplateError("MISSING_BRACE_IN_VARIABLE",
                             "policy variable has no closing brace:", snippet);
      }
      if (text[m] != '\'') {
        return TemplateError("MISSING_QUOTE_IN_VARIABLE",
                             "default value is not in single quotes in policy variable", snippet);
      }
      const size_t end_quote = text.find('\'', m + 1);
      if (end_quote == kNpos) {
        return TemplateError("MISSING_QUOTE_IN_VARIABLE",
                             "default value has no closing quote in policy variable",
                             text.substr(i));
      }
      const std::string_view def = text.substr(m + 1, end_quote - m - 1);
      if (def.find("${") != kNpos) {
        return TemplateError("INVALID_VARIABLE", "nested policy variable in", text.substr(i));
      }
      size_t r = end_quote + 1;
      while (r < text.size() && text[r] == ' ') {
        ++r;
      }
      if (r == text.size()) {
        return TemplateError("MISSING_BRACE_IN_VARIABLE",
                             "policy variable has no closing brace:", text.substr(i));
      }
      if (text[r] != '}') {
        return TemplateError("INVALID_VARIABLE", "unexpected text after the default value of",
                             text.substr(i, r + 1 - i));
      }
      piece.default_value = std::string(def);
      i = r + 1;
    }
    flush();
    out.pieces.push_back(std::move(piece));
  }
  flush();
  return out;
}

std::optional<std::string> Resolve(const Template& tmpl, const VariableLookup& lookup) {
  std::string out;
  for (const TemplatePiece& piece : tmpl.pieces) {
    if (!piece.is_variable) {
      out += piece.text;
      continue;
    }
    std::optional<std::string> value;
    if (lookup) {  // an empty std::function would throw bad_function_call
      value = lookup(piece.key);
    }
    if (value) {
      out += EscapeGlob(*value);  // R102: substituted text is literal
    } else if (piece.default_value) {
      out += EscapeGlob(*piece.default_value);
    } else {
      return std::nullopt;  // R101
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Typed values
// ---------------------------------------------------------------------------------------------

std::optional<Decimal> ParseDecimal(std::string_view text) {
  Decimal d;
  size_t pos = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    d.negative = text[pos] == '-';
    ++pos;
  }
  const size_t int_start = pos;
  while (pos < text.size() && IsAsciiDigit(text[pos])) {
    ++pos;
  }
  const std::string_view int_part = text.substr(int_start, pos - int_start);
  std::string_view frac_part;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t frac_start = pos;
    while (pos < text.size() && IsAsciiDigit(text[pos])) {
      ++pos;
    }
    frac_part = text.substr(frac_start, pos - frac_start);
  }
  if (pos != text.size() || (int_part.empty() && frac_part.empty())) {
    return std::nullopt;  // trailing garbage, or no digit at all (`""`, `+`, `.`, `-.`)
  }
  d.int_digits = std::string(TrimLeadingZeros(int_part));
  d.frac_digits = std::string(TrimTrailingZeros(frac_part));
  if (d.int_digits.empty() && d.frac_digits.empty()) {
    d.negative = false;  // "-0" == "0"
  }
  return d;
}

int CompareDecimal(const Decimal& a, const Decimal& b) {
  // Normalise on the fly so that hand-built values (leading/trailing zeros, "-0") compare right.
  const std::string_view ai = TrimLeadingZeros(a.int_digits);
  const std::string_view af = TrimTrailingZeros(a.frac_digits);
  const std::string_view bi = TrimLeadingZeros(b.int_digits);
  const std::string_view bf = TrimTrailingZeros(b.frac_digits);
  const bool a_neg = a.negative && !(ai.empty() && af.empty());
  const bool b_neg = b.negative && !(bi.empty() && bf.empty());
  if (a_neg != b_neg) {
    return a_neg ? -1 : 1;
  }
  int magnitude = CompareDigitsAsInteger(ai, bi);
  if (magnitude == 0) {
    // Without trailing zeros, fractional digit strings order like the fractions they denote.
    const int c = af.compare(bf);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return a_neg ? -magnitude : magnitude;
}

std::optional<int64_t> ParseDateMillis(std::string_view text) {
  constexpr int64_t kMsPerSecond = 1000;
  constexpr int64_t kMsPerDay = 86400 * kMsPerSecond;

  // Epoch seconds: an optionally signed integer. An unsigned four-digit string is read as the W3C
  // `YYYY` profile instead (the two grammars overlap there and the date reading is the documented
  // one).
  const bool four_digit_year = text.size() == 4 && IsAsciiDigit(text[0]) && IsAsciiDigit(text[1]) &&
                               IsAsciiDigit(text[2]) && IsAsciiDigit(text[3]);
  if (!four_digit_year && !text.empty()) {
    std::string_view digits = text;
    bool negative = false;
    if (digits.front() == '+' || digits.front() == '-') {
      negative = digits.front() == '-';
      digits.remove_prefix(1);
    }
    if (!digits.empty() && digits.find_first_not_of("0123456789") == kNpos) {
      int64_t seconds = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
      if (ec != std::errc() || ptr != digits.data() + digits.size() ||
          seconds > std::numeric_limits<int64_t>::max() / kMsPerSecond) {
        return std::nullopt;
      }
      return (negative ? -seconds : seconds) * kMsPerSecond;
    }
  }

  int year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t millis = 0;
  int64_t offset_minutes = 0;
  if (!FixedDigits(text, 0, 4, &year)) {
    return std::nullopt;
  }
  size_t pos = 4;
  if (pos < text.size()) {
    if (text[pos] != '-' || !FixedDigits(text, pos + 1, 2, &month)) {
      return std::nullopt;
    }
    pos += 3;
  }
  if (month < 1 || month > 12) {
    return std::nullopt;
  }
  if (pos < text.size()) {
    if (text[pos] != '-' || !FixedDigits(text, pos + 1, 2, &day)) {
      return std::nullopt;
    }
    pos += 3;
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  if (pos < text.size()) {
    // A time needs a full date (`YYYY-MM-DD`), i.e. exactly ten characters before the `T`.
    if (pos != 10 || text[pos] != 'T' || !FixedDigits(text, pos + 1, 2, &hour) ||
        pos + 3 >= text.size() || text[pos + 3] != ':' || !FixedDigits(text, pos + 4, 2, &minute)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!FixedDigits(text, pos + 1, 2, &second)) {
        return std::nullopt;
      }
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const size_t frac_start = pos;
        while (pos < text.size() && IsAsciiDigit(text[pos])) {
          // Millisecond precision (R80): later digits are validated and truncated.
          if (pos - frac_start < 3) {
            millis = millis * 10 + (text[pos] - '0');
          }
          ++pos;
        }
        const size_t frac_len = pos - frac_start;
        if (frac_len == 0) {
          return std::nullopt;
        }
        for (size_t k = frac_len; k < 3; ++k) {
          millis *= 10;
        }
      }
    }
    if (hour > 23 || minute > 59 || second > 59) {
      return std::nullopt;
    }
    if (pos < text.size()) {
      if (text[pos] == 'Z') {
        ++pos;
      } else if (text[pos] == '+' || text[pos] == '-') {
        int oh = 0;
        int om = 0;
        if (!FixedDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !FixedDigits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
          return std::nullopt;
        }
        offset_minutes = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
        pos += 6;
      } else {
        return std::nullopt;
      }
    }
    if (pos != text.size()) {
      return std::nullopt;
    }
  }
  const int64_t days = DaysFromCivil(year, month, day);
  // Local time = UTC + offset, so UTC = local - offset.
  return days * kMsPerDay + ((hour * 60 + minute - offset_minutes) * 60 + second) * kMsPerSecond +
         millis;
}

std::optional<IpNetwork> ParseIpNetwork(std::string_view text) {
  const size_t slash = text.find('/');
  const auto address = ParseBareAddress(text.substr(0, slash));
  if (!address) {
    return std::nullopt;
  }
  IpNetwork network;
  network.address = *address;
  const int max_prefix = address->v6 ? 128 : 32;
  network.prefix = max_prefix;
  if (slash != kNpos) {
    const std::string_view digits = text.substr(slash + 1);
    // Plain decimal without sign or leading zeros.
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0') ||
        digits.find_first_not_of("0123456789") != kNpos) {
      return std::nullopt;
    }
    int prefix = 0;
    for (char c : digits) {
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > max_prefix) {
      return std::nullopt;
    }
    network.prefix = prefix;
  }
  // R87: bits right of the prefix are ignored; clearing them makes equal networks compare equal.
  const int bytes = max_prefix / 8;
  for (int i = 0; i < bytes; ++i) {
    const int bits_kept = network.prefix - 8 * i;
    if (bits_kept <= 0) {
      network.address.bytes[i] = 0;
    } else if (bits_kept < 8) {
      network.address.bytes[i] &= static_cast<uint8_t>(0xFF << (8 - bits_kept));
    }
  }
  return network;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  auto address = ParseBareAddress(text);
  if (!address || !address->v6) {
    return address;
  }
  // R88: ::ffff:a.b.c.d (in any text form) is an IPv4 client seen through a dual-stack socket.
  const auto& b = address->bytes;
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) {
      return address;
    }
  }
  if (b[10] != 0xFF || b[11] != 0xFF) {
    return address;
  }
  IpAddress v4;
  v4.bytes[0] = b[12];
  v4.bytes[1] = b[13];
  v4.bytes[2] = b[14];
  v4.bytes[3] = b[15];
  return v4;
}

bool NetworkContains(const IpNetwork& network, const IpAddress& address) {
  if (network.address.v6 != address.v6) {
    return false;  // R88
  }
  const int max_prefix = address.v6 ? 128 : 32;
  const int prefix =
      network.prefix < 0 ? 0 : (network.prefix > max_prefix ? max_prefix : network.prefix);
  for (int i = 0; 8 * i < prefix; ++i) {
    const int bits = prefix - 8 * i;
    const uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if ((network.address.bytes[i] & mask) != (address.bytes[i] & mask)) {
      return false;
    }
  }
  return true;
}

std::optional<bool> ParseBool(std::string_view text) {
  if (AsciiEqualsIgnoreCase(text, "true")) {
    return true;
  }
  if (AsciiEqualsIgnoreCase(text, "false")) {
    return false;
  }
  return std::nullopt;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last_quad = i + 4 == text.size();
    int padding = 0;
    if (last_quad) {
      padding = text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0;
    }
    uint32_t bits = 0;
    for (size_t k = 0; k < 4; ++k) {
      int v = 0;
      if (k >= 4 - static_cast<size_t>(padding)) {
        v = 0;  // a padding position; checked to be '=' above
      } else {
        v = sextet(text[i + k]);
        if (v < 0) {
          return std::nullopt;  // includes `=` anywhere but the final one or two positions
        }
      }
      bits = (bits << 6) | static_cast<uint32_t>(v);
    }
    out += static_cast<char>((bits >> 16) & 0xFF);
    if (padding < 2) {
      out += static_cast<char>((bits >> 8) & 0xFF);
    }
    if (padding < 1) {
      out += static_cast<char>(bits & 0xFF);
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a == b) {
    return true;
  }
  const locale_t locale = Utf8Locale();
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    char32_t ca = 0;
    char32_t cb = 0;
    const size_t na = DecodeUtf8(a, i, &ca);
    const size_t nb = DecodeUtf8(b, j, &cb);
    if (na == 0 || nb == 0) {
      return false;  // invalid UTF-8: bytewise comparison, and the bytes differ (a != b above)
    }
    i += na;
    j += nb;
    if (ca == cb) {
      continue;
    }
    // Java String.equalsIgnoreCase: upper-case both; if that differs, lower-case the upper-cased
    // forms (needed for e.g. U+212A KELVIN SIGN vs `k`, whose upper cases differ).
    const char32_t ua = ToUpper(ca, locale);
    const char32_t ub = ToUpper(cb, locale);
    if (ua == ub || ToLower(ua, locale) == ToLower(ub, locale)) {
      continue;
    }
    return false;
  }
  if (i != a.size() || j != b.size()) {
    return false;  // different number of code points
  }
  return true;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = AsciiToLower(c);
  }
  return out;
}

bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiToLower(a[i]) != AsciiToLower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace policy_engine::match
