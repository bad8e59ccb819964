#!/usr/bin/env bash
# Load benchmark of `portcullis sidecar` /auth (nginx auth_request mode), not a test
# (bench/README.md "Sidecar"). In one run, on 127.0.0.1:
#   1. nginx `return 200` from a static location, same request bytes: this machine's HTTP ceiling;
#   2. the sidecar deciding a realistic OCI mix (manifest GET/HEAD, blob GET/HEAD, upload steps)
#      from PRINCIPALS principals against a make_workload store of STATEMENTS statements;
#   3. the same while the configuration changes and is reloaded every second (POST
#      /admin/reload), counting failed requests (socket errors, timeouts, 5xx, engine errors) and
#      the allow share.
# Usage: bench/sidecar_load.sh PORTCULLIS MAKE_WORKLOAD [SECONDS] [CONNECTIONS] [WRK_THREADS]
#   Build both in Release (the dev build is -O0):
#   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release &&
#   cmake --build build/release --target portcullis make_workload
# Env: STATEMENTS (10000), PRINCIPALS (300), SIDECAR_THREADS (0 = one per core), KEEP_TMP,
#   RELOAD_SAME (0): 1 = reload the same file every second instead of a changed one,
#   SLOW_US (5000): requests slower than this count as slowed (slow_over_…us in each line),
#   PIN (1): --pin-io-threads for the sidecar and worker_cpu_affinity auto for nginx; 0: neither,
#   PULL_BURSTS (0): 1 = instead of independent checks, image pulls as clients send them: one
#   client (principal and address) asks for a manifest and then 2–9 blobs (GET or HEAD) of one
#   repository in a row, so identical decisions repeat within the second (the decision memo's case).
# Principals go to their own team's repositories 3 times in 4 (the rest: any repository).
set -euo pipefail
portcullis=${1:?usage: sidecar_load.sh PORTCULLIS MAKE_WORKLOAD [SECONDS] [CONNECTIONS] [WRK_THREADS]}
make_workload=${2:?usage: sidecar_load.sh PORTCULLIS MAKE_WORKLOAD [SECONDS] [CONNECTIONS] [WRK_THREADS]}
# One wrk thread by default: on this 2-core machine a one-thread load generator leaves the server
# under test (nginx or the sidecar, measured the same way) a core and a half; two wrk threads
# take a core for themselves (bench/README.md "Sidecar" has both).
seconds=${3:-10} connections=${4:-64} wrk_threads=${5:-1}
statements=${STATEMENTS:-10000} principals=${PRINCIPALS:-300}
here=$(cd "$(dirname "$0")" && pwd)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk "$nginx_bin" curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (tools/install-deps.sh --test)"; exit 77; }
done

