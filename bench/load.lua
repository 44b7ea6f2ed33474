-- wrk script for bench/load.py: every request carries a body made for it, so no id or text repeats between requests
-- (the PII scrubber's cache and the catalog see new strings all the time: the cold case). Enum-like values (event
-- type, currency, library name, one of 40 event names) repeat, as they do on any site.
--
--   wrk -s bench/load.lua URL -- events WRITE_KEY     POST /v1/batch, Segment batches of 100 events of ~600 bytes
--   wrk -s bench/load.lua URL -- replay WRITE_KEY     POST /v1/replay/<session>, rrweb chunks of ~60 events
--
-- At the end it prints one JSON line (prefixed "RESULT ") with the counts and latency percentiles, for load.py.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

local mode, write_key, counter = "events", "bench-write-key", 0
sent_bytes, sent_requests, busy, busy_without_retry_after, other_errors = 0, 0, 0, 0, 0
local run_id = ""

local words = {
  "trail", "running", "shoe", "jacket", "merino", "wool", "alpine", "summit", "river", "canyon", "harbour", "meadow",
  "lantern", "compass", "granite", "cedar", "willow", "falcon", "copper", "velvet", "linen", "saddle", "orchard",
  "quartz", "ember", "glacier", "tundra", "prairie", "lagoon", "basalt", "juniper", "thistle", "bramble", "marble",
}
local event_names = {}
for i = 1, 40 do event_names[i] = "Event " .. words[(i % #words) + 1] .. " " .. i end

local function word() return words[math.random(#words)] end
local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end
local function uuid() return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12) end

function init(args)
  mode = args[1] or mode
  write_key = args[2] or write_key
  math.randomseed(thread_id * 1000003 + os.time())
  run_id = hex(6)
end

-- A unique tag for this request: thread, request number, and randomness (several wrk runs share one server).
local function tag() return thread_id .. "x" .. counter .. hex(6) end

local function segment_event(i, t)
  local sku = "sku-" .. t .. "-" .. i
  local slug = word() .. "-" .. word() .. "-" .. t .. i
  return string.format(
    '{"type":"track","event":"%s","messageId":"%s","anonymousId":"%s","userId":"user-%s-%d",' ..
    '"timestamp":"2026-11-27T10:%02d:%02d.%03dZ","properties":{"product_id":"%s","name":"%s %s %s","category":"%s %d",' ..
    '"price":%d.%02d,"currency":"EUR","position":%d,"url":"https://shop.example.com/p/%s?ref=%s"},' ..
    '"context":{"library":{"name":"analytics.js","version":"next-1.84.3"},"page":{"path":"/p/%s",' ..
    '"referrer":"https://shop.example.com/%s","title":"%s %s | Shop %s","url":"https://shop.example.com/p/%s"},' ..
    '"userAgent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/%d.0.%d Safari/537.36","locale":"de-DE",' ..
    '"ip":"203.0.%d.%d"},"integrations":{}}',
    event_names[math.random(#event_names)], uuid(), uuid(), t, i,
    math.random(0, 59), math.random(0, 59), math.random(0, 999), sku, word(), word(), t .. i, word(), i,
    math.random(1, 500), math.random(0, 99), i % 20, slug, word() .. t, slug, word() .. "/" .. t .. i,
    word(), word(), t .. i, slug, math.random(100, 160), math.random(1000, 9999),
    math.random(0, 255), math.random(1, 254))
end

local function events_body(t)
  local events = {}
  for i = 1, 100 do events[i] = segment_event(i, t) end
  return '{"writeKey":"' .. write_key .. '","sentAt":"2026-11-27T10:00:01.000Z","batch":[' ..
    table.concat(events, ",") .. ']}'
end

local function rrweb_event(i, t, ts)
  local kind = i % 4
  if kind == 0 then
    local positions = {}
    for p = 1, 8 do
      positions[p] = string.format('{"x":%d,"y":%d,"id":%d,"timeOffset":%d}', math.random(0, 1400),
        math.random(0, 900), math.random(1, 400), -p * 50)
    end
    return string.format('{"type":3,"data":{"source":1,"positions":[%s]},"timestamp":%d}',
      table.concat(positions, ","), ts)
  elseif kind == 1 then
    return string.format('{"type":3,"data":{"source":2,"type":2,"id":%d,"x":%d,"y":%d},"timestamp":%d}',
      math.random(1, 400), math.random(0, 1400), math.random(0, 900), ts)
  elseif kind == 2 then
    return string.format('{"type":3,"data":{"source":5,"text":"%s %s %s","isChecked":false,"id":%d},"timestamp":%d}',
      word(), word(), t .. i, math.random(1, 400), ts)
  end
  local id = 1000 + i * 3
  return string.format(
    '{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[' ..
    '{"parentId":%d,"nextId":null,"node":{"type":2,"tagName":"div","attributes":{"class":"card %s-%s"},' ..
    '"childNodes":[],"id":%d}},{"parentId":%d,"nextId":null,"node":{"type":3,"textContent":"%s %s %s for %d.%02d EUR",' ..
    '"id":%d}}]},"timestamp":%d}',
    math.random(1, 400), word(), t .. i, id, id, word(), word(), t .. i, math.random(1, 500), math.random(0, 99),
    id + 1, ts)
end

local function replay_body(t)
  local events, ts = {}, 1795786653000 + counter * 2000
  for i = 1, 60 do events[i] = rrweb_event(i, t, ts + i * 30) end
  return '{"writeKey":"' .. write_key .. '","events":[' .. table.concat(events, ",") .. ']}'
end

function request()
  counter = counter + 1
  local t = tag()
  local body, path
  if mode == "replay" then
    -- a session sends a chunk every 2 s; a connection stands for one visitor at a time, 10 chunks each
    path = "/v1/replay/s" .. thread_id .. "-" .. run_id .. "-" .. math.floor(counter / 10)
    body = replay_body(t)
  else
    path = "/v1/batch"
    body = events_body(t)
  end
  sent_bytes = sent_bytes + #body
  sent_requests = sent_requests + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

-- 503 and 429 are the gateway saying "busy, retry": counted apart, and whether they carry Retry-After.
function response(status, headers, body)
  if status == 503 or status == 429 then
    busy = busy + 1
    if headers["Retry-After"] == nil and headers["retry-after"] == nil then
      busy_without_retry_after = busy_without_retry_after + 1
    end
  elseif status >= 300 then
    other_errors = other_errors + 1
  end
end

function done(summary, latency, requests)
  local totals = {sent_bytes = 0, sent_requests = 0, busy = 0, busy_without_retry_after = 0, other_errors = 0}
  for _, thread in ipairs(threads) do
    for name, value in pairs(totals) do totals[name] = value + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"sent_bytes":%d,"sent_requests":%d,' ..
    '"busy":%d,"busy_without_retry_after":%d,"other_errors":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, totals.sent_bytes, totals.sent_requests,
    totals.busy, totals.busy_without_retry_after, totals.other_errors))
end
