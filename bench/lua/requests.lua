-- wrk script for the suite's benchmark: cycle through the requests in $BENCH_SPEC.
-- Spec lines: METHOD<TAB>PATH<TAB>BODY; header lines in $BENCH_HEADERS ("Name: value").
-- Placeholders: {tid} thread number, {n} a per-thread counter, {rev} the thread's base
-- revision ($BENCH_REV_START plus the thread's successful saves: one connection per thread).
-- At the end one line "BENCHJSON {...}" carries the figures for the runner.

local threads = {}
local counter = 0

local function read_lines(path)
  local out = {}
  if path == nil or path == "" then return out end
  for line in io.lines(path) do
    if line ~= "" then table.insert(out, line) end
  end
  return out
end

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  specs = {}
  for _, line in ipairs(read_lines(os.getenv("BENCH_SPEC"))) do
    local method, path, body = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
    table.insert(specs, {method = method, path = path, body = body})
  end
  hdrs = {}
  for _, line in ipairs(read_lines(os.getenv("BENCH_HEADERS"))) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    hdrs[name] = value
  end
  rev = tonumber(os.getenv("BENCH_REV_START") or "1")
  n, i, saved, failed = 0, 0, 0, 0
end

local function fill(text)
  text = text:gsub("{tid}", tostring(tid))
  text = text:gsub("{n}", tostring(n))
  return (text:gsub("{rev}", tostring(rev)))
end

function request()
  i = i % #specs + 1
  n = n + 1
  local spec = specs[i]
  local body = nil
  if spec.body ~= "" then body = fill(spec.body) end
  return wrk.format(spec.method, fill(spec.path), hdrs, body)
end

function response(status, headers, body)
  if status == 302 or status == 303 or status == 201 then
    saved = saved + 1
    rev = rev + 1
  elseif status >= 400 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local acked = 0
  for _, thread in ipairs(threads) do
    acked = acked + (thread:get("saved") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, ' ..
    '"errors_timeout": %d, "redirects": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, acked))
end
