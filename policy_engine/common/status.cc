#include "policy_engine/common/status.h"

namespace policy_engine {

std::string SourceLocation::ToString() const {
  std::string out = pointer.empty() ? std::string("/") : pointer;
  if (line != 0) {
    out += " (line " + std::to_string(line) + ", column " + std::to_string(column) + ")";
  } else if (offset) {
    out += " (byte " + std::to_string(*offset) + ")";
  }
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return code_ + ": " + location_.ToString() + ": " + message_;
}

}  // namespace policy_engine
