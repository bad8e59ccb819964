// Helpers for the HTTP value types (message.h).
#include "registry_frontend/http/message.h"

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace registry_frontend::http {

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
// Names are usually spelled alike (the server stores them lower-cased, callers ask in lower
// case): equal bytes take one compare, only differing ones are folded.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

const std::string* FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return &v;
  }
  return nullptr;
}

void AddMergedHeader(Headers& headers, std::string_view name, std::string_view value) {
  for (auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) {
      v += ", ";
      v += value;
      return;
    }
  }
  headers.emplace_back(ToLower(name), std::string(value));
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq));
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (key && value) out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::string QueryValue(const std::vector<std::pair<std::string, std::string>>& query,
                       std::string_view key) {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return {};
}

bool AnnouncesBody(const HttpRequest& request) {
  const std::string* length = request.Header("content-length");
  if (length != nullptr) return *length != "0";
  return request.Header("transfer-encoding") != nullptr;
}

namespace {

void AppendClean(std::string& out, std::string_view text) {
  size_t start = out.size();
  out.append(text);  // in bulk, then fix up: the common case has nothing to replace
  // One pass over the bytes (string_view::find_first_of would call memchr per byte).
  for (size_t i = start; i < out.size(); ++i) {
    char c = out[i];
    if (c == '\r' || c == '\n' || c == '\0') out[i] = ' ';
  }
}

void AppendNumber(std::string& out, uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;  // 24 bytes hold any uint64_t
  out.append(digits, end);
}

}  // namespace

void SerializeResponse(const HttpResponse& response, unsigned version, bool keep_alive,
                       std::string& out) {
  out.clear();
  out += version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
  int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
  AppendNumber(out, static_cast<uint64_t>(status));
  out += ' ';
  auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
        EqualsIgnoreCase(name, "connection")) {
      continue;
    }
    AppendClean(out, name);
    out += ": ";
    AppendClean(out, value);
    out += "\r\n";
  }
  bool bodiless = status < 200 || status == 204 || status == 304;
  if (!bodiless) {
    out += "Content-Length: ";
    AppendNumber(out, response.head_length ? *response.head_length : response.body.size());
    out += "\r\n";
  }
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!bodiless && !response.head_length) out += response.body;
}

}  // namespace registry_frontend::http
