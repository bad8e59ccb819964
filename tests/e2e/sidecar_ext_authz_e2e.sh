#!/usr/bin/env bash
# `portcullis sidecar` as an Envoy ext_authz HTTP service, with curl sending the check requests
# Envoy would send (Envoy is not in Debian): the checked request's method, its path after the
# /ext_authz prefix and its headers. Also the bad-input cases over real sockets: X-Forwarded-For
# from a peer that is not a trusted proxy, oversized headers, a check carrying a body, a request
# flood from one principal (bounded memory), /auth without X-Original-* headers.
# Usage: sidecar_ext_authz_e2e.sh PORTCULLIS_BINARY. Exit 77 when curl or python3 is missing.
set -uo pipefail
portcullis=${1:?usage: sidecar_ext_authz_e2e.sh PORTCULLIS_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
source "$here/sidecar_common.sh"

write_store "$tmp/store.json" "$pull_actions"
# 127.0.0.2 is the trusted proxy; curl from 127.0.0.1 is an ordinary (untrusted) client.
start_sidecar "$tmp/sidecar.log" --config "$tmp/store.json" --data "$tmp/data" \
  --trusted-proxy 127.0.0.2/32 --pass-through /static/ --audit-log "$tmp/audit.jsonl"
sc=http://127.0.0.1:$sidecar_port
pw() { "$portcullis" login-password --config "$tmp/store.json" --data "$tmp/data" --user "$1"; }
alice=$(pw alice) bob=$(pw bob)
digest=sha256:$(printf '%064d' 0)

# status METHOD PATH [curl args…]: prints the status; headers in $tmp/h, body in $tmp/b.
status() {
  local method=$1 path=$2; shift 2
  local head=()
  [[ $method == HEAD ]] && head=(-I)
  curl -s "${head[@]}" -X "$method" -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' "$@" "$sc$path"
}
header() { sed -n "s/^$1: //Ip" "$tmp/h" | tr -d '\r'; }

check "alice PUT manifest: 200" test "$(status PUT /ext_authz/v2/demo/app/manifests/v1 -u "AWS:$alice")" = 200
check "… names the principal" test "$(header X-Portcullis-Principal)" = arn:aws:iam::111122223333:user/alice
check "… and the decisive statement" test "$(header X-Portcullis-Statement)" = \
  "arn:aws:iam::111122223333:user/alice#push#0/PushPull"
check "bob PUT manifest: 403" test "$(status PUT /ext_authz/v2/demo/app/manifests/v1 -u "AWS:$bob")" = 403
check "… with the R152 reason header" bash -c "grep -qi '^X-Portcullis-Reason: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: ecr:PutImage' '$tmp/h'"
check "… and an OCI DENIED body (Envoy forwards it)" grep -q '"code":"DENIED"' "$tmp/b"
check "HEAD blob by bob: 200" test "$(status HEAD "/ext_authz/v2/demo/app/blobs/$digest" -u "AWS:$bob")" = 200
check "no credentials: 401" test "$(status GET /ext_authz/v2/demo/app/tags/list)" = 401
check "… with the Basic challenge" bash -c "grep -qi '^WWW-Authenticate: Basic realm=.*service=\"ecr.amazonaws.com\"' '$tmp/h'"
check "forged password: 401" test "$(status GET /ext_authz/v2/ -u "AWS:${alice%?}x")" = 401
expired=$(expired_password "$tmp/data" arn:aws:iam::111122223333:user/alice)
check "expired password: 401" test "$(status GET /ext_authz/v2/ -u "AWS:$expired")" = 401
check "… saying expired" bash -c "grep -qi '^X-Portcullis-Reason: .*expired' '$tmp/h'"
check "/v2/ ping by alice: 200 Authenticated" bash -c \
  "test \"\$(curl -s -o /dev/null -w '%{http_code}' -u 'AWS:$alice' $sc/ext_authz/v2/)\" = 200"
check "bob on demo/restricted: 403 ExplicitDeny (aws:ResourceTag)" bash -c \
  "test $(status GET /ext_authz/v2/demo/restricted/manifests/v1 -u "AWS:$bob") = 403 && grep -qi '^X-Portcullis-Decision: ExplicitDeny' '$tmp/h'"
check "encoded slash: 400 BadRequest" test "$(status GET /ext_authz/v2/demo%2Fapp/manifests/v1 -u "AWS:$alice")" = 400
check "dot segment: 400" test "$(status GET /ext_authz/v2/demo/x/../app/manifests/v1 --path-as-is -u "AWS:$alice")" = 400
check "contradictory X-Original-URI: 400" test "$(status GET /ext_authz/v2/demo/app/manifests/v1 \
  -H 'X-Original-URI: /v2/demo/restricted/manifests/v1' -u "AWS:$alice")" = 400
check "not a registry route: 403" test "$(status GET /ext_authz/admin -u "AWS:$alice")" = 403
check "pass-through prefix: 200 without credentials" test "$(status GET /ext_authz/static/logo.png)" = 200
check "_catalog cannot be decided by a sidecar: 403" test "$(status GET /ext_authz/v2/_catalog -u "AWS:$alice")" = 403

# aws:SourceIp: bob is denied from 203.0.113.0/24. An untrusted peer's X-Forwarded-For is ignored.
check "X-Forwarded-For from an untrusted peer is ignored (200)" test \
  "$(status GET /ext_authz/v2/demo/app/manifests/v1 -u "AWS:$bob" -H 'X-Forwarded-For: 203.0.113.9')" = 200
check "… but believed from the trusted proxy 127.0.0.2 (403 DenyTestNet)" bash -c \
  "test $(status GET /ext_authz/v2/demo/app/manifests/v1 --interface 127.0.0.2 -u "AWS:$bob" -H 'X-Forwarded-For: 203.0.113.9') = 403 &&
   grep -qi '^X-Portcullis-Statement: .*DenyTestNet' '$tmp/h'"
check "… an unparsable hop from the trusted proxy is refused (400)" test \
  "$(status GET /ext_authz/v2/demo/app/manifests/v1 --interface 127.0.0.2 -u "AWS:$bob" -H 'X-Forwarded-For: 1.2.3.4, evil')" = 400

# nginx auth_request mode without its headers.
check "/auth without X-Original-* headers: 403 BadRequest" bash -c \
  "test $(status GET /auth -u "AWS:$alice") = 403 && grep -qi '^X-Portcullis-Reason: missing X-Original-Method' '$tmp/h'"
check "/auth with an absolute-form URI: 403" test "$(status GET /auth -u "AWS:$alice" \
  -H 'X-Original-Method: GET' -H 'X-Original-URI: http://evil/v2/demo/app/manifests/v1')" = 403

# Over real sockets: oversized headers, a body on a check, keep-alive, a flood from one principal.
python3 - "$sidecar_port" "$alice" "${pids[0]}" <<'PY' >"$tmp/py.out" 2>&1
import base64, http.client, socket, sys
port, password, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
auth = "Basic " + base64.b64encode(("AWS:" + password).encode()).decode()
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
ok = True
# 1. A header beyond the 64 KiB limit: refused (431/400 or closed), never allowed.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /ext_authz/v2/demo/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nAuthorization: " +
          auth.encode() + b"\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
s.settimeout(5)
try:
    reply = s.recv(200)
except (ConnectionResetError, socket.timeout):
    reply = b""
print("oversized header →", reply[:40])
if reply.startswith(b"HTTP/1.1 200"): ok = False
s.close()
# 2. A check carrying a body keeps the connection usable.
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("PUT", "/ext_authz/v2/demo/app/manifests/v1", body=b"x" * 5000,
          headers={"Authorization": auth})
r = c.getresponse(); r.read()
c.request("GET", "/ext_authz/v2/demo/app/manifests/v1", headers={"Authorization": auth})
r2 = c.getresponse(); r2.read()
print("body check →", r.status, "then", r2.status, "on the same connection")
if r.status != 200 or r2.status != 200: ok = False
# 3. A flood from one principal over keep-alive: memory stays bounded.
for _ in range(2000):
    c.request("GET", "/ext_authz/v2/demo/app/manifests/v1", headers={"Authorization": auth})
    c.getresponse().read()
before = rss()
for _ in range(20000):
    c.request("GET", "/ext_authz/v2/demo/app/manifests/v1", headers={"Authorization": auth})
    r = c.getresponse(); r.read()
    if r.status != 200: ok = False
after = rss()
print(f"flood: 20000 checks, RSS {before} kB → {after} kB")
if after - before > 16 * 1024: ok = False
sys.exit(0 if ok else 1)
PY
py=$?
sed 's/^/     /' "$tmp/py.out"
check "oversized header refused; body check keeps the connection; flood RSS bounded (+16 MiB max)" test $py = 0
check "the sidecar is still healthy" bash -c "curl -sf $sc/healthz | grep -qx ok"
check "metrics count the flood" bash -c \
  "test \"\$(curl -s $sc/metrics | sed -n 's/^portcullis_decisions_total{outcome=\"allow\",action=\"ecr:BatchGetImage\"} //p')\" -ge 22000"

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