tmp=$(mktemp -d /tmp/portcullis-sidecar-load.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "# machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$make_workload" "$statements" "$tmp" >/dev/null
store=$tmp/store-$statements.json
echo "admin-$RANDOM$RANDOM" >"$tmp/admin.token"

# PIN (1): the sidecar's I/O threads one per CPU (--pin-io-threads) and nginx's workers likewise
# (worker_cpu_affinity auto), both servers alike; 0: neither.
pin_flag=() nginx_affinity=""
if [[ ${PIN:-1} == 1 ]]; then pin_flag=(--pin-io-threads) nginx_affinity="worker_cpu_affinity auto;"; fi
"$portcullis" sidecar --config "$store" --data "$tmp/data" --listen 127.0.0.1:0 \
  --trusted-proxy 127.0.0.1/32 --admin-token-file "$tmp/admin.token" \
  --threads "${SIDECAR_THREADS:-0}" "${pin_flag[@]}" >"$tmp/sidecar.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  grep -q "sidecar listening on" "$tmp/sidecar.log" && break
  sleep 0.1
done
port=$(sed -n '1s/^portcullis: sidecar listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/sidecar.log")
[[ -n $port ]] || { echo "sidecar did not start"; cat "$tmp/sidecar.log"; exit 1; }
sc=http://127.0.0.1:$port
statement_count=$(curl -s "$sc/metrics" | sed -n 's/^portcullis_snapshot_statements //p')

# The request table: passwords minted with the sidecar's key (same format as login-password).
python3 - "$store" "$tmp/data/auth/token.key" "$principals" "${PULL_BURSTS:-0}" \
  >"$tmp/requests.lua" <<'PY'
import base64, hashlib, hmac, json, random, sys, time
store, key, count = json.load(open(sys.argv[1])), open(sys.argv[2], "rb").read(), int(sys.argv[3])
bursts = sys.argv[4] == "1"
rng = random.Random(7)
now = int(time.time())
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def password(arn):
    payload = f"{now}|{now + 12 * 3600}|{arn}".encode()
    return "PCT1." + b64(payload) + "." + b64(hmac.new(key, payload, hashlib.sha256).digest())
people = list(store["principals"])
rng.shuffle(people)
people = people[:count]
auth = {p["arn"]: "Basic " + base64.b64encode(("AWS:" + password(p["arn"])).encode()).decode()
        for p in people}
repos = [r["arn"].split(":repository/", 1)[1] for r in store["repositories"]]
by_team = {}
for r in repos:
    by_team.setdefault(r.split("/", 1)[0], []).append(r)
def repository(p):  # 3 of 4 requests go to the caller's own team's repositories
    own = by_team.get("team-" + p.get("tags", {}).get("team", ""), [])
    return rng.choice(own) if own and rng.random() < 0.75 else rng.choice(repos)
digest = lambda: "sha256:" + "%064x" % rng.getrandbits(256)
mix = [  # (weight, method, path) — a pull-heavy registry mix with push steps
    (30, "GET", lambda r: f"/v2/{r}/manifests/v{rng.randint(1, 9)}"),
    (15, "HEAD", lambda r: f"/v2/{r}/manifests/v{rng.randint(1, 9)}"),
    (30, "GET", lambda r: f"/v2/{r}/blobs/{digest()}"),
    (10, "HEAD", lambda r: f"/v2/{r}/blobs/{digest()}"),
    (4, "POST", lambda r: f"/v2/{r}/blobs/uploads/"),
    (4, "PATCH", lambda r: f"/v2/{r}/blobs/uploads/{rng.getrandbits(64):016x}"),
    (4, "PUT", lambda r: f"/v2/{r}/blobs/uploads/{rng.getrandbits(64):016x}?digest={digest()}"),
    (3, "PUT", lambda r: f"/v2/{r}/manifests/v{rng.randint(1, 9)}"),
]
weights = [m[0] for m in mix]
address = lambda: f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.7" if rng.random() < 0.9 else f"198.51.100.{rng.randint(1, 254)}"
line = lambda p, method, path, ip: '{"%s","%s","%s","%s"},' % (auth[p["arn"]], method, path, ip)
print("return {")
written = 0
while written < 20000:
    p, ip = rng.choice(people), address()
    if not bursts:
        _, method, path = rng.choices(mix, weights)[0]
        print(line(p, method, path(repository(p)), ip))
        written += 1
        continue
    r = repository(p)  # one image pull: the manifest, then its blobs
    print(line(p, "GET", f"/v2/{r}/manifests/v{rng.randint(1, 9)}", ip))
    blobs = min(rng.randint(2, 9), 20000 - written - 1)
    for _ in range(blobs):
        print(line(p, rng.choice(["GET", "HEAD"]), f"/v2/{r}/blobs/{digest()}", ip))
    written += 1 + blobs
print("}")
PY
export SIDECAR_REQUESTS=$tmp/requests.lua

# nginx, same request bytes, `return 200`: the HTTP ceiling.
nginx_port=$(free_port)
mkdir -p "$tmp/nginx/tmp"
cat >"$tmp/nginx/nginx.conf" <<NGX
worker_processes auto;
$nginx_affinity
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/tmp/body;
  proxy_temp_path $tmp/nginx/tmp/proxy;
  fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
  uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
  scgi_temp_path $tmp/nginx/tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /auth { return 200; }
  }
}
NGX
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
  -g "daemon off; pid $tmp/nginx/nginx.pid;" &
pids+=($!)
sleep 0.5

metric() { curl -s "$sc/metrics" | sed -n "s/^$1 //p"; }
decisions() {  # allow deny error totals
  curl -s "$sc/metrics" | awk '/^portcullis_decisions_total/ {
    if ($1 ~ /outcome="allow"/) a += $2; else if ($1 ~ /outcome="deny"/) d += $2; else e += $2 }
    END { printf "%d %d %d\n", a, d, e }'
}
run() {  # run LABEL URL
  local label=$1 url=$2
  wrk -t "$wrk_threads" -c "$connections" -d "${seconds}s" --timeout 5s \
    -s "$here/sidecar_load.lua" "$url/auth" >"$tmp/wrk-$label.out" 2>&1
  echo "$label: $(grep '^RESULT' "$tmp/wrk-$label.out" | cut -d' ' -f2-)"
  grep -q '^RESULT' "$tmp/wrk-$label.out" || cat "$tmp/wrk-$label.out"
}

