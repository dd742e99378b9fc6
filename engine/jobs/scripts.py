"""The Lua scripts behind every change of a job record.

Each change is one script run: Redis executes it atomically, so a condition and
the write it guards can never be split by another writer. Time judgements (is
the heartbeat stale, is the deadline past, how long has a job sat between
dequeue and start) are made here too, on the Redis server's own clock (`TIME`),
so hosts whose clocks disagree still judge alike. The timestamps a change writes
(`updatedAt`, and the fields the caller marks `engine.clock.NOW`) are that same
time. A `pinned` argument other than '' stands in for `TIME` (tests move time by hand).
"""

from __future__ import annotations

# Seconds since the epoch of an ISO 8601 UTC time as `engine.clock.iso` writes it
# (2025-12-06T10:30:00.123Z), the server's time, and that time as such text. Days from
# and to the civil date: Howard Hinnant's algorithms.
_EPOCH_LUA = """
local function epoch(text)
  if type(text) ~= 'string' then return nil end
  local y, m, d, hh, mm, ss = string.match(text, '^(%d+)-(%d+)-(%d+)T(%d+):(%d+):([%d%.]+)Z$')
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return (era * 146097 + doe - 719468) * 86400 + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
end

-- The Redis server's time (or the pinned one, when not ''), as epoch seconds and as ISO text.
local function server_time(pinned)
  local sec, usec
  if pinned ~= nil and pinned ~= '' then
    local p = tonumber(pinned)
    sec = math.floor(p)
    usec = math.floor((p - sec) * 1000000 + 0.5)
  else
    local t = redis.call('TIME')
    sec, usec = tonumber(t[1]), tonumber(t[2])
  end
  return sec + usec / 1000000, sec, usec
end

local function iso(sec, usec)
  local days = math.floor(sec / 86400)
  local rem = sec - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)
  yoe = math.floor(yoe / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(rem / 3600),
    math.floor((rem % 3600) / 60), rem % 60, math.floor(usec / 1000))
end
"""

# KEYS: record, active set, unsealed set, metrics hash, limbo zset.
# ARGV: conditions (JSON), patch (JSON), job id, fields to stamp with the server's time
# (JSON list; `updatedAt` always is), op id, pinned time ('' : the server's `TIME`).
# Conditions: `status` (allowed list), and optionally `token` (the holder's token, or
# null: nobody holds it), `attempt`, `stale` ({fields, s}: the first present time field is
# older than s), `pastDeadline` (s after timeoutAt), `beforeDeadline`, `limbo` (s: the job
# has sat between dequeue and start longer than that).
# Returns {won, record JSON or false, reason}. A change that already happened with this op
# id (a retried command whose first reply was lost) is reported as won again.
CHANGE = (
    _EPOCH_LUA
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then return {0, false, 'missing'} end
local rec = cjson.decode(raw)
local cond = cjson.decode(ARGV[1])
if rec['op'] == ARGV[5] then return {1, raw, 'replay'} end
local now, sec, usec = server_time(ARGV[6])

local function failed()
  local allowed = false
  for _, s in ipairs(cond['status']) do
    if rec['status'] == s then allowed = true end
  end
  if not allowed then return 'status' end
  if cond['token'] ~= nil then
    local held = rec['token']
    if held == nil then held = cjson.null end
    if held ~= cond['token'] then return 'token' end
  end
  if cond['attempt'] ~= nil and (rec['attempt'] or 1) ~= cond['attempt'] then return 'attempt' end
  if cond['stale'] ~= nil then
    local since = nil
    for _, f in ipairs(cond['stale']['fields']) do
      if since == nil then since = epoch(rec[f]) end
    end
    if since == nil or now - since <= cond['stale']['s'] then return 'fresh' end
  end
  local deadline = epoch(rec['timeoutAt'])
  if cond['pastDeadline'] ~= nil and (deadline == nil or now < deadline + cond['pastDeadline']) then
    return 'deadline'
  end
  if cond['beforeDeadline'] and deadline ~= nil and now >= deadline then return 'deadline' end
  if cond['limbo'] ~= nil then
    local seen = redis.call('ZSCORE', KEYS[5], ARGV[3])
    if not seen or now - tonumber(seen) <= cond['limbo'] then return 'limbo' end
  end
  return nil
end

local reason = failed()
if reason then return {0, raw, reason} end
for k, v in pairs(cjson.decode(ARGV[2])) do rec[k] = v end
local stamp = iso(sec, usec)
for _, f in ipairs(cjson.decode(ARGV[4])) do rec[f] = stamp end
rec['updatedAt'] = stamp
rec['op'] = ARGV[5]
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out, 'KEEPTTL')
local st = rec['status']
if st == 'completed' or st == 'failed' or st == 'cancelled' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  local code = rec['error']
  if type(code) ~= 'string' then code = '' end
  redis.call('HINCRBY', KEYS[4], 'jobs_finished_total|error=' .. code .. '|status=' .. st, 1)
end
if st ~= 'submitted' then redis.call('ZREM', KEYS[5], ARGV[3]) end
return {1, out, 'ok'}
"""
)

# KEYS: RQ's intermediate list, the limbo zset. ARGV: pinned time ('': the server's).
# Every job in the intermediate list (popped by a worker, not yet started by a horse)
# gets the time it was first seen there; jobs that left the list are forgotten.
# Returns the ids in the list.
LIMBO = (
    _EPOCH_LUA
    + """
local now = server_time(ARGV[1])
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local present = {}
for _, id in ipairs(ids) do
  present[id] = true
  redis.call('ZADD', KEYS[2], 'NX', now, id)
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if not present[id] then redis.call('ZREM', KEYS[2], id) end
end
return ids
"""
)

# KEYS: the jobs index, the active set, the unsealed set, the limbo zset, the purging zset.
# ARGV: pinned time ('': the server's), retention (s), batch size, then the key prefixes of
# records, owner indexes, RQ's job hashes and RQ's result streams.
# Removes up to `batch` ended jobs created before now - retention: their records and
# every index entry in one step, and notes them in the purging set until their files are
# gone too (so a crash in between leaves a note, never a record without its files).
# Returns the removed ids.
PURGE = (
    _EPOCH_LUA
    + """
local now = server_time(ARGV[1])
local cutoff = now - tonumber(ARGV[2])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[3]))
local removed = {}
for _, id in ipairs(old) do
  local key = ARGV[4] .. id
  local raw = redis.call('GET', key)
  local rec = raw and cjson.decode(raw) or nil
  local st = rec and rec['status'] or nil
  if rec == nil or st == 'completed' or st == 'failed' or st == 'cancelled' then
    redis.call('ZADD', KEYS[5], now, id)
    redis.call('DEL', key, ARGV[6] .. id, ARGV[7] .. id)
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZREM', KEYS[4], id)
    local owner = rec and rec['owner'] or nil
    if type(owner) == 'string' then redis.call('ZREM', ARGV[5] .. owner, id) end
    table.insert(removed, id)
  end
end
return removed
"""
)
