// Shared command helpers (command_common.h).
#include "tools/command_common.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "registry_frontend/demo/demo_store.h"

namespace portcullis_cli {

bool ReadConfig(const std::string& path, std::string& out) {
  if (path.empty()) {
    out = std::string(registry_frontend::demo::DemoStore());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "portcullis: cannot read `" << path << "`\n";
    return false;
  }
  std::stringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::unique_ptr<policy_engine::engine::Engine> LoadEngine(
    const std::string& config, policy_engine::engine::EngineOptions options, std::string* text) {
  std::string read;
  if (!ReadConfig(config, read)) return nullptr;
  auto engine = policy_engine::engine::Engine::Create(read, options);
  if (!engine) {
    std::cerr << "portcullis: " << (config.empty() ? "built-in demo store" : config) << ": "
              << engine.error().ToString() << "\n";
    return nullptr;
  }
  if (text != nullptr) *text = std::move(read);
  return std::move(*engine);
}

std::function<policy_engine::Result<std::string>()> ConfigFileLoader(const std::string& path) {
  return [path]() -> policy_engine::Result<std::string> {
    std::string text;
    if (!ReadConfig(path, text)) {
      return policy_engine::Status("IO_ERROR", "cannot read `" + path + "`");
    }
    return text;
  };
}

bool SplitListen(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return false;
  unsigned long value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace portcullis_cli
