#!/usr/bin/env bash
# The README's first command: install what is missing, build (release), run the main job.
# Until the registry front end lands (issue #4) the main job evaluates the demo decision cases
# (corpus/decisions/demo.jsonl) with `portcullis eval --cases` and prints one decision per line.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target portcullis
exec build/release/tools/portcullis eval --cases corpus/decisions/demo.jsonl
