-- wrk script for benches/e2e/serve_load.sh: GET a random frame of one movie per request.
-- Environment:
--   LQ_PREFIX  path of the movie on the server, e.g. /up/movie.mov
--   LQ_FRAMES  frames to choose from: 1..LQ_FRAMES (the REST API is 1-based)
--   LQ_FIRST   first frame number (default 1); frames LQ_FIRST..LQ_FIRST+LQ_FRAMES-1
--   LQ_WIDTH   "random": add ?width=W with W random in 64..1919, so no two requests are
--              likely to hit the server's encoded-frame cache
--   LQ_SEED    seed (default 7); thread i uses LQ_SEED + i
-- done() prints one JSON line starting with "RESULT " for the calling script.

local prefix = os.getenv("LQ_PREFIX")
local frames = tonumber(os.getenv("LQ_FRAMES") or "1")
local first = tonumber(os.getenv("LQ_FIRST") or "1")
local width = os.getenv("LQ_WIDTH")
local seed = tonumber(os.getenv("LQ_SEED") or "7")

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(seed + (id or 0))
end

function request()
  local n = first + math.random(0, frames - 1)
  local path = prefix .. "/frame/" .. n .. ".png"
  if width == "random" then
    path = path .. "?width=" .. math.random(64, 1919)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_s": %.3f, "bytes": %d, "rps": %.2f, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f, ' ..
    '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
