// Helpers shared by the server commands (`portcullis serve`, `portcullis sidecar`,
// `portcullis login-password`): one way to read the configuration and listen address, so both
// servers accept the same files and the same built-in demo store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "policy_engine/engine/engine.h"

namespace portcullis_cli {

// Reads the store document at `path`, or the built-in demo store when `path` is empty. Prints
// the error to stderr and returns false when the file cannot be read.
bool ReadConfig(const std::string& path, std::string& out);

// ReadConfig + Engine::Create; prints the located error and returns nullptr on failure.
// `text`, when given, receives the configuration text the engine was built from.
std::unique_ptr<policy_engine::engine::Engine> LoadEngine(
    const std::string& config, policy_engine::engine::EngineOptions options = {},
    std::string* text = nullptr);

// A loader re-reading `path` (or the built-in demo store for ""), for reloads.
std::function<policy_engine::Result<std::string>()> ConfigFileLoader(const std::string& path);

// "HOST:PORT" → host, port. False when malformed.
bool SplitListen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace portcullis_cli
