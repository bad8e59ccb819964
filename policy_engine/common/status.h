// Status and Result<T>: errors as values across module boundaries.
//
// Every public function of the engine that can fail returns a Status or a Result<T>; no exception
// crosses a module's API. A Status carries a stable code (UPPER_SNAKE_CASE, e.g.
// `JSON_SYNTAX_ERROR`, matching the finding codes of docs/policy-semantics.md §9.2), a one-line
// lower-case message, and a location: a JSON pointer (RFC 6901) and, when known, the byte offset /
// line / column in the source.
//
// Result<T> is a small subset of C++23 std::expected<T, Status>; moving to <expected> is a rename.
// Thread safety: plain values, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace policy_engine {

// Where in a source document something is. Offsets are 0-based bytes; line and column are 1-based
// (column counts bytes). A location with no pointer and no offset is "unknown".
struct SourceLocation {
  std::string pointer;             // JSON pointer, "" = the whole document
  std::optional<uint64_t> offset;  // byte offset of the start of the offending value
  uint32_t line = 0;               // 0 = unknown
  uint32_t column = 0;             // 0 = unknown

  // "/Statement/0/Effect (line 3, column 15)" or just the pointer.
  std::string ToString() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(std::string code, std::string message, SourceLocation location = {})
      : code_(std::move(code)), message_(std::move(message)), location_(std::move(location)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_.empty(); }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const SourceLocation& location() const { return location_; }
  SourceLocation& mutable_location() { return location_; }

  // "CODE: <location>: message" — the one-line form used by the CLI and in logs.
  std::string ToString() const;

 private:
  std::string code_;  // empty = OK
  std::string message_;
  SourceLocation location_;
};

// Holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit like std::expected
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  explicit Result() = delete;

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Status& error() const { return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace policy_engine

#define PE_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::policy_engine::Status pe_status_ = (expr); \
    if (!pe_status_.ok()) return pe_status_;     \
  } while (0)
