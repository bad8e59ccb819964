-- wrk script for bench/sidecar_load.sh: nginx auth_request checks (GET /auth with
-- X-Original-Method / X-Original-URI) over keep-alive, a realistic OCI mix from a few hundred
-- principals. The request bytes are formatted once in init() from the generated table
-- (sidecar_requests.lua, written by the script), so wrk spends no time building requests.
-- done() prints the latency percentiles wrk's summary lacks (p99.9) as one parsable line.
local requests = {}
local n = 0
local i = 0

function init(args)
  local checks = dofile(os.getenv("SIDECAR_REQUESTS"))
  for _, c in ipairs(checks) do
    n = n + 1
    requests[n] = wrk.format("GET", "/auth", {
      ["Host"] = "sidecar",
      ["Authorization"] = c[1],
      ["X-Original-Method"] = c[2],
      ["X-Original-URI"] = c[3],
      ["X-Forwarded-For"] = c[4],
      ["X-Forwarded-Proto"] = "https",
      ["User-Agent"] = "skopeo/1.9.3",
    })
  end
  -- Threads start at different offsets.
  i = math.random(n)
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return requests[i]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.0f p50_us=%d p99_us=%d p999_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
