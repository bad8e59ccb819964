#!/usr/bin/env bash
# `portcullis sidecar` behind nginx auth_request, in front of Debian's docker-registry (CNCF
# distribution, no auth of its own), driven by the real skopeo (docs/sidecar.md):
#   skopeo logs in with an ECR-style password; alice pushes and pulls back byte-exact through
#   nginx; bob's push gets 403 and the registry receives no upload; a tag condition
#   (aws:ResourceTag/classification) denies bob on demo/restricted; carol (other account) pulls
#   demo/app through its repository policy (R116); a reload (file watcher, POST /admin/reload, SIGHUP)
#   that changes that policy takes effect for the next request; a broken configuration is refused
#   and the old one keeps serving; expired and forged passwords get 401 with the Basic challenge.
# Usage: sidecar_nginx_e2e.sh PORTCULLIS_BINARY. Exit 77 when nginx, docker-registry or skopeo
# is missing.
set -uo pipefail
portcullis=${1:?usage: sidecar_nginx_e2e.sh PORTCULLIS_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for tool in "$nginx_bin" docker-registry skopeo curl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (tools/install-deps.sh --test)"
    exit 77
  fi
done
source "$here/sidecar_common.sh"
export REGISTRY_AUTH_FILE=$tmp/auth.json XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$tmp/run" "$tmp/nginx/tmp" "$tmp/registry"

# 1. docker-registry on a free port, filesystem storage in $tmp/registry/data.
registry_port=$(free_port)
cat >"$tmp/registry/config.yml" <<YML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $tmp/registry/data
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$registry_port
  secret: e2e-not-a-secret
YML
env -u REGISTRY_AUTH_FILE docker-registry serve "$tmp/registry/config.yml" >"$tmp/registry/registry.log" 2>&1 &
pids+=($!)

# 2. The sidecar.
write_store "$tmp/store.json" "$pull_actions"
echo "admin-$RANDOM$RANDOM" >"$tmp/admin.token"
start_sidecar "$tmp/sidecar.log" --config "$tmp/store.json" --data "$tmp/data" \
  --trusted-proxy 127.0.0.1/32 --audit-log "$tmp/audit.jsonl" --admin-token-file "$tmp/admin.token"
sidecar_pid=${pids[-1]}

# 3. nginx in the foreground (our child), auth_request to the sidecar.
nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<NGX
worker_processes 1;
error_log $tmp/nginx/error.log info;
events { worker_connections 256; }
http {
  access_log $tmp/nginx/access.log;
  client_body_temp_path $tmp/nginx/tmp/body;
  proxy_temp_path $tmp/nginx/tmp/proxy;
  fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
  uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
  scgi_temp_path $tmp/nginx/tmp/scgi;
  upstream sidecar { server 127.0.0.1:$sidecar_port; keepalive 16; }
  server {
    listen 127.0.0.1:$nginx_port;
    client_max_body_size 0;
    location /v2/ {
      auth_request /_portcullis_auth;
      auth_request_set \$pc_challenge \$upstream_http_www_authenticate;
      auth_request_set \$pc_reason \$upstream_http_x_portcullis_reason;
      auth_request_set \$pc_principal \$upstream_http_x_portcullis_principal;
      add_header WWW-Authenticate \$pc_challenge always;
      add_header X-Portcullis-Reason \$pc_reason always;
      proxy_pass http://127.0.0.1:$registry_port;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 900;
    }
    location = /_portcullis_auth {
      internal;
      proxy_pass http://sidecar/auth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-Method \$request_method;
      proxy_set_header X-Original-URI \$request_uri;
      proxy_set_header X-Original-Content-Length \$http_content_length;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
NGX
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
  -g "daemon off; pid $tmp/nginx/nginx.pid;" >"$tmp/nginx/stdout.log" 2>&1 &
pids+=($!)

for _ in $(seq 100); do
  r=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$registry_port/v2/" || true)
  n=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$nginx_port/v2/" || true)
  [[ $r == 200 && $n == 401 ]] && break
  sleep 0.1
done
if [[ $r != 200 || $n != 401 ]]; then
  echo "FAIL the registry ($r) or nginx ($n) did not start"
  tail -n 5 "$tmp/registry/registry.log" "$tmp/nginx/error.log"; exit 1
fi
reg=127.0.0.1:$nginx_port
echo "nginx $reg → docker-registry 127.0.0.1:$registry_port; sidecar 127.0.0.1:$sidecar_port"

pw() { "$portcullis" login-password --config "$tmp/store.json" --data "$tmp/data" --user "$1"; }
alice=$(pw alice) bob=$(pw bob) carol=$(pw carol)
digest=$("$here/make-oci-image.sh" "$tmp/image" v1 2 1048576)
"$here/make-oci-image.sh" "$tmp/bob-image" v1 2 65536 >/dev/null
metric() {
  curl -s "http://127.0.0.1:$sidecar_port/metrics" | sed -n "s/^$1 //p"
}
admin_reload() {
  curl -s -o "$tmp/reload.out" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $(cat "$tmp/admin.token")" "http://127.0.0.1:$sidecar_port/admin/reload"
}

# --- login, push, pull ------------------------------------------------------------------------
check "alice logs in through nginx" bash -c \
  "echo '$alice' | skopeo login --tls-verify=false -u AWS --password-stdin $reg"
refuse "a forged password is refused at login" "invalid username/password\|401\|unauthorized" \
  skopeo login --tls-verify=false -u AWS -p "${alice%?}x" "$reg"
check "alice pushes oci:image:v1 to demo/app:v1" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" --digestfile "$tmp/pushed" \
  "oci:$tmp/image:v1" "docker://$reg/demo/app:v1"
check "the pushed manifest digest is the layout's" test "$(cat "$tmp/pushed" 2>/dev/null)" = "$digest"
check "alice pulls back to dir:" skopeo copy --src-tls-verify=false --src-creds "AWS:$alice" \
  "docker://$reg/demo/app:v1" "dir:$tmp/pulled"
check_pulled_layout "$tmp/image" "$digest" "$tmp/pulled"
check "alice pushes the image to demo/restricted:v1" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" \
  "oci:$tmp/image:v1" "docker://$reg/demo/restricted:v1"

# --- bob: push denied, nothing reaches the registry ----------------------------------------------
writes() { grep -cE '"(POST|PATCH|PUT) /v2/' "$tmp/registry/registry.log"; }
writes_before=$(writes)
refuse "bob's push to demo/app gets 403" "403\|denied" \
  skopeo copy --dest-tls-verify=false --dest-creds "AWS:$bob" \
  "oci:$tmp/bob-image:v1" "docker://$reg/demo/app:bob"
check "the registry received no POST/PATCH/PUT during bob's push" test "$(writes)" = "$writes_before"
stored=0
for blob in "$tmp"/bob-image/blobs/sha256/*; do
  hex=$(basename "$blob")
  [[ -e $tmp/registry/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data ]] && stored=$((stored + 1))
done
check "the registry stored none of bob's blobs" test "$stored" -eq 0
check "bob pulls demo/app (identity policy)" skopeo inspect --raw --tls-verify=false \
  --creds "AWS:$bob" "docker://$reg/demo/app:v1"

# --- tag condition and cross account -------------------------------------------------------------
refuse "bob is denied demo/restricted (aws:ResourceTag/classification)" "403\|denied" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$bob" "docker://$reg/demo/restricted:v1"
check "the audit log names bob's decisive statement DenyRestricted" bash -c \
  "sleep 0.3; grep 'user/bob' '$tmp/audit.jsonl' | grep 'demo/restricted' | grep -q 'DenyRestricted'"
check "carol (other account) pulls demo/app through its repository policy (R116)" \
  skopeo copy --src-tls-verify=false --src-creds "AWS:$carol" \
  "docker://$reg/demo/app:v1" "dir:$tmp/carol-pulled"
refuse "carol is denied demo/restricted (no repository policy)" "403\|denied" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$carol" "docker://$reg/demo/restricted:v1"
code=$(curl -s -o /dev/null -w '%{http_code}' -D "$tmp/h" -u "AWS:$carol" \
  "http://$reg/v2/demo/restricted/manifests/v1")
check "nginx passes the R152 reason to the client" bash -c \
  "test $code = 403 && grep -qi '^X-Portcullis-Reason: User: arn:aws:iam::444455556666:user/carol is not authorized' '$tmp/h'"

# --- credentials ------------------------------------------------------------------------------------
expired=$(expired_password "$tmp/data" arn:aws:iam::111122223333:user/alice)
code=$(curl -s -o /dev/null -w '%{http_code}' -D "$tmp/h" -u "AWS:$expired" "http://$reg/v2/demo/app/tags/list")
check "an expired password gets 401" test "$code" = 401
check "… with the Basic challenge through nginx" grep -qi '^WWW-Authenticate: Basic realm=.*service="ecr.amazonaws.com"' "$tmp/h"
check "… and the reason" grep -qi '^X-Portcullis-Reason: .*expired' "$tmp/h"
refuse "skopeo with the expired password is refused" "401\|unauthorized\|invalid username" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$expired" "docker://$reg/demo/app:v1"

# --- reloads --------------------------------------------------------------------------------------
ok_before=$(metric 'portcullis_reloads_total{result="ok"}')
write_store "$tmp/store.json" '"ecr:ListImages"'   # the partner account may no longer pull
for _ in $(seq 50); do
  [[ $(metric 'portcullis_reloads_total{result="ok"}') != "$ok_before" ]] && break
  sleep 0.1
done
check "the file watcher reloaded the changed configuration" \
  test "$(metric 'portcullis_reloads_total{result="ok"}')" = $((ok_before + 1))
refuse "carol is now denied demo/app (repository policy changed)" "403\|denied" \
  skopeo inspect --raw --tls-verify=false --creds "AWS:$carol" "docker://$reg/demo/app:v1"
write_store "$tmp/store.json" "$pull_actions"
cp "$tmp/store.json" "$tmp/store.ok"
check "POST /admin/reload (with the bearer token) reloads" test "$(admin_reload)" = 200
check "carol pulls demo/app again" skopeo inspect --raw --tls-verify=false \
  --creds "AWS:$carol" "docker://$reg/demo/app:v1"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$sidecar_port/admin/reload")
check "POST /admin/reload without the token gets 401" test "$code" = 401
errors_before=$(metric 'portcullis_reloads_total{result="error"}')
# A broken policy: the store loads only with valid policies (an unknown Effect).
sed 's/"Sid": "PartnerPull", "Effect": "Allow"/"Sid": "PartnerPull", "Effect": "Permit"/' \
  "$tmp/store.ok" >"$tmp/store.bad"
mv "$tmp/store.bad" "$tmp/store.json"
code=$(admin_reload)
check "a broken policy is refused (422) with its located error" bash -c \
  "test $code = 422 && grep -q 'Effect' '$tmp/reload.out' && grep -q '/repositories/0' '$tmp/reload.out'"
sed 's/^/     /' "$tmp/reload.out"
check "the refusal is logged to stderr" grep -q "refused, the old configuration keeps serving" "$tmp/sidecar.log"
check "carol still pulls (old snapshot serves)" skopeo inspect --raw --tls-verify=false \
  --creds "AWS:$carol" "docker://$reg/demo/app:v1"
check "alice still pushes" skopeo copy --dest-tls-verify=false --dest-creds "AWS:$alice" \
  "oci:$tmp/image:v1" "docker://$reg/demo/app:v2"
check "reload errors are counted" test "$(metric 'portcullis_reloads_total{result="error"}')" -gt "$errors_before"
cp "$tmp/store.ok" "$tmp/store.json.new" && mv "$tmp/store.json.new" "$tmp/store.json"
sleep 1.5  # let the file watcher take the restored file first
# The watcher already compiled the restored file, so SIGHUP finds it unchanged (not recompiled).
reloads() { echo $(( $(metric 'portcullis_reloads_total{result="ok"}') + \
  $(metric 'portcullis_reloads_total{result="unchanged"}') )); }
done_before=$(reloads)
mv "$tmp/audit.jsonl" "$tmp/audit.1"  # log rotation: SIGHUP also reopens the audit log by its path
kill -HUP "$sidecar_pid"
for _ in $(seq 50); do
  [[ $(reloads) != "$done_before" ]] && break
  sleep 0.1
done
check "SIGHUP reloads" test "$(reloads)" = $((done_before + 1))
check "… an unchanged file is not recompiled" grep -q "configuration unchanged (SIGHUP)" "$tmp/sidecar.log"
curl -s -o /dev/null -u "AWS:$carol" "http://$reg/v2/demo/restricted/manifests/v1"
check "SIGHUP reopens the audit log (rotation)" bash -c \
  "for _ in \$(seq 50); do grep -q 'user/carol' '$tmp/audit.jsonl' 2>/dev/null && exit 0; sleep 0.1; done; exit 1"
check "/healthz" bash -c "curl -sf http://127.0.0.1:$sidecar_port/healthz | grep -qx ok"
check "/metrics counts allowed PutImage decisions" bash -c \
  "test \"\$(curl -s http://127.0.0.1:$sidecar_port/metrics | sed -n 's/^portcullis_decisions_total{outcome=\"allow\",action=\"ecr:PutImage\"} //p')\" -ge 2"

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
