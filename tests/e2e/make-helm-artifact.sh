#!/usr/bin/env bash
# Writes an OCI image layout holding a Helm-chart-style artifact (what `helm push` stores): an OCI
# image manifest with `artifactType`, config `application/vnd.cncf.helm.config.v1+json` and one
# `application/vnd.cncf.helm.chart.content.v1.tar+gzip` layer. No helm needed.
# Usage: make-helm-artifact.sh LAYOUT TAG. Prints the manifest digest.
set -euo pipefail
layout=$1 tag=$2
rm -rf "$layout"
mkdir -p "$layout/blobs/sha256"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
put() {
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv "$1" "$layout/blobs/sha256/$hex"
  echo "$hex $size"
}
mkdir -p "$work/chart/demo/templates"
printf 'apiVersion: v2\nname: demo\nversion: 0.1.0\n' > "$work/chart/demo/Chart.yaml"
head -c 4096 /dev/urandom | base64 > "$work/chart/demo/templates/data.txt"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/chart" -cf - demo \
  | gzip -n > "$work/chart.tgz"
read -r chart_hex chart_size < <(put "$work/chart.tgz")
printf '{"name":"demo","version":"0.1.0","apiVersion":"v2"}' > "$work/config.json"
read -r config_hex config_size < <(put "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.helm.config.v1+json","config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config_hex" "$config_size" "$chart_hex" "$chart_size" > "$work/manifest.json"
read -r manifest_hex manifest_size < <(put "$work/manifest.json")
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest_hex" "$manifest_size" "$tag" > "$layout/index.json"
echo "sha256:$manifest_hex"
