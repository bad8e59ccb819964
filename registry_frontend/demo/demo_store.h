// Documents compiled into the binary so commands work with no files at hand (the way
// policy_engine/catalog embeds ecr.json).
#pragma once

#include <string_view>

namespace registry_frontend::demo {

// The built-in demo configuration of `portcullis serve` and `portcullis sidecar` without
// --config (corpus/stores/registry-demo.json): alice, bob, carol; demo/app, demo/immutable,
// demo/restricted. docs/registry.md describes it.
std::string_view DemoStore();

// The engine's demo store (corpus/stores/demo-store.json), used by unit tests.
std::string_view EngineDemoStore();

}  // namespace registry_frontend::demo
