-- wrk script for bench/sidecar_load.sh: nginx auth_request checks (GET /auth with
-- X-Original-Method / X-Original-URI) over keep-alive, a realistic OCI mix from a few hundred
-- principals. The request bytes are formatted once in init() from the generated table
-- (sidecar_requests.lua, written by the script), so wrk spends no time building requests.
-- done() prints the latency percentiles wrk's summary lacks (p99.9) and the requests slower
-- than SLOW_US microseconds (default 5000: "slowed" during reloads) as one parsable line.
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

-- Requests slower than `limit_us`: wrk keeps a latency histogram but offers only percentiles,
-- so the share above the limit is found by bisecting on percentile(p) (to 0.0001 %).
local function slower_than(latency, limit_us, total)
  if latency.max <= limit_us then return 0 end
  local lo, hi = 0, 100  -- percentile(lo) <= limit < percentile(hi)
  for _ = 1, 30 do
    local mid = (lo + hi) / 2
    if latency:percentile(mid) > limit_us then hi = mid else lo = mid end
  end
  return math.floor(total * (100 - hi) / 100 + 0.5)
end

function done(summary, latency, _)
  local e = summary.errors
  local slow_us = tonumber(os.getenv("SLOW_US") or "5000")
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.0f p50_us=%d p99_us=%d p999_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d slow_over_%dus=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, slow_us,
    slower_than(latency, slow_us, summary.requests)))
end
