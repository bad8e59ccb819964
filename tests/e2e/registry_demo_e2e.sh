#!/usr/bin/env bash
# The issue #4 end-to-end scenario against `portcullis serve` with its BUILT-IN demo configuration
# (corpus/stores/registry-demo.json; no --config), the real skopeo, 127.0.0.1 on a free port:
#   alice logs in with a minted password, pushes a 3-layer OCI image (one layer of 21 MB) and a
#   Helm-chart artifact (artifactType) to demo/app, inspects, lists tags, pulls back byte-exact,
#   copies demo/app:v1 to demo/immutable:v1 (a cross-repository mount) and deletes;
#   bob (pull only) gets 403 on push and nothing he sent is stored, and may not pull
#   demo/restricted (aws:ResourceTag condition); carol (account 444455556666) pulls demo/app
#   (identity policy AND repository policy allow, R116) but not demo/immutable (no repository
#   policy for her account); moving demo/immutable:v1 (IMMUTABLE in the configuration) is refused;
#   an expired password (minted here with the server's key, independently of portcullis) is
#   refused.
# Usage: registry_demo_e2e.sh PORTCULLIS_BINARY. Exit 77 (ctest SKIP_RETURN_CODE) without skopeo.
set -uo pipefail
portcullis=${1:?usage: registry_demo_e2e.sh PORTCULLIS_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v skopeo >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: needs skopeo and python3 (tools/install-deps.sh --test)"
  exit 77
fi
tmp=$(mktemp -d /tmp/portcullis-demo-e2e.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
export REGISTRY_AUTH_FILE=$tmp/auth.json XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$tmp/run"
source "$here/e2e-lib.sh"

start_serve "$tmp/server.log" --data "$tmp/data" --audit-log "$tmp/audit.jsonl"
reg=127.0.0.1:$port
echo "server on $reg (pid $server_pid), built-in demo configuration"
for user in alice bob carol; do
  declare "$user=$("$portcullis" login-password --data "$tmp/data" --user "$user")"
done
tls=(--tls-verify=false)

digest=$("$here/make-oci-image.sh" "$tmp/image" v1 3 65536,22020096,4096)
other=$("$here/make-oci-image.sh" "$tmp/other" v1 1 4096)
chart=$("$here/make-helm-artifact.sh" "$tmp/chart" 0.1.0)
bob_image=$("$here/make-oci-image.sh" "$tmp/bob-image" v1 2 65536)
: "$other" "$bob_image"

check "alice logs in" bash -c "echo '$alice' | skopeo login ${tls[*]} -u AWS --password-stdin $reg"
check "alice pushes a 3-layer image (one layer 21 MB) to demo/app:v1" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" --digestfile "$tmp/pushed" \
  "oci:$tmp/image:v1" "docker://$reg/demo/app:v1"
check "the pushed digest is the layout's" test "$(cat "$tmp/pushed" 2>/dev/null)" = "$digest"
check "alice pushes a Helm chart artifact to demo/app:chart-0.1.0" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" \
  "oci:$tmp/chart:0.1.0" "docker://$reg/demo/app:chart-0.1.0"
check "the artifact manifest keeps its artifactType, byte-exact" bash -c \
  "skopeo inspect --raw ${tls[*]} --creds 'AWS:$alice' docker://$reg/demo/app:chart-0.1.0 > '$tmp/chart.raw' &&
   grep -q '\"artifactType\":\"application/vnd.cncf.helm.config.v1+json\"' '$tmp/chart.raw' &&
   test \"sha256:\$(sha256sum < '$tmp/chart.raw' | cut -d' ' -f1)\" = '$chart'"
check "inspect shows the tags" bash -c \
  "skopeo inspect ${tls[*]} --creds 'AWS:$alice' docker://$reg/demo/app:v1 | grep -q '\"chart-0.1.0\"'"
check "list-tags" bash -c \
  "skopeo list-tags ${tls[*]} --creds 'AWS:$alice' docker://$reg/demo/app | tr -d ' \n' |
   grep -q '\"Tags\":\[\"chart-0.1.0\",\"v1\"\]'"
check "alice pulls demo/app:v1 back" skopeo copy --src-tls-verify=false --src-creds "AWS:$alice" \
  "docker://$reg/demo/app:v1" "dir:$tmp/pulled"
for blob in "$tmp"/image/blobs/sha256/*; do
  hex=$(basename "$blob")
  if [[ $hex == "${digest#sha256:}" ]]; then
    check "pulled manifest is byte-exact" cmp "$tmp/pulled/manifest.json" "$blob"
  else
    check "pulled blob ${hex:0:12} ($(stat -c %s "$blob") bytes) is byte-exact" cmp "$tmp/pulled/$hex" "$blob"
  fi
done
check "alice copies demo/app:v1 to demo/immutable:v1" \
  skopeo copy --src-tls-verify=false --dest-tls-verify=false --src-creds "AWS:$alice" \
  --dest-creds "AWS:$alice" "docker://$reg/demo/app:v1" "docker://$reg/demo/immutable:v1"
big=$(find "$tmp/image/blobs/sha256" -size +20M -printf '%f\n')
check "the copy mounted the 21 MB layer from demo/app (201 Created, no upload)" bash -c \
  "grep '\"eventName\":\"CompleteLayerUpload\"' '$tmp/audit.jsonl' | grep '\"sourceRepositoryName\":\"demo/app\"' |
   grep '\"mountDigest\":\"sha256:$big\"' | grep -q '\"httpStatus\":201'"
refuse "moving the immutable tag demo/immutable:v1 is refused (R163)" "ImageTagAlreadyExistsException\|TAG_INVALID\|tag invalid" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" \
  "oci:$tmp/other:v1" "docker://$reg/demo/immutable:v1"
check "demo/immutable:v1 still names the first image" bash -c \
  "skopeo inspect --raw ${tls[*]} --creds 'AWS:$alice' docker://$reg/demo/immutable:v1 |
   sha256sum | grep -q '${digest#sha256:}'"

refuse "bob (pull only) gets 403 on push" "403\|denied" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$bob" \
  "oci:$tmp/bob-image:v1" "docker://$reg/demo/app:bob"
stored=0
for blob in "$tmp"/bob-image/blobs/sha256/*; do
  hex=$(basename "$blob")
  [[ -e $tmp/data/blobs/sha256/${hex:0:2}/$hex ]] && stored=$((stored + 1))
done
check "nothing bob sent is stored" test "$stored" -eq 0
check "bob pulls demo/app:v1" skopeo copy --src-tls-verify=false --src-creds "AWS:$bob" \
  "docker://$reg/demo/app:v1" "dir:$tmp/bob-pulled"
check "alice pushes demo/restricted:v1" skopeo copy --dest-tls-verify=false \
  --dest-creds "AWS:$alice" "oci:$tmp/other:v1" "docker://$reg/demo/restricted:v1"
refuse "bob may not pull demo/restricted (classification=restricted tag, explicit deny)" \
  "denied\|403\|unauthorized" skopeo inspect --raw "${tls[@]}" --creds "AWS:$bob" \
  "docker://$reg/demo/restricted:v1"

check "carol (444455556666) pulls demo/app:v1 across accounts (R116)" \
  skopeo copy --src-tls-verify=false --src-creds "AWS:$carol" \
  "docker://$reg/demo/app:v1" "dir:$tmp/carol-pulled"
check "carol's pull is byte-exact" cmp "$tmp/carol-pulled/manifest.json" \
  "$tmp/image/blobs/sha256/${digest#sha256:}"
refuse "carol may not pull demo/immutable (no repository policy for her account)" \
  "denied\|403\|unauthorized" skopeo inspect --raw "${tls[@]}" --creds "AWS:$carol" \
  "docker://$reg/demo/immutable:v1"
refuse "carol may not push to demo/app (her identity policy only pulls)" "403\|denied" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$carol" \
  "oci:$tmp/bob-image:v1" "docker://$reg/demo/app:carol"

# An expired password for alice, signed with the server's key (e2e-lib.sh, independently of
# portcullis); the same construction unexpired is accepted, so the first failed for its date.
expired=$(expired_password "$tmp/data" arn:aws:iam::111122223333:user/alice)
refuse "an expired password is refused at login" "invalid username/password\|401\|unauthorized" \
  skopeo login "${tls[@]}" -u AWS -p "$expired" "$reg"
fresh=$(mint_password "$tmp/data" arn:aws:iam::111122223333:user/alice -60 3600)
check "the same password construction, unexpired, is accepted" \
  skopeo login "${tls[@]}" -u AWS -p "$fresh" "$reg"

check "alice deletes demo/app:v1" skopeo delete "${tls[@]}" --creds "AWS:$alice" \
  "docker://$reg/demo/app:v1"
refuse "the deleted tag is gone" "manifest unknown" \
  skopeo inspect --raw "${tls[@]}" --creds "AWS:$alice" "docker://$reg/demo/app:v1"
check "the chart is still there" skopeo inspect --raw "${tls[@]}" --creds "AWS:$alice" \
  "docker://$reg/demo/app:chart-0.1.0"
stop_serve
check "the audit log records bob's denied push" grep -q \
  '"arn":"arn:aws:iam::111122223333:user/bob".*"repositoryName":"demo/app".*"errorCode":"AccessDeniedException"' \
  "$tmp/audit.jsonl"
check "the audit log holds no password" bash -c \
  "! grep -q -F -e '$alice' -e '$bob' -e '$carol' '$tmp/audit.jsonl'"
echo "$failures failure(s)"
exit $((failures > 0))
