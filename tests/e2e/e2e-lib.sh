# Shared by the end-to-end scripts (source it): result helpers, free ports, passwords minted with
# the server's key, starting `portcullis serve`. Callers set `tmp` (a temporary directory) first.
failures=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  if "$@" >"$tmp/out" 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what"; sed 's/^/     /' "$tmp/out" | head -40; failures=$((failures + 1))
  fi
}
refuse() {  # refuse DESCRIPTION PATTERN COMMAND...: the command must fail with PATTERN in output
  local what=$1 pattern=$2; shift 2
  if "$@" >"$tmp/out" 2>&1; then
    echo "FAIL $what (succeeded)"; failures=$((failures + 1))
  elif grep -q -- "$pattern" "$tmp/out"; then
    echo "ok   $what"
  else
    echo "FAIL $what (no \`$pattern\`)"; sed 's/^/     /' "$tmp/out" | head -40
    failures=$((failures + 1))
  fi
}
# check_pulled_layout LAYOUT DIGEST DIR: the manifest DIGEST and every blob of the OCI layout
# LAYOUT came back byte-exact in DIR (a `skopeo copy … dir:DIR`).
check_pulled_layout() {
  local layout=$1 digest=$2 dir=$3 blob hex
  check "pulled manifest is byte-exact" cmp "$dir/manifest.json" \
    "$layout/blobs/sha256/${digest#sha256:}"
  for blob in "$layout"/blobs/sha256/*; do
    hex=$(basename "$blob")
    [[ $hex == "${digest#sha256:}" ]] && continue
    check "pulled blob ${hex:0:12} is byte-exact" cmp "$dir/$hex" "$blob"
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# mint_password DATA ARN NOT_BEFORE_OFFSET EXPIRY_OFFSET: a password signed with DATA's key
# (format: docs/registry.md "Login"), built here independently of portcullis; offsets in seconds
# from now. expired_password DATA ARN: one that expired an hour ago.
mint_password() {
  python3 - "$1/auth/token.key" "$2" "$3" "$4" <<'PY'
import base64, hashlib, hmac, sys, time
key = open(sys.argv[1], "rb").read()
now = int(time.time())
payload = f"{now + int(sys.argv[3])}|{now + int(sys.argv[4])}|{sys.argv[2]}".encode()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
print("PCT1." + b64(payload) + "." + b64(hmac.new(key, payload, hashlib.sha256).digest()))
PY
}
expired_password() { mint_password "$1" "$2" $((-13 * 3600)) -3600; }
# start_serve LOG ARGS...: starts `$portcullis serve --listen 127.0.0.1:0 ARGS` in the background,
# sets server_pid and port (from its first line), or fails the script.
start_serve() {
  local log=$1; shift
  "$portcullis" serve --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$log" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
  if [[ -z $port ]]; then
    echo "FAIL server did not start"; cat "$log"; exit 1
  fi
}
# stop_serve: SIGTERM and wait; counts a failure unless it exits 0.
stop_serve() {
  kill -TERM "$server_pid"
  if wait "$server_pid"; then echo "ok   server stopped cleanly"; else
    echo "FAIL server exit status $?"; failures=$((failures + 1)); fi
  server_pid=""
}
