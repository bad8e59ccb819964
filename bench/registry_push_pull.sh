#!/usr/bin/env bash
# Benchmark (not a test): push and pull of one image (default 100 MB in 4 random layers) with the
# real skopeo against `portcullis serve` and against Debian's docker-registry (distribution 2.8,
# filesystem storage, no auth), side by side in the same run. Each repetition starts both servers
# on fresh data directories (so every push uploads every blob), pushes oci:LAYOUT → registry, then
# pulls registry → dir:, alternating which server goes first. Prints per-run seconds, the
# median MB/s (MB = 10^6 bytes of blobs: layers + config) and the median server CPU time
# (utime + stime of the server process during the copy: less sensitive to a loaded machine).
# Usage: bench/registry_push_pull.sh PORTCULLIS_BINARY [REPS=3] [TOTAL_MB=100] [LAYERS=4]
# Use a release build (e.g. build/release/tools/portcullis). Everything on 127.0.0.1, free ports.
set -euo pipefail
portcullis=${1:?usage: registry_push_pull.sh PORTCULLIS_BINARY [REPS] [TOTAL_MB] [LAYERS]}
reps=${2:-3} total_mb=${3:-100} layers=${4:-4}
for tool in skopeo docker-registry python3 curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (tools/install-deps.sh --test)"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp -d /tmp/portcullis-bench-pp.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export REGISTRY_AUTH_FILE=$tmp/auth.json XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$tmp/run"
store=$root/corpus/stores/demo-store.json
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$root/tests/e2e/make-oci-image.sh" "$tmp/layout" v1 "$layers" \
  $((total_mb * 1000000 / layers)) >/dev/null
bytes=$(find "$tmp/layout/blobs" -type f -printf '%s\n' | python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/index.json"))["manifests"][0]["digest"].split(":")[1]
doc = json.load(open(sys.argv[1] + "/blobs/sha256/" + m))
print(doc["config"]["size"] + sum(l["size"] for l in doc["layers"]))' "$tmp/layout")
echo "image: $layers layers, $bytes bytes of blobs; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

start_portcullis() {  # sets pc_addr, pc_pass, pc_pid
  rm -f "$tmp/pc.log"  # else the wait below may see the previous run's line
  "$portcullis" serve --config "$store" --data "$tmp/pc-data" --listen 127.0.0.1:0 \
    >"$tmp/pc.log" 2>&1 &
  pc_pid=$!
  pids+=($!)
  for _ in $(seq 100); do grep -qs "listening on" "$tmp/pc.log" && break; sleep 0.1; done
  pc_addr=127.0.0.1:$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/pc.log")
  pc_pass=$("$portcullis" login-password --config "$store" --data "$tmp/pc-data" \
            --user arn:aws:iam::111122223333:user/admin)
}
start_reference() {  # sets dr_addr, dr_pid
  dr_addr=127.0.0.1:$(free_port)
  cat >"$tmp/dr.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/dr-data
http:
  addr: $dr_addr
  secret: bench-not-a-secret
EOF
  # distribution reads REGISTRY_* variables as configuration: hide skopeo's REGISTRY_AUTH_FILE
  env -u REGISTRY_AUTH_FILE docker-registry serve "$tmp/dr.yml" >"$tmp/dr.log" 2>&1 &
  dr_pid=$!
  pids+=($!)
  for _ in $(seq 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$dr_addr/v2/") == 200 ]] && return 0
    sleep 0.1
  done
  echo "docker-registry did not start:"; cat "$tmp/dr.log"; exit 1
}
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  pids=()
}
seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.3f}")' "$1"; }
now() { python3 -c 'import time; print(time.time())'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, all threads
cpu_ms() { python3 -c 'import os,sys; print(round((int(sys.argv[2])-int(sys.argv[1]))*1000/os.sysconf("SC_CLK_TCK")))' "$1" "$2"; }
run() {  # run NAME PID ADDR CREDS...: one push and one pull; appends "name op seconds cpu_ms"
  local name=$1 pid=$2 addr=$3; shift 3
  local t c
  c=$(cpu_ticks "$pid")
  t=$(now)
  skopeo copy -q --dest-tls-verify=false "$@" "oci:$tmp/layout:v1" \
    "docker://$addr/payments/worker:v1" >/dev/null
  echo "$name push $(seconds "$t") $(cpu_ms "$c" "$(cpu_ticks "$pid")")" | tee -a "$tmp/results"
  rm -rf "$tmp/pulled"
  c=$(cpu_ticks "$pid")
  t=$(now)
  skopeo copy -q --src-tls-verify=false "${@/--dest-creds/--src-creds}" \
    "docker://$addr/payments/worker:v1" "dir:$tmp/pulled" >/dev/null
  echo "$name pull $(seconds "$t") $(cpu_ms "$c" "$(cpu_ticks "$pid")")" | tee -a "$tmp/results"
}

for rep in $(seq "$reps"); do
  rm -rf "$tmp/pc-data" "$tmp/dr-data"
  start_portcullis
  start_reference
  if ((rep % 2)); then
    run portcullis "$pc_pid" "$pc_addr" --dest-creds "AWS:$pc_pass"
    run docker-registry "$dr_pid" "$dr_addr"
  else
    run docker-registry "$dr_pid" "$dr_addr"
    run portcullis "$pc_pid" "$pc_addr" --dest-creds "AWS:$pc_pass"
  fi
  stop_all
done

python3 - "$tmp/results" "$bytes" <<'PY'
import statistics, sys
runs, cpus = {}, {}
for line in open(sys.argv[1]):
    name, op, s, cpu = line.split()
    runs.setdefault((name, op), []).append(float(s))
    cpus.setdefault((name, op), []).append(int(cpu))
mb = int(sys.argv[2]) / 1e6
print(f"{'server':16} {'op':5} {'median s':>9} {'median MB/s':>12} {'server CPU ms':>14}  runs (s)")
med = {}
for (name, op), secs in sorted(runs.items()):
    med[(name, op)] = mb / statistics.median(secs)
    print(f"{name:16} {op:5} {statistics.median(secs):9.2f} {med[(name, op)]:12.1f} "
          f"{statistics.median(cpus[(name, op)]):14.0f}  " + " ".join(f"{s:.2f}" for s in secs))
for op in ("push", "pull"):
    print(f"{op}: portcullis / docker-registry = "
          f"{med[('portcullis', op)] / med[('docker-registry', op)]:.2f}x")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
