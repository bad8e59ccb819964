// This file's external interface is json::Parse (plus small helpers). A recursive-descent reader
// with an explicit depth cap: depth is bounded by ParseOptions::max_depth, so recursion is safe.
#include "policy_engine/json/json.h"

#include <algorithm>
#include <cstring>

namespace policy_engine::json {
namespace {

class Reader {
 public:
  Reader(std::string_view text, const ParseOptions& options) : s_(text), opt_(options) {}

  Result<Node> ReadDocument() {
    SkipWs();
    Node root;
    if (!ReadValue(root, 0, "")) return TakeError();
    SkipWs();
    if (pos_ != s_.size()) {
      Fail("JSON_SYNTAX_ERROR", "unexpected text after the end of the JSON value", pos_, "");
      return TakeError();
    }
    return root;
  }

 private:
  Status TakeError() { return std::move(error_); }

  bool Fail(const char* code, std::string message, size_t offset, const std::string& pointer) {
    SourceLocation loc;
    loc.pointer = pointer;
    loc.offset = offset;
    FillLineColumn(s_, loc);
    error_ = Status(code, std::move(message), std::move(loc));
    return false;
  }

  void SkipWs() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else {
        break;
      }
    }
  }

  std::string Describe(size_t at) const {
    if (at >= s_.size()) return "end of input";
    unsigned char c = static_cast<unsigned char>(s_[at]);
    if (c >= 0x20 && c < 0x7f) return std::string("`") + static_cast<char>(c) + "`";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
  }

  bool ReadValue(Node& out, uint32_t depth, const std::string& pointer) {
    if (pos_ >= s_.size()) {
      return Fail("JSON_SYNTAX_ERROR", "unexpected end of input, expected a value", pos_, pointer);
    }
    out.begin = static_cast<uint32_t>(pos_);
    char c = s_[pos_];
    bool ok;
    switch (c) {
      case '{':
        ok = ReadObject(out, depth, pointer);
        break;
      case '[':
        ok = ReadArray(out, depth, pointer);
        break;
      case '"':
        out.type = Type::kString;
        ok = ReadString(out.text, pointer);
        break;
      case 't':
      case 'f':
      case 'n':
        ok = ReadLiteral(out, pointer);
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          ok = ReadNumber(out, pointer);
        } else {
          ok = Fail("JSON_SYNTAX_ERROR", "unexpected " + Describe(pos_) + ", expected a value",
                    pos_, pointer);
        }
    }
    out.end = static_cast<uint32_t>(pos_);
    return ok;
  }

  bool ReadLiteral(Node& out, const std::string& pointer) {
    static constexpr std::pair<std::string_view, Type> kLiterals[] = {
        {"true", Type::kBool}, {"false", Type::kBool}, {"null", Type::kNull}};
    for (const auto& [word, type] : kLiterals) {
      if (s_.substr(pos_, word.size()) == word) {
        out.type = type;
        out.boolean = word == "true";
        pos_ += word.size();
        return true;
      }
    }
    return Fail("JSON_SYNTAX_ERROR", "invalid literal, expected `true`, `false` or `null`", pos_,
                pointer);
  }

  bool ReadNumber(Node& out, const std::string& pointer) {
    size_t start = pos_;
    auto digits = [&] {
      size_t n = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        ++pos_;
        ++n;
      }
      return n;
    };
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return Fail("JSON_SYNTAX_ERROR", "invalid number", start, pointer);
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Fail("JSON_SYNTAX_ERROR", "invalid number", start, pointer);
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Fail("JSON_SYNTAX_ERROR", "invalid number", start, pointer);
    }
    out.type = Type::kNumber;
    out.text.assign(s_.substr(start, pos_ - start));
    return true;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool ReadHex4(uint32_t& value, const std::string& pointer) {
    if (pos_ + 4 > s_.size()) {
      return Fail("JSON_SYNTAX_ERROR", "truncated `\\u` escape", pos_, pointer);
    }
    value = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_ + static_cast<size_t>(i)];
      value <<= 4;
      if (h >= '0' && h <= '9') {
        value |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        value |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        value |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        return Fail("JSON_SYNTAX_ERROR", "invalid hex digit in `\\u` escape", pos_, pointer);
      }
    }
    pos_ += 4;
    return true;
  }

  // Length of a valid UTF-8 sequence starting at `at`, or 0 (RFC 3629: no overlongs, no
  // surrogates, nothing above U+10FFFF).
  size_t Utf8Length(size_t at) const {
    auto byte = [&](size_t i) -> unsigned { return static_cast<unsigned char>(s_[i]); };
    unsigned b0 = byte(at);
    size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
    if (b0 > 0xF4 || n == 0 || at + n > s_.size()) return 0;
    for (size_t i = 1; i < n; ++i) {
      if ((byte(at + i) & 0xC0) != 0x80) return 0;
    }
    unsigned b1 = byte(at + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // > U+10FFFF
    return n;
  }

  bool ReadString(std::string& out, const std::string& pointer) {
    size_t start = pos_;
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= s_.size()) {
        return Fail("JSON_SYNTAX_ERROR", "unterminated string", start, pointer);
      }
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return Fail("JSON_SYNTAX_ERROR", "control character in string (escape it)", pos_, pointer);
      }
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) {
          return Fail("JSON_SYNTAX_ERROR", "unterminated string", start, pointer);
        }
        char e = s_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            uint32_t cp = 0;
            size_t esc = pos_ - 2;
            if (!ReadHex4(cp, pointer)) return false;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              uint32_t lo = 0;
              if (s_.substr(pos_, 2) != "\\u") {
                return Fail("JSON_INVALID_UTF8", "unpaired surrogate in `\\u` escape", esc,
                            pointer);
              }
              pos_ += 2;
              if (!ReadHex4(lo, pointer)) return false;
              if (lo < 0xDC00 || lo > 0xDFFF) {
                return Fail("JSON_INVALID_UTF8", "unpaired surrogate in `\\u` escape", esc,
                            pointer);
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
              return Fail("JSON_INVALID_UTF8", "unpaired surrogate in `\\u` escape", esc, pointer);
            }
            AppendUtf8(out, cp);
            break;
          }
          default:
            return Fail("JSON_SYNTAX_ERROR", "invalid escape `\\" + std::string(1, e) + "`",
                        pos_ - 2, pointer);
        }
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      size_t n = Utf8Length(pos_);
      if (n == 0) {
        return Fail("JSON_INVALID_UTF8", "invalid UTF-8 in string", pos_, pointer);
      }
      out.append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  bool Enter(uint32_t depth, const std::string& pointer) {
    if (depth + 1 > opt_.max_depth) {
      return Fail("JSON_TOO_DEEP",
                  "nesting deeper than " + std::to_string(opt_.max_depth) + " levels", pos_,
                  pointer);
    }
    return true;
  }

  bool ReadArray(Node& out, uint32_t depth, const std::string& pointer) {
    if (!Enter(depth, pointer)) return false;
    out.type = Type::kArray;
    ++pos_;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      std::string child_pointer = pointer + "/" + std::to_string(out.items.size());
      out.items.emplace_back();
      if (!ReadValue(out.items.back(), depth + 1, child_pointer)) return false;
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == ']') {
          return Fail("JSON_SYNTAX_ERROR", "trailing comma in array", pos_, pointer);
        }
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail("JSON_SYNTAX_ERROR", "unexpected " + Describe(pos_) + ", expected `,` or `]`",
                  pos_, pointer);
    }
  }

  bool ReadObject(Node& out, uint32_t depth, const std::string& pointer) {
    if (!Enter(depth, pointer)) return false;
    out.type = Type::kObject;
    ++pos_;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        return Fail("JSON_SYNTAX_ERROR",
                    "unexpected " + Describe(pos_) + ", expected a member name in double quotes",
                    pos_, pointer);
      }
      Member member;
      member.name_offset = static_cast<uint32_t>(pos_);
      if (!ReadString(member.name, pointer)) return false;
      std::string child_pointer = pointer + "/" + EscapePointerToken(member.name);
      if (opt_.reject_duplicate_names) {
        for (const Member& m : out.members) {
          if (m.name == member.name) {
            return Fail("JSON_DUPLICATE_KEY", "duplicate member name `" + member.name + "`",
                        member.name_offset, child_pointer);
          }
        }
      }
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != ':') {
        return Fail("JSON_SYNTAX_ERROR", "unexpected " + Describe(pos_) + ", expected `:`", pos_,
                    child_pointer);
      }
      ++pos_;
      SkipWs();
      if (!ReadValue(member.value, depth + 1, child_pointer)) return false;
      out.members.push_back(std::move(member));
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == '}') {
          return Fail("JSON_SYNTAX_ERROR", "trailing comma in object", pos_, pointer);
        }
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail("JSON_SYNTAX_ERROR", "unexpected " + Describe(pos_) + ", expected `,` or `}`",
                  pos_, pointer);
    }
  }

  std::string_view s_;
  const ParseOptions& opt_;
  size_t pos_ = 0;
  Status error_;
};

