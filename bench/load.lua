-- wrk script of bench/load.py: replays the request mix written by the Python side and writes
-- the run's summary and full latency histogram as JSON, so that runs against several app
-- processes can be merged into one distribution.

local requests = {}
local next_request = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("ZONAGE_LOAD_REQUESTS")) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    local headers = { ["Accept-Encoding"] = "gzip" }
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/json"
    end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
  -- threads start at different places of the same shuffled mix
  next_request = (id * 7919) % #requests + 1
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function done(summary, latency, _)
  local out = assert(io.open(os.getenv("ZONAGE_LOAD_REPORT"), "w"))
  local e = summary.errors
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d}, "latency_us": [',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout
  ))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format('%s[%d, %d]', i > 1 and ", " or "", value, count))
  end
  out:write("]}")
  out:close()
end
