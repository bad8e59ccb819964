#!/usr/bin/env bash
# The README's second command: install what is missing, build and run every test — the dev
# preset (warnings as errors) and then the asan preset (AddressSanitizer + UBSan).
# .ci/run calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --test
for preset in dev asan; do
  echo "=== preset ${preset} ==="
  cmake --preset "${preset}"
  cmake --build --preset "${preset}"
  ctest --preset "${preset}"
done
