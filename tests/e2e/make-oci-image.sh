#!/usr/bin/env bash
# Writes a tiny OCI image layout (no network, no container engine): N gzip'ed tar layers of fresh
# random bytes, an image config and a manifest, referenced as oci:LAYOUT:TAG.
# Usage: make-oci-image.sh LAYOUT TAG [LAYERS] [BYTES_PER_LAYER]
#   BYTES_PER_LAYER may be a comma list (one size per layer; the last one repeats).
# Prints the manifest digest (sha256:…) on standard output.
set -euo pipefail
layout=$1 tag=$2 layers=${3:-2} bytes=${4:-65536}

rm -rf "$layout"
mkdir -p "$layout/blobs/sha256"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# put FILE: moves FILE into the blob store, prints "<hex> <size>".
put() {
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv "$1" "$layout/blobs/sha256/$hex"
  echo "$hex $size"
}

IFS=, read -r -a sizes <<< "$bytes"
layer_json="" diff_ids=""
for i in $(seq 1 "$layers"); do
  size_i=${sizes[$((i - 1))]:-${sizes[-1]}}
  mkdir -p "$work/root$i/layer$i"
  head -c "$size_i" /dev/urandom > "$work/root$i/layer$i/payload.bin"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/root$i" \
    -cf "$work/layer$i.tar" "layer$i"
  diff_id=$(sha256sum "$work/layer$i.tar" | cut -d' ' -f1)
  gzip -n "$work/layer$i.tar"
  read -r hex size < <(put "$work/layer$i.tar.gz")
  layer_json+="${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$hex\",\"size\":$size}"
  diff_ids+="${diff_ids:+,}\"sha256:$diff_id\""
done

printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$diff_ids" > "$work/config.json"
read -r config_hex config_size < <(put "$work/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$config_hex" "$config_size" "$layer_json" > "$work/manifest.json"
read -r manifest_hex manifest_size < <(put "$work/manifest.json")

printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest_hex" "$manifest_size" "$tag" > "$layout/index.json"
echo "sha256:$manifest_hex"
