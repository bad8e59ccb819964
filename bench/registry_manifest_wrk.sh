#!/usr/bin/env bash
# Benchmark (not a test): manifest requests per second against `portcullis serve` with wrk
# (keep-alive, `Authorization: Basic` with a minted password), with authorization on and off
# (`--authorization=off`, benchmark-only, PORTCULLIS_BENCH=1: authentication still runs, the
# engine is not consulted). Runs alternate on/off REPS times on one data directory; prints the
# median requests/s of each and the cost authorization adds per request.
# GET, not HEAD: wrk 4.1 (Debian 12) waits for the body a HEAD response's Content-Length announces
# and never completes a request. GET and HEAD of a manifest take the same path (route, token
# check, one ecr:BatchGetImage decision, one SQLite read); GET also writes the 247-byte body.
# Usage: bench/registry_manifest_wrk.sh PORTCULLIS_BINARY [REPS=3] [SECONDS=10] [CONNECTIONS=8]
# Use a release build. Everything on 127.0.0.1, free ports.
# Env: DECISION_MEMO (default 4096): `serve --decision-memo`. This benchmark repeats one request,
#   so with the memo on it measures the memo-hit path; DECISION_MEMO=0 measures the miss path
#   (every request decided by the engine).
set -euo pipefail
portcullis=${1:?usage: registry_manifest_wrk.sh PORTCULLIS_BINARY [REPS] [SECONDS] [CONNECTIONS]}
reps=${2:-3} duration=${3:-10} connections=${4:-8}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (tools/install-deps.sh --test)"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp -d /tmp/portcullis-bench-head.XXXXXX)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
store=$root/corpus/stores/demo-store.json
user=arn:aws:iam::111122223333:user/engineering/alice  # identity + boundary + group + SCPs

start() {  # start on|off
  rm -f "$tmp/server.log"  # else the wait below may see the previous run's line
  PORTCULLIS_BENCH=1 "$portcullis" serve --config "$store" --data "$tmp/data" \
    --listen 127.0.0.1:0 --authorization="$1" --decision-memo "${DECISION_MEMO:-4096}" \
    >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do grep -qs "listening on" "$tmp/server.log" && break; sleep 0.1; done
  url=http://127.0.0.1:$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/server.log")
}
# utime + stime of a process, in clock ticks (all threads).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
stop() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }

# One small image in payments/worker (pushed with authorization on).
start on
pass=$("$portcullis" login-password --config "$store" --data "$tmp/data" --user "$user")
auth="Authorization: Basic $(printf 'AWS:%s' "$pass" | base64 -w0)"
config='{"architecture":"amd64","os":"linux"}'
cdigest=sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
curl -sf -H "$auth" -X POST --data-binary "$config" "$url/v2/payments/worker/blobs/uploads/?digest=$cdigest" >/dev/null
manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$cdigest\",\"size\":${#config}},\"layers\":[]}"
curl -sf -H "$auth" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "$manifest" "$url/v2/payments/worker/manifests/v1" >/dev/null
stop

echo "wrk -t1 -c$connections -d${duration}s GET /v2/payments/worker/manifests/v1 as alice;" \
  "$(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq "$reps"); do
  for mode in on off; do
    start "$mode"
    code=$(curl -s -o /dev/null -w '%{http_code}' -I -H "$auth" "$url/v2/payments/worker/manifests/v1")
    [[ $code == 200 ]] || { echo "HEAD answered $code with authorization $mode"; exit 1; }
    cpu0=$(cpu_ticks "$server_pid")
    rps=$(wrk -t1 -c"$connections" -d"${duration}s" -H "$auth" \
          "$url/v2/payments/worker/manifests/v1" | tee "$tmp/wrk.out" |
          sed -n 's/^Requests\/sec: *//p')
    cpu1=$(cpu_ticks "$server_pid")
    grep -q "Non-2xx" "$tmp/wrk.out" && { echo "non-2xx answers:"; cat "$tmp/wrk.out"; exit 1; }
    requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk.out")
    us=$(python3 -c "import os,sys; print(f'{(int(sys.argv[2])-int(sys.argv[1]))/os.sysconf(\"SC_CLK_TCK\")*1e6/int(sys.argv[3]):.1f}')" \
         "$cpu0" "$cpu1" "$requests")
    echo "authorization $mode: $rps req/s, $us us server CPU per request" | tee -a "$tmp/results"
    stop
  done
done
python3 - "$tmp/results" <<'PY'
import statistics, sys
rps, cpu = {"on": [], "off": []}, {"on": [], "off": []}
for line in open(sys.argv[1]):
    parts = line.replace(",", "").split()
    rps[parts[1].rstrip(":")].append(float(parts[2]))
    cpu[parts[1].rstrip(":")].append(float(parts[4]))
on, off = statistics.median(rps["on"]), statistics.median(rps["off"])
con, coff = statistics.median(cpu["on"]), statistics.median(cpu["off"])
print(f"median req/s: on {on:.0f}, off {off:.0f} (throughput cost {100 * (off / on - 1):.1f} %)")
print(f"median server CPU per request: on {con:.1f} us, off {coff:.1f} us: authorization adds "
      f"{con - coff:.1f} us = {100 * (con / coff - 1):.1f} % to the manifest request's cost")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
