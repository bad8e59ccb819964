#!/usr/bin/env bash
# Crash safety of `portcullis serve` (issue #4): push several images completely, then start a
# 50 MB blob PATCH (curl --limit-rate) while small images keep being pushed, SIGKILL the server
# mid-body, restart it on the same --data and check: no partial blob visible (HEAD 404, no blob
# file), uploads/ cleaned, the old upload id unknown, every push that was answered 201 intact
# (manifests and blobs read back byte-exact, sha256 checked, every blob file hashes to its name),
# SQLite `PRAGMA integrity_check` = ok, and the interrupted blob can be pushed again.
# Usage: registry_crash_e2e.sh PORTCULLIS_BINARY. Exit 77 (skipped) without curl or python3.
set -uo pipefail
portcullis=${1:?usage: registry_crash_e2e.sh PORTCULLIS_BINARY}
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: needs curl and python3 (tools/install-deps.sh --test)"
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d /tmp/portcullis-crash.XXXXXX)
server_pid="" curl_pid="" pusher_pid=""
cleanup() {
  for pid in $curl_pid $pusher_pid; do kill -KILL "$pid" 2>/dev/null; done
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
expect() {  # expect DESCRIPTION ACTUAL WANTED
  if [[ $2 == "$3" ]]; then echo "ok   $1"; else
    echo "FAIL $1: got \`$2\`, want \`$3\`"; failures=$((failures + 1)); fi
}

store=$root/corpus/stores/demo-store.json
data=$tmp/data
start_server() {  # start_server LOG: starts on a free port, sets server_pid and url
  "$portcullis" serve --config "$store" --data "$data" --listen 127.0.0.1:0 >"$1" 2>&1 &
  server_pid=$!
  for _ in $(seq 150); do grep -q "listening on" "$1" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1")
  [[ -n $port ]] || { echo "FAIL: the server did not start"; cat "$1"; exit 1; }
  url=http://127.0.0.1:$port
}
start_server "$tmp/server1.log"
admin=$("$portcullis" login-password --config "$store" --data "$data" --user \
        arn:aws:iam::111122223333:user/admin)
repo=payments/worker

# Complete pushes before the crash (python3: blobs by single POST, then the manifest); every 201
# is appended to pushed.jsonl.
PORT=${url##*:} PASSWORD=$admin OUT=$tmp/pushed.jsonl REPO=$repo \
  python3 "$here/registry_crash_push.py" complete 4 || { echo "FAIL: initial pushes"; exit 1; }
expect "four complete images pushed" "$(wc -l <"$tmp/pushed.jsonl")" 4

# The big push: a 50 MB PATCH, rate-limited so the kill lands mid-body.
head -c $((50 * 1024 * 1024)) /dev/urandom >"$tmp/big.bin"
big_digest=sha256:$(sha256sum "$tmp/big.bin" | cut -d' ' -f1)
location=$(curl -sS -u "AWS:$admin" -X POST -D - -o /dev/null "$url/v2/$repo/blobs/uploads/" |
           tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
[[ -n $location ]] || { echo "FAIL: no upload location"; exit 1; }
curl -sS -u "AWS:$admin" -X PATCH -H 'Content-Type: application/octet-stream' \
  --limit-rate 4M --data-binary "@$tmp/big.bin" "$url$location" >/dev/null 2>&1 &
curl_pid=$!
# Meanwhile small complete pushes keep going, so the kill may also land in a manifest write.
PORT=${url##*:} PASSWORD=$admin OUT=$tmp/pushed.jsonl REPO=$repo \
  python3 "$here/registry_crash_push.py" loop 0 >/dev/null 2>&1 &
pusher_pid=$!
received=0
for _ in $(seq 300); do
  received=$(find "$data/uploads" -type f -size +4M | wc -l)
  [[ $received -gt 0 ]] && break
  sleep 0.1
done
expect "the big PATCH is under way (upload file > 4 MB)" "$received" 1
partial=$(du -b "$data"/uploads/* 2>/dev/null | sort -n | tail -1 | cut -f1)
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=""
# The pusher stops by itself once the server is gone (not killed: it may be writing a record).
for _ in $(seq 100); do kill -0 "$pusher_pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$pusher_pid" 2>/dev/null; wait "$pusher_pid" 2>/dev/null; pusher_pid=""
kill -KILL "$curl_pid" 2>/dev/null; wait "$curl_pid" 2>/dev/null; curl_pid=""
echo "     killed with ${partial:-?} of 52428800 bytes received; $(wc -l <"$tmp/pushed.jsonl") pushes answered 201"
expect "the kill landed mid-body" "$([[ ${partial:-0} -gt 0 && ${partial:-0} -lt 52428800 ]] && echo yes)" yes

sqlite_check() {
  python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("PRAGMA integrity_check").fetchone()[0])' "$data/metadata.db"
}
expect "SQLite integrity_check right after the kill" "$(sqlite_check)" ok

start_server "$tmp/server2.log"
expect "restart: uploads/ is empty" "$(find "$data/uploads" -type f | wc -l)" 0
code() { curl -s -o /dev/null -w '%{http_code}' -u "AWS:$admin" "$@"; }
expect "restart: the partial blob is not visible (HEAD 404)" \
  "$(code -I "$url/v2/$repo/blobs/$big_digest")" 404
expect "restart: no blob file for the partial blob" \
  "$(find "$data/blobs" -name "${big_digest#sha256:}" | wc -l)" 0
expect "restart: the interrupted upload id is unknown (404)" "$(code "$url$location")" 404
PORT=${url##*:} PASSWORD=$admin OUT=$tmp/pushed.jsonl REPO=$repo DATA=$data \
  python3 "$here/registry_crash_push.py" verify 0
expect "every push answered 201 before the kill is intact" "$?" 0
expect "the interrupted blob can be pushed again (201)" \
  "$(code -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$tmp/big.bin" \
     "$url/v2/$repo/blobs/uploads/?digest=$big_digest")" 201
expect "and is then visible (HEAD 200)" "$(code -I "$url/v2/$repo/blobs/$big_digest")" 200
kill -TERM "$server_pid"
wait "$server_pid"
expect "the restarted server stops cleanly" "$?" 0
server_pid=""
expect "SQLite integrity_check after the restart" "$(sqlite_check)" ok
echo "$failures failure(s)"
exit $((failures > 0))