echo "# store: $statements statements requested, $statement_count compiled; $principals principals;" \
  "20000 checks$([[ ${PULL_BURSTS:-0} == 1 ]] && echo ' in image pulls'); wrk -t$wrk_threads -c$connections -d${seconds}s; PIN=${PIN:-1}"
# Warm-up (connections, caches), not reported.
wrk -t 1 -c 4 -d 2s -s "$here/sidecar_load.lua" "$sc/auth" >/dev/null 2>&1
run nginx-return-200 "http://127.0.0.1:$nginx_port"
read -r a0 d0 e0 <<<"$(decisions)"
hits0=$(metric portcullis_decision_memo_hits_total)
run sidecar "$sc"
read -r a1 d1 e1 <<<"$(decisions)"
hits1=$(metric portcullis_decision_memo_hits_total)
# wrk counts every non-2xx as a "status" error; a denied check stops at its first non-allowed
# decision, so non-2xx beyond deny+error decisions are real failures (400/5xx).
other() {  # other LABEL DENY ERROR
  local status; status=$(grep '^RESULT' "$tmp/wrk-$1.out" | sed -n 's/.* status=\([0-9]*\).*/\1/p')
  echo "non-2xx=$status not-explained-by-denials=$((status - $2 - $3))"
}
echo "sidecar: $(other sidecar $((d1 - d0)) $((e1 - e0)))"
echo "sidecar decisions: allow=$((a1 - a0)) deny=$((d1 - d0)) error=$((e1 - e0))" \
  "allow_share=$(python3 -c "print(round($((a1 - a0)) / max(1, $((a1 - a0 + d1 - d0))), 4))")" \
  "memo_hit_share=$(python3 -c "print(round($((hits1 - hits0)) / max(1, $((a1 - a0 + d1 - d0 + e1 - e0))), 4))")"

# The same load while the configuration is reloaded every second. Each reload changes the file
# (two versions differing in one repository policy statement's Sid, which decides nothing), so
# every reload compiles; RELOAD_SAME=1 reloads the same file, which the sidecar recognises as
# unchanged and does not recompile. The file watcher may see a change before the POST does.
python3 - "$store" "$tmp/store-b.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for repo in doc["repositories"]:
    if repo.get("policy"):
        statement = repo["policy"]["Statement"][0]
        statement["Sid"] = statement.get("Sid", "S") + "B"
        break
json.dump(doc, open(sys.argv[2], "w"))
PY
cp "$store" "$tmp/store-a.json"
ok0=$(metric 'portcullis_reloads_total{result="ok"}')
unchanged0=$(metric 'portcullis_reloads_total{result="unchanged"}')
# The harness's own work (copying the 2.6 MB file, curl) is not the sidecar's: it runs at
# SCHED_IDLE when chrt allows, so it does not take cores from the servers being measured.
idle=()
if chrt --idle 0 true 2>/dev/null; then idle=(chrt --idle 0); fi
( i=0
  while true; do
    if [[ ${RELOAD_SAME:-0} != 1 ]]; then
      i=$((i + 1)); version=$tmp/store-a.json; ((i % 2)) && version=$tmp/store-b.json
      "${idle[@]}" cp "$version" "$store.next" && mv "$store.next" "$store"
    fi
    "${idle[@]}" curl -s -o /dev/null -X POST -H "Authorization: Bearer $(cat "$tmp/admin.token")" \
      "$sc/admin/reload"
    sleep 1
  done ) &
reloader=$!
run sidecar-reloading "$sc"
kill "$reloader" 2>/dev/null; wait "$reloader" 2>/dev/null || true
read -r a2 d2 e2 <<<"$(decisions)"
echo "reloads during the run: $(( $(metric 'portcullis_reloads_total{result="ok"}') - ok0 )) compiled," \
  "$(( $(metric 'portcullis_reloads_total{result="unchanged"}' || echo 0) - ${unchanged0:-0} )) unchanged," \
  "$(metric 'portcullis_reloads_total{result="error"}') errors"
echo "sidecar-reloading: $(other sidecar-reloading $((d2 - d1)) $((e2 - e1)))"
echo "sidecar-reloading decisions: allow=$((a2 - a1)) deny=$((d2 - d1)) error=$((e2 - e1))" \
  "allow_share=$(python3 -c "print(round($((a2 - a1)) / max(1, $((a2 - a1 + d2 - d1))), 4))")"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
