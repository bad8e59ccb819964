#!/usr/bin/env bash
# `portcullis serve` / `login-password` command-line behaviour without skopeo (curl only):
# usage errors, --config, the 401 challenge, SIGHUP reload (a bad file keeps the old
# configuration; a good one replaces it), a clean stop on SIGTERM, --repository-settings errors
# and the --audit-log lines (fields, statuses, no password).
# Usage: serve_cli_test.sh PORTCULLIS_BINARY. Exit 77 (skipped) without curl or python3.
set -uo pipefail
portcullis=${1:?usage: serve_cli_test.sh PORTCULLIS_BINARY}
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: needs curl and python3 (tools/install-deps.sh --test)"
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d /tmp/portcullis-serve-cli.XXXXXX)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
expect() {  # expect DESCRIPTION ACTUAL WANTED
  if [[ $2 == "$3" ]]; then echo "ok   $1"; else
    echo "FAIL $1: got \`$2\`, want \`$3\`"; failures=$((failures + 1)); fi
}

"$portcullis" login-password --data "$tmp/data" --user mallory >/dev/null 2>"$tmp/err"
expect "unknown user exits 2" "$?" 2
"$portcullis" serve --listen nonsense >/dev/null 2>&1
expect "bad --listen exits 2" "$?" 2
"$portcullis" serve --decision-memo lots --listen 127.0.0.1:0 >/dev/null 2>&1
expect "bad --decision-memo exits 2" "$?" 2
echo '{' > "$tmp/bad.json"
"$portcullis" serve --config "$tmp/bad.json" --data "$tmp/data" >/dev/null 2>&1
expect "bad --config exits 2" "$?" 2

echo '{"repositories":[{"name":"payments/nowhere","imageTagMutability":"IMMUTABLE"}]}' \
  > "$tmp/settings-unknown.json"
"$portcullis" serve --data "$tmp/data" --repository-settings "$tmp/settings-unknown.json" \
  --listen 127.0.0.1:0 >/dev/null 2>"$tmp/err"
expect "settings for a repository that is not served exit 2" "$?" 2
echo '{"repositories":[{"name":"payments/worker","imageTagMutability":"FROZEN"}]}' \
  > "$tmp/settings-bad.json"
"$portcullis" serve --data "$tmp/data" --repository-settings "$tmp/settings-bad.json" \
  --listen 127.0.0.1:0 >/dev/null 2>"$tmp/err"
expect "an invalid imageTagMutability exits 2" "$?" 2
"$portcullis" serve --data "$tmp/data" --audit-log /nonexistent-dir/audit.jsonl \
  --listen 127.0.0.1:0 >/dev/null 2>"$tmp/err"
expect "an audit log that cannot be opened exits 2" "$?" 2

cp "$root/corpus/stores/demo-store.json" "$tmp/store.json"
# The decision memo off: every request below is decided by the engine.
"$portcullis" serve --config "$tmp/store.json" --data "$tmp/data" --listen 127.0.0.1:0 \
  --audit-log "$tmp/audit.jsonl" --decision-memo 0 >"$tmp/log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log")
url=http://127.0.0.1:$port
alice=$("$portcullis" login-password --config "$tmp/store.json" --data "$tmp/data" \
        --user arn:aws:iam::111122223333:user/engineering/alice)
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

expect "ping without credentials" "$(code "$url/v2/")" 401
expect "challenge" "$(curl -s -D - -o /dev/null "$url/v2/" | tr -d '\r' | grep -i '^www-authenticate')" \
  "WWW-Authenticate: Basic realm=\"https://127.0.0.1:$port/\",service=\"ecr.amazonaws.com\""
expect "ping with alice" "$(code -u "AWS:$alice" "$url/v2/")" 200
expect "tags/list with alice" "$(code -u "AWS:$alice" "$url/v2/payments/worker/tags/list")" 200

echo '{"accounts": [' > "$tmp/store.json"
kill -HUP "$server_pid"
for _ in $(seq 50); do grep -q "reload failed" "$tmp/log" && break; sleep 0.1; done
expect "a bad reload is reported" "$(grep -c 'reload failed' "$tmp/log")" 1
expect "and the old configuration stays" \
  "$(code -u "AWS:$alice" "$url/v2/payments/worker/tags/list")" 200

