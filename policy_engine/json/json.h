// Strict RFC 8259 JSON reader that keeps source spans.
//
// Why our own reader and not nlohmann::json: policy validation must report *where* a problem is
// (byte offset, line and column of the offending value or member name), must reject duplicate
// member names itself (R2: most libraries silently keep the last one), must keep the token text of
// numbers (R22: `1.50` stays "1.50"), and must cap nesting depth without recursion blow-ups.
// nlohmann's SAX interface exposes none of the positions we need. nlohmann is still used for
// writing JSON output.
//
// Input is bytes; strings must be valid UTF-8 and are decoded (escapes resolved) into UTF-8.
// Thread safety: Parse is reentrant; Node is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy_engine/common/status.h"

namespace policy_engine::json {

enum class Type : uint8_t {
  kNull,    // null
  kBool,    // true / false
  kNumber,  // number; `text` keeps the token exactly as written
  kString,  // string; `text` is the decoded UTF-8 value
  kArray,   // array; `items`
  kObject,  // object; `members` in document order (names unique when duplicates are rejected)
};

struct Member;

struct Node {
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;
  std::vector<Node> items;
  std::vector<Member> members;
  uint32_t begin = 0;  // byte offset of the first character of the value
  uint32_t end = 0;    // byte offset one past its last character

  bool is_string() const { return type == Type::kString; }
  bool is_array() const { return type == Type::kArray; }
  bool is_object() const { return type == Type::kObject; }
  // First member with exactly this name, or nullptr.
  const Node* Find(std::string_view name) const;
};

struct Member {
  std::string name;
  uint32_t name_offset = 0;  // byte offset of the opening quote of the name
  Node value;
};

// Human name of a type for messages: "string", "array", ...
std::string_view TypeName(Type type);

struct ParseOptions {
  uint32_t max_depth = 64;             // arrays/objects nested deeper are rejected
  uint64_t max_bytes = 64ull << 20;    // larger inputs are rejected before parsing
  bool reject_duplicate_names = true;  // R2
};

// Parses exactly one JSON value (any type) surrounded by optional whitespace. Errors:
// `JSON_SYNTAX_ERROR` (with offset, line, column), `JSON_DUPLICATE_KEY` (pointer of the duplicate
// member, offset of its name), `JSON_TOO_DEEP`, `JSON_TOO_LARGE`, `JSON_INVALID_UTF8`.
Result<Node> Parse(std::string_view text, const ParseOptions& options = {});

// Fills line/column (1-based, column in bytes) for `offset` within `text`.
void FillLineColumn(std::string_view text, SourceLocation& location);

// Escapes one reference token for a JSON pointer (RFC 6901: `~` -> `~0`, `/` -> `~1`).
std::string EscapePointerToken(std::string_view token);

// Compact serialisation of a node (used to echo ids and to re-emit sub-documents).
std::string Dump(const Node& node);

// `text` as a JSON string literal: quotes, `"` and `\` escaped, control characters as \u00XX.
std::string Quote(std::string_view text);

}  // namespace policy_engine::json
