#!/usr/bin/env bash
# Bad input over HTTP against `portcullis serve` (issue #4 "Bad input"), with curl and python3:
# every case asserts the status, the OCI error code and that nothing was stored (blob files,
# uploads/ and the SQLite rows are compared before and after). Also: a chunked upload
# (POST, PATCHes with Content-Range, status GET, PUT) read back byte-exact (and a Range GET),
# huge headers (431, the server keeps serving), a stalled half header dropped after
# --read-timeout-seconds, and N concurrent PUTs of one IMMUTABLE tag (exactly one wins).
# Usage: registry_bad_input.sh PORTCULLIS_BINARY. Exit 77 (skipped) without curl or python3.
set -uo pipefail
portcullis=${1:?usage: registry_bad_input.sh PORTCULLIS_BINARY}
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: needs curl and python3 (tools/install-deps.sh --test)"
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d /tmp/portcullis-bad-input.XXXXXX)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT

store=$root/corpus/stores/demo-store.json
# The benchmark-only switch is refused unless PORTCULLIS_BENCH=1 (and then warns loudly).
env -u PORTCULLIS_BENCH "$portcullis" serve --config "$store" --data "$tmp/data" \
  --listen 127.0.0.1:0 --authorization=off >/dev/null 2>"$tmp/err"
rc=$?
if [[ $rc -eq 2 ]] && grep -q PORTCULLIS_BENCH=1 "$tmp/err"; then
  echo "ok   --authorization=off without PORTCULLIS_BENCH=1 exits 2"
else
  echo "FAIL --authorization=off without PORTCULLIS_BENCH=1: exit $rc"; exit 1
fi
echo '{"repositories": [{"name": "payments/api", "imageTagMutability": "IMMUTABLE"}]}' \
  >"$tmp/settings.json"
read_timeout=2
"$portcullis" serve --config "$store" --data "$tmp/data" --listen 127.0.0.1:0 \
  --repository-settings "$tmp/settings.json" --read-timeout-seconds "$read_timeout" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/server.log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/server.log")
if [[ -z $port ]]; then
  echo "FAIL: the server did not start"; cat "$tmp/server.log"; exit 1
fi
password() {
  "$portcullis" login-password --config "$store" --data "$tmp/data" --user "$1"
}
alice=$(password arn:aws:iam::111122223333:user/engineering/alice)
admin=$(password arn:aws:iam::111122223333:user/admin)

# Most cases in python3 (raw paths, raw sockets); the chunked upload and the concurrent tag
# pushes with curl.
PORT=$port ALICE=$alice ADMIN=$admin DATA=$tmp/data READ_TIMEOUT=$read_timeout TMP=$tmp \
  python3 "$here/registry_bad_input.py"
status=$?
kill -0 "$server_pid" 2>/dev/null || { echo "FAIL: the server died"; status=1; }
if [[ $status -ne 0 ]]; then
  echo "--- server log"; tail -20 "$tmp/server.log"
fi
exit $status
