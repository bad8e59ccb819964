#!/usr/bin/env bash
# End to end with the real skopeo (Debian 12, 1.9.3) against `portcullis serve` on a free
# 127.0.0.1 port with a temporary data directory and the engine demo store
# (corpus/stores/demo-store.json; registry_demo_e2e.sh covers the built-in demo configuration):
#   alice (111122223333, team payments) logs in, pushes, inspects, lists tags and pulls back
#   byte-exact from payments/worker; bob (444455556666) is refused (403) on push and nothing he
#   sent is stored; a forged password is refused at login; admin deletes the image.
#   payments/api is IMMUTABLE (--repository-settings): re-pushing the same image under its tag
#   succeeds (R164), moving the tag to another image is refused with TAG_INVALID (R163).
# Usage: skopeo_e2e.sh PORTCULLIS_BINARY. Exit 77 (ctest SKIP_RETURN_CODE) when skopeo is missing.
set -uo pipefail
portcullis=${1:?usage: skopeo_e2e.sh PORTCULLIS_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
store=$here/../../corpus/stores/demo-store.json
if ! command -v skopeo >/dev/null; then
  echo "SKIP: skopeo is not installed (tools/install-deps.sh --test)"
  exit 77
fi

tmp=$(mktemp -d /tmp/portcullis-e2e.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
export REGISTRY_AUTH_FILE=$tmp/auth.json XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$tmp/run"

source "$here/e2e-lib.sh"

cat >"$tmp/settings.json" <<'JSON'
{"repositories": [{"name": "payments/api", "imageTagMutability": "IMMUTABLE"}]}
JSON
start_serve "$tmp/server.log" --config "$store" --data "$tmp/data" \
  --repository-settings "$tmp/settings.json" --audit-log "$tmp/audit.jsonl"
reg=127.0.0.1:$port
echo "server on $reg (pid $server_pid)"

alice=$("$portcullis" login-password --config "$store" --data "$tmp/data" --user alice)
bob=$("$portcullis" login-password --config "$store" --data "$tmp/data" --user bob)
admin=$("$portcullis" login-password --config "$store" --data "$tmp/data" --user admin)

digest=$("$here/make-oci-image.sh" "$tmp/image" v1 2 1048576)
bob_digest=$("$here/make-oci-image.sh" "$tmp/bob-image" v1 2 65536)

check "alice logs in" bash -c "echo '$alice' | skopeo login --tls-verify=false -u AWS --password-stdin $reg"
refuse "a forged password is refused at login" "invalid username/password" \
  skopeo login --tls-verify=false -u AWS -p "${alice%?}x" "$reg"
check "alice pushes oci:image:v1 to payments/worker:v1" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" --digestfile "$tmp/pushed" \
  "oci:$tmp/image:v1" "docker://$reg/payments/worker:v1"
check "the pushed manifest digest is the layout's" test "$(cat "$tmp/pushed" 2>/dev/null)" = "$digest"
check "inspect --raw returns the same manifest bytes" bash -c \
  "skopeo inspect --raw --tls-verify=false --creds 'AWS:$alice' docker://$reg/payments/worker:v1 \
   > '$tmp/raw' && test \"sha256:\$(sha256sum < '$tmp/raw' | cut -d' ' -f1)\" = '$digest'"
check "inspect shows the tag" bash -c \
  "skopeo inspect --tls-verify=false --creds 'AWS:$alice' docker://$reg/payments/worker:v1 \
   | grep -q '\"v1\"'"
check "list-tags" bash -c \
  "skopeo list-tags --tls-verify=false --creds 'AWS:$alice' docker://$reg/payments/worker \
   | tr -d ' \n' | grep -q '\"Tags\":\[\"v1\"\]'"
check "alice pulls back to dir:" skopeo copy --src-tls-verify=false --src-creds "AWS:$alice" \
  "docker://$reg/payments/worker:v1" "dir:$tmp/pulled"
check_pulled_layout "$tmp/image" "$digest" "$tmp/pulled"

refuse "bob (other account, no push permission) gets 403 on push" "403" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$bob" \
  "oci:$tmp/bob-image:v1" "docker://$reg/payments/worker:bob"
stored=0
for blob in "$tmp"/bob-image/blobs/sha256/*; do
  hex=$(basename "$blob")
  [[ -e $tmp/data/blobs/sha256/${hex:0:2}/$hex ]] && stored=$((stored + 1))
done
check "nothing bob sent is stored" test "$stored" -eq 0
check "bob's tag does not exist" bash -c \
  "! skopeo inspect --raw --tls-verify=false --creds 'AWS:$alice' docker://$reg/payments/worker:bob"
refuse "a repository that is not configured is NAME_UNKNOWN" "name unknown\|NAME_UNKNOWN\|not known" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$admin" \
  "oci:$tmp/image:v1" "docker://$reg/payments/nowhere:v1"

# Cross-repository copy (skopeo mounts blobs it has seen in payments/worker), then a
# cross-account pull that both bob's identity policy and the repository policy allow (R116).
check "admin copies payments/worker:v1 to payments/api:v1" \
  skopeo copy --src-tls-verify=false --dest-tls-verify=false --src-creds "AWS:$admin" \
  --dest-creds "AWS:$admin" "docker://$reg/payments/worker:v1" "docker://$reg/payments/api:v1"
check "the same image again under the immutable tag payments/api:v1 succeeds (R164)" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$admin" \
  "oci:$tmp/image:v1" "docker://$reg/payments/api:v1"
refuse "moving the immutable tag payments/api:v1 to another image is refused (R163)" \
  "ImageTagAlreadyExistsException\|tag invalid\|TAG_INVALID" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$admin" \
  "oci:$tmp/bob-image:v1" "docker://$reg/payments/api:v1"
check "bob pulls payments/api:v1 across accounts" skopeo copy --src-tls-verify=false \
  --src-creds "AWS:$bob" "docker://$reg/payments/api:v1" "dir:$tmp/bob-pulled"
check "bob's pull is byte-exact" cmp "$tmp/bob-pulled/manifest.json" \
  "$tmp/image/blobs/sha256/${digest#sha256:}"
refuse "bob cannot pull payments/worker (no repository policy for his account)" "denied" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$bob" "docker://$reg/payments/worker:v1"

check "admin deletes payments/worker:v1" \
  skopeo delete --tls-verify=false --creds "AWS:$admin" "docker://$reg/payments/worker:v1"
refuse "the deleted image is gone" "manifest unknown" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$alice" "docker://$reg/payments/worker:v1"

stop_serve
check "the audit log records bob's denied push (403)" grep -q \
  '"eventName":"[A-Za-z]*".*"arn":"arn:aws:iam::444455556666:user/bob".*"repositoryName":"payments/worker".*"errorCode":"AccessDeniedException".*"decision":"ImplicitDeny".*"httpStatus":403' \
  "$tmp/audit.jsonl"
check "the audit log records the refused immutable-tag push as allowed with status 400" grep -q \
  '"eventName":"PutImage".*"repositoryName":"payments/api".*"errorCode":"ImageTagAlreadyExistsException".*"decision":"Allow".*"httpStatus":400' "$tmp/audit.jsonl"
check "the audit log holds no password" bash -c "! grep -q -F -e '$alice' -e '$bob' -e '$admin' '$tmp/audit.jsonl'"
echo "$failures failure(s)"
exit $((failures > 0))