# A store that loads but whose repository settings the registry refuses is refused as a whole.
python3 - "$root/corpus/stores/demo-store.json" "$tmp/store.json" <<'PY'
import json, sys
store = json.load(open(sys.argv[1]))
store["repositories"][0]["imageTagMutability"] = "FROZEN"
json.dump(store, open(sys.argv[2], "w"))
PY
kill -HUP "$server_pid"
for _ in $(seq 50); do [[ $(grep -c 'reload failed' "$tmp/log") == 2 ]] && break; sleep 0.1; done
expect "a reload with invalid repository settings is refused" \
  "$(grep 'reload failed' "$tmp/log" | tail -1 | grep -c 'FROZEN')" 1
expect "and the old configuration still serves" \
  "$(code -u "AWS:$alice" "$url/v2/payments/worker/tags/list")" 200

python3 - "$root/corpus/stores/demo-store.json" "$tmp/store.json" <<'PY'
import json, sys
store = json.load(open(sys.argv[1]))
store["repositories"] = [r for r in store["repositories"] if not r["arn"].endswith("/worker")]
json.dump(store, open(sys.argv[2], "w"))
PY
kill -HUP "$server_pid"
for _ in $(seq 50); do grep -q "configuration reloaded" "$tmp/log" && break; sleep 0.1; done
expect "a good reload applies: payments/worker is gone" \
  "$(code -u "AWS:$alice" "$url/v2/payments/worker/tags/list")" 404

# Log rotation: after a rename, SIGHUP makes the server write to a new file at the old path.
mv "$tmp/audit.jsonl" "$tmp/audit.1"
kill -HUP "$server_pid"
for _ in $(seq 50); do grep -q "configuration unchanged" "$tmp/log" && break; sleep 0.1; done
expect "SIGHUP with an unchanged file does not recompile" \
  "$(grep -c 'configuration unchanged (SIGHUP), not recompiled' "$tmp/log")" 1
code -u "AWS:$alice" "$url/v2/payments/api/tags/list" >/dev/null
for _ in $(seq 50); do [[ -s $tmp/audit.jsonl ]] && break; sleep 0.1; done
expect "SIGHUP reopens the audit log (rotation)" "$(grep -c 'payments/api' "$tmp/audit.jsonl" 2>/dev/null)" 1
cat "$tmp/audit.jsonl" >> "$tmp/audit.1" && mv "$tmp/audit.1" "$tmp/audit.jsonl"

kill -TERM "$server_pid"
wait "$server_pid"
expect "SIGTERM stops the server cleanly" "$?" 0
server_pid=""

# The audit log: one line per decision (the three tags/list requests; pings and 401s decide
# nothing), with the request's final status, and never the password.
expect "audit lines" "$(python3 - "$tmp/audit.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
fields = {"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
          "userAgent", "userIdentity", "requestParameters", "responseElements", "requestID",
          "eventID", "readOnly", "resources", "eventType", "recipientAccountId",
          "additionalEventData"}
assert all(set(l) - {"errorCode"} == fields for l in lines), lines
assert all(l["eventName"] == "ListImages" and l["readOnly"] for l in lines), lines
assert all(l["additionalEventData"]["httpMethod"] == "GET" for l in lines), lines
assert all(l["userIdentity"]["arn"] == "arn:aws:iam::111122223333:user/engineering/alice"
           for l in lines)
assert all(l["sourceIPAddress"] == "127.0.0.1" for l in lines)
assert [l.get("errorCode", "") for l in lines] == ["", "", "", "NAME_UNKNOWN", ""], lines
print(" ".join(str(l["additionalEventData"]["httpStatus"]) for l in lines))
PY
)" "200 200 200 404 200"
expect "the audit log holds no password" "$(grep -c -F "$alice" "$tmp/audit.jsonl")" 0
echo "$failures failure(s)"
exit $((failures > 0))
