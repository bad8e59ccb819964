// The built-in demo configuration of `portcullis serve` without --config: the engine's demo
// store (corpus/stores/demo-store.json), compiled into the binary so the command works with no
// files at hand (the way policy_engine/catalog embeds ecr.json).
#pragma once

#include <string_view>

namespace registry_frontend::demo {

std::string_view DemoStore();

}  // namespace registry_frontend::demo
