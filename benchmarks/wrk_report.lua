-- wrk script for bench_web.py: rotates over the requests in the file named by $KK_REQUESTS (one per line:
-- method, path, Cookie header, form body, separated by tabs) so the load is not one member's page, and
-- prints one parseable KK_RESULT line at the end.
local requests_file = os.getenv("KK_REQUESTS")
local reqs = {}
local counter = 0
local threads = {}
local unexpected = 0

-- Only when asked (the POST runs): wrk copies every response into Lua once `response` exists, which
-- would slow the GET and hello runs.
if os.getenv("KK_EXPECT_REDIRECT") then
  function response(status, headers, body)
    if status < 300 or status > 399 then
      unexpected = unexpected + 1
    end
  end
end

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(requests_file) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local headers = {}
      if cookie ~= "" then headers["Cookie"] = cookie end
      if body == "" then
        body = nil
      else
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      table.insert(reqs, wrk.format(method, path, headers, body))
    end
  end
  -- Threads start evenly spread over the list, so together they reach every request soonest.
  local nthreads = tonumber(os.getenv("KK_THREADS") or "1")
  counter = math.floor((thread_no or 0) * #reqs / nthreads) - 1
end

function request()
  counter = counter + 1
  return reqs[(counter % #reqs) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  local not_redirected = 0
  for _, thread in ipairs(threads) do
    not_redirected = not_redirected + (thread:get("unexpected") or 0)
  end
  io.write(string.format(
    "KK_RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d not_redirected=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, not_redirected))
end
