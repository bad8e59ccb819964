#!/usr/bin/env bash
# End to end: Debian's docker-registry (CNCF distribution 2.8) with `auth: token` against
# `portcullis sidecar`'s /token (docs/token-server.md), the real skopeo as the client,
# the built-in demo configuration (corpus/stores/registry-demo.json), all on 127.0.0.1 free ports
# with temporary directories:
#   alice (push+pull demo/*) logs in, pushes and pulls back byte-exact; a bad password is refused
#   at login; bob (pull demo/*) is denied on push and nothing he sent is stored, but pulls;
#   carol (account 444455556666) pulls demo/app only through its repository policy (R116), not
#   demo/immutable, and cannot push. /token itself: anonymous 401 + Basic challenge, odd and
#   unknown scopes answered like denials, the JWT's kid equals the libtrust id of the
#   certificate the registry trusts (computed here with openssl + python3).
# Usage: sidecar_token_e2e.sh PORTCULLIS_BINARY. Exit 77 when docker-registry, skopeo, curl or
# python3 is missing.
set -uo pipefail
portcullis=${1:?usage: sidecar_token_e2e.sh PORTCULLIS_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
for tool in docker-registry skopeo curl python3 openssl; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (tools/install-deps.sh --test)"
    exit 77
  fi
done

tmp=$(mktemp -d /tmp/portcullis-token-e2e.XXXXXX)
sidecar_pid="" registry_pid=""
stop() {  # stop PID: TERM, then wait
  [[ -n $1 ]] || return 0
  kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
cleanup() {
  stop "$registry_pid"
  stop "$sidecar_pid"
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
export REGISTRY_AUTH_FILE=$tmp/auth.json XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$tmp/run"

source "$here/e2e-lib.sh"

# The sidecar on any free port (first stdout line names it); it creates DATA/auth/jwt-*.pem.
service=e2e-registry issuer=e2e-portcullis
"$portcullis" sidecar --data "$tmp/data" --listen 127.0.0.1:0 --token-service "$service" \
  --token-issuer "$issuer" --audit-log "$tmp/audit.jsonl" >"$tmp/sidecar.log" 2>&1 &
sidecar_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$tmp/sidecar.log" && break
  kill -0 "$sidecar_pid" 2>/dev/null || break
  sleep 0.1
done
sport=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/sidecar.log")
if [[ -z $sport ]]; then
  echo "FAIL sidecar did not start"; cat "$tmp/sidecar.log"; exit 1
fi
cert=$tmp/data/auth/jwt-cert.pem
check "the signing key is private (0600)" test "$(stat -c %a "$tmp/data/auth/jwt-key.pem")" = 600

# docker-registry on a free port, trusting the sidecar's certificate.
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $tmp/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$rport
  secret: e2e-not-a-secret
auth:
  token:
    realm: http://127.0.0.1:$sport/token
    service: $service
    issuer: $issuer
    rootcertbundle: $cert
EOF
# distribution reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE would become
# `auth: file:`); skopeo's auth file variable must not reach it.
env -u REGISTRY_AUTH_FILE docker-registry serve "$tmp/config.yml" >"$tmp/registry.log" 2>&1 &
registry_pid=$!
reg=127.0.0.1:$rport
code=""
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$reg/v2/" || true)
  [[ $code == 401 ]] && break
  kill -0 "$registry_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ $code != 401 ]]; then
  echo "FAIL docker-registry did not start"; tail -20 "$tmp/registry.log"; exit 1
fi
echo "sidecar on 127.0.0.1:$sport, docker-registry on $reg"

login() { "$portcullis" login-password --data "$tmp/data" --user "$1"; }
alice=$(login alice) bob=$(login bob) carol=$(login carol)
token_url="http://127.0.0.1:$sport/token?service=$service"
# access CREDS SCOPE…: the `access` claim (compact JSON) of a token for these scopes
access() {
  local creds=$1 url=$token_url; shift
  for s in "$@"; do url+="&scope=$s"; done
  curl -sf -u "$creds" "$url" | python3 -c '
import base64, json, sys
jwt = json.load(sys.stdin)["token"]
claims = jwt.split(".")[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["access"],
                 separators=(",", ":")))'
}

# /token on its own.
check "anonymous /token: 401 with a Basic challenge" bash -c \
  "curl -s -D - -o /dev/null '$token_url&scope=repository:demo/app:pull' \
   | tr -d '\r' | grep -q '^HTTP/1.1 401' && \
   curl -s -D - -o /dev/null '$token_url' | tr -d '\r' | grep -qi '^www-authenticate: Basic realm='"
check "a bad password at /token: 401" bash -c \
  "test \$(curl -s -o /dev/null -w '%{http_code}' -u 'AWS:${alice%?}x' '$token_url') = 401"
check "alice's token grants pull,push on demo/app" test \
  "$(access "AWS:$alice" repository:demo/app:pull,push)" = \
  '[{"type":"repository","name":"demo/app","actions":["pull","push"]}]'
check "bob's token grants pull only" test "$(access "AWS:$bob" repository:demo/app:pull,push)" = \
  '[{"type":"repository","name":"demo/app","actions":["pull"]}]'
check "unknown repository, odd scopes and a denied one all come back empty" test \
  "$(access "AWS:$carol" repository:demo/nope:pull 'repository:Demo/App:pull' \
     'repository:demo%2F..%2Fapp:pull' repository:demo/immutable:pull \
     'repository:demo/app%0A:pull' 'repository:demo/app:pull%3Brm')" = '[]'
check "the JWT kid is the libtrust id of the registry's root certificate" bash -c "
  kid=\$(curl -sf -u 'AWS:$alice' '$token_url' | python3 -c '
import base64, json, sys
h = json.load(sys.stdin)[\"token\"].split(\".\")[0]
print(json.loads(base64.urlsafe_b64decode(h + \"=\" * (-len(h) % 4)))[\"kid\"])')
  want=\$(openssl x509 -in '$cert' -pubkey -noout | openssl pkey -pubin -outform DER | python3 -c '
import base64, hashlib, sys
s = base64.b32encode(hashlib.sha256(sys.stdin.buffer.read()).digest()[:30]).decode().rstrip(\"=\")
print(\":\".join(s[i:i + 4] for i in range(0, len(s), 4)))')
  echo \"kid=\$kid want=\$want\"; test -n \"\$kid\" && test \"\$kid\" = \"\$want\""

digest=$("$here/make-oci-image.sh" "$tmp/image" v1 2 1048576)
bob_digest=$("$here/make-oci-image.sh" "$tmp/bob-image" v1 2 65536)
carol_digest=$("$here/make-oci-image.sh" "$tmp/carol-image" v1 1 65536)

check "alice logs in (token flow)" bash -c \
  "echo '$alice' | skopeo login --tls-verify=false -u AWS --password-stdin $reg"
refuse "a forged password is refused at login" "invalid username/password\|unauthorized" \
  skopeo login --tls-verify=false -u AWS -p "${alice%?}x" "$reg"
check "alice pushes oci:image:v1 to demo/app:v1" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" --digestfile "$tmp/pushed" \
  "oci:$tmp/image:v1" "docker://$reg/demo/app:v1"
check "the pushed manifest digest is the layout's" test "$(cat "$tmp/pushed" 2>/dev/null)" = "$digest"
check "alice pushes to demo/immutable:v1" skopeo copy --dest-tls-verify=false \
  --dest-creds "AWS:$alice" "oci:$tmp/image:v1" "docker://$reg/demo/immutable:v1"
check "alice pulls back to dir:" skopeo copy --src-tls-verify=false --src-creds "AWS:$alice" \
  "docker://$reg/demo/app:v1" "dir:$tmp/pulled"
check_pulled_layout "$tmp/image" "$digest" "$tmp/pulled"

# stored DIGEST_HEX…: how many of these blobs the registry holds (data or repository links).
stored() {
  local n=0 hex
  for hex in "$@"; do
    [[ -e $tmp/registry/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex ]] && n=$((n + 1))
    [[ -n $(find "$tmp/registry" -path "*_layers/sha256/$hex" 2>/dev/null) ]] && n=$((n + 1))
  done
  echo "$n"
}
blobs_of() { local b; for b in "$1"/blobs/sha256/*; do basename "$b"; done; }

refuse "bob (pull only) is denied on push" "requested access to the resource is denied" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$bob" \
  "oci:$tmp/bob-image:v1" "docker://$reg/demo/app:bob"
check "the storage probe sees alice's blobs" test "$(stored $(blobs_of "$tmp/image"))" -gt 0
check "nothing bob sent is stored" test "$(stored $(blobs_of "$tmp/bob-image"))" -eq 0
check "bob's tag does not exist" bash -c \
  "! skopeo inspect --raw --tls-verify=false --creds 'AWS:$alice' docker://$reg/demo/app:bob"
check "bob pulls demo/app:v1" skopeo copy --src-tls-verify=false --src-creds "AWS:$bob" \
  "docker://$reg/demo/app:v1" "dir:$tmp/bob-pulled"
check "bob's pull is byte-exact" cmp "$tmp/bob-pulled/manifest.json" \
  "$tmp/image/blobs/sha256/${digest#sha256:}"

check "carol (444455556666) pulls demo/app:v1 through its repository policy" \
  skopeo copy --src-tls-verify=false --src-creds "AWS:$carol" \
  "docker://$reg/demo/app:v1" "dir:$tmp/carol-pulled"
check "carol's pull is byte-exact" cmp "$tmp/carol-pulled/manifest.json" \
  "$tmp/image/blobs/sha256/${digest#sha256:}"
check "carol pulls demo/app:v1 with her access key pair (AKIA…:secret, the demo's accessKeys)" \
  skopeo copy --src-tls-verify=false \
  --src-creds "AKIADEMOCAROL0000001:demo-carol-secret-not-for-production" \
  "docker://$reg/demo/app:v1" "dir:$tmp/carol-key-pulled"
refuse "a wrong secret for carol's key is refused" "invalid username/password\|unauthorized" \
  skopeo login --tls-verify=false -u AKIADEMOCAROL0000001 -p wrong-secret-0123456789 "$reg"
refuse "carol cannot pull demo/immutable (no repository policy for her account)" \
  "requested access to the resource is denied" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$carol" "docker://$reg/demo/immutable:v1"
refuse "carol cannot push to demo/app" "requested access to the resource is denied" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$carol" \
  "oci:$tmp/carol-image:v1" "docker://$reg/demo/app:carol"
check "nothing carol sent is stored" test "$(stored $(blobs_of "$tmp/carol-image"))" -eq 0
refuse "nobody pushes to a repository the configuration does not have" \
  "requested access to the resource is denied" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" \
  "oci:$tmp/image:v1" "docker://$reg/demo/nowhere:v1"
# The catalog (distribution lists everything it stores): only for a principal who may
# ecr:DescribeRepositories on every served repository.
bearer() {  # bearer CREDS SCOPE: a token for one scope
  curl -sf -u "$1" "$token_url&scope=$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
alice_catalog=$(bearer "AWS:$alice" 'registry:catalog:*')
bob_catalog=$(bearer "AWS:$bob" 'registry:catalog:*')
check "alice's catalog token lists demo/app" bash -c \
  "curl -sf -H 'Authorization: Bearer $alice_catalog' http://$reg/v2/_catalog | grep -q '\"demo/app\"'"
check "bob's catalog token is refused by the registry (demo/restricted is not his)" test \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bob_catalog" \
     "http://$reg/v2/_catalog")" = 401
check "alice deletes demo/app:v1 (scope *)" \
  skopeo delete --tls-verify=false --creds "AWS:$alice" "docker://$reg/demo/app@$digest"
refuse "the deleted image is gone" "manifest unknown" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$alice" "docker://$reg/demo/app@$digest"

stop "$registry_pid"; registry_pid=""
kill -TERM "$sidecar_pid"
if wait "$sidecar_pid"; then echo "ok   sidecar stopped cleanly"; else
  echo "FAIL sidecar exit status $?"; failures=$((failures + 1)); fi
sidecar_pid=""
check "the audit log records bob's denied push scope at /token" grep -q \
  '"eventName":"InitiateLayerUpload".*"arn":"arn:aws:iam::111122223333:user/bob".*"repositoryName":"demo/app".*"decision":"ImplicitDeny".*"path":"/token".*"httpStatus":200' \
  "$tmp/audit.jsonl"
check "the audit log records carol's allowed pull of demo/app" grep -q \
  '"eventName":"BatchGetImage".*"arn":"arn:aws:iam::444455556666:user/carol".*"repositoryName":"demo/app".*"decision":"Allow"' \
  "$tmp/audit.jsonl"
check "the audit log holds no password" bash -c \
  "! grep -q -F -e '$alice' -e '$bob' -e '$carol' '$tmp/audit.jsonl'"
echo "$failures failure(s)"
exit $((failures > 0))