void DumpTo(const Node& node, std::string& out) {
  switch (node.type) {
    case Type::kNull:
      out += "null";
      break;
    case Type::kBool:
      out += node.boolean ? "true" : "false";
      break;
    case Type::kNumber:
      out += node.text;
      break;
    case Type::kString:
      out += Quote(node.text);
      break;
    case Type::kArray: {
      out += '[';
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i) out += ',';
        DumpTo(node.items[i], out);
      }
      out += ']';
      break;
    }
    case Type::kObject: {
      out += '{';
      for (size_t i = 0; i < node.members.size(); ++i) {
        if (i) out += ',';
        Node key;
        key.type = Type::kString;
        key.text = node.members[i].name;
        DumpTo(key, out);
        out += ':';
        DumpTo(node.members[i].value, out);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

const Node* Node::Find(std::string_view name) const {
  for (const Member& m : members) {
    if (m.name == name) return &m.value;
  }
  return nullptr;
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kObject:
      return "object";
  }
  return "value";
}

Result<Node> Parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.max_bytes) {
    SourceLocation loc;
    loc.offset = options.max_bytes;
    return Status("JSON_TOO_LARGE",
                  "document of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                      std::to_string(options.max_bytes) + " bytes",
                  loc);
  }
  if (text.size() >= UINT32_MAX) {
    return Status("JSON_TOO_LARGE", "document too large");
  }
  Reader reader(text, options);
  return reader.ReadDocument();
}

void FillLineColumn(std::string_view text, SourceLocation& location) {
  if (!location.offset) return;
  size_t end = std::min<size_t>(*location.offset, text.size());
  uint32_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  location.line = line;
  location.column = static_cast<uint32_t>(end - line_start + 1);
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string Dump(const Node& node) {
  std::string out;
  DumpTo(node, out);
  return out;
}

}  // namespace policy_engine::json
