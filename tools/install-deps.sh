#!/usr/bin/env bash
# Installs the Debian 12 packages Portcullis needs (build, tests, end-to-end peers) when missing.
# Safe to run repeatedly; needs root (apt-get). Usage: tools/install-deps.sh [--test]
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkg-config git
            nlohmann-json3-dev libre2-dev libboost1.81-dev libssl-dev libsqlite3-dev libcli11-dev
            libbenchmark-dev libgtest-dev libgmock-dev)
# Test-only peers: the reference oracle (Node) is optional and used by tools/casegen only.
test_pkgs=(python3 skopeo curl)  # skopeo, curl: tests/e2e/ (docs/registry.md)
test_pkgs+=(docker-registry openssl)  # tests/e2e/sidecar_token_e2e.sh (docs/token-server.md)
test_pkgs+=(nginx docker-registry wrk)  # tests/e2e/sidecar_nginx_e2e.sh, bench/sidecar_load.sh

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if (( ${#missing[@]} )); then
  echo "install-deps: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
