#!/usr/bin/env bash
# The README's first command: install what is missing, build (release), run the main job — the
# registry front end on 127.0.0.1:5000 with the built-in demo configuration (docs/registry.md). Stop it
# with Ctrl-C. PORTCULLIS_LISTEN and PORTCULLIS_DATA override the address and the data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target portcullis
data="${PORTCULLIS_DATA:-build/portcullis-data}"
listen="${PORTCULLIS_LISTEN:-127.0.0.1:5000}"
bin=build/release/tools/portcullis
echo "password for the demo user alice (user name AWS): $bin login-password --data $data --user alice"
echo "skopeo commands: README.md (main job) and docs/registry.md"
exec "$bin" serve --data "$data" --listen "$listen"
