"""The inbound queue's Lua: each a single atomic step on Redis, whatever the gateways do."""

from backend.infra.ratelimit import BUCKET_TAKE_LUA

# The backlog of every partition (KEYS from `first` on): the bound is on the whole queue.
_BACKLOG_LUA = """
local function backlog(first)
  local n = 0
  for i = first, #KEYS do n = n + redis.call('XLEN', KEYS[i]) end
  return n
end
"""

# The bound check and the append in one step, so concurrent gateways cannot overshoot it.
# KEYS: the room's partition, then every partition. ARGV: max_len, field, payload.
BOUNDED_XADD = (
    _BACKLOG_LUA
    + """
if backlog(2) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])
"""
)


# The sender's rate paid, then the bound checked, then the append: a send's one round trip.
# KEYS: the room's partition, bucket, every partition. ARGV: max_len, field, payload, rate/s,
# burst, now (s).
PAID_XADD = (
    BUCKET_TAKE_LUA
    + _BACKLOG_LUA
    + """
local wait = take(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), 1)
if wait > 0 then return {'wait', tostring(wait)} end
if backlog(3) >= tonumber(ARGV[1]) then return {'full'} end
return {'added', redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])}
"""
)

# The age, by Redis's own clock (gateways' clocks may differ), of the oldest entry that no
# worker has read yet, in each partition: the first one after the group's last-delivered id.
# KEYS: the partitions. ARGV: group. One age (ms) per partition, 0 where there is none.
WAITING_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ages = {}
for i, key in ipairs(KEYS) do
  ages[i] = 0
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', key)
  if ok then
    local last = '0-0'
    for _, g in ipairs(groups) do
      local fields = {}
      for j = 1, #g, 2 do fields[g[j]] = g[j + 1] end
      if fields['name'] == ARGV[1] then last = fields['last-delivered-id'] end
    end
    local first = redis.call('XRANGE', key, '(' .. last, '+', 'COUNT', 1)
    if #first > 0 then
      ages[i] = math.max(0, now - tonumber(string.match(first[1][1], '^(%d+)')))
    end
  end
end
return ages
"""

# Up to ARGV[3] entries for the consumer ARGV[2] of group ARGV[1] from the partitions in KEYS,
# never blocking: each partition's even share first, then whatever is left from any of them.
# Returns {stream, id, payload} triples.
READ_SHARES = """
local group, me, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local share = math.ceil(count / #KEYS)
local out, total = {}, 0
for pass = 1, 2 do
  for _, key in ipairs(KEYS) do
    local want = count - total
    if pass == 1 then want = math.min(want, share) end
    if want <= 0 then return out end
    local reply = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', want, 'STREAMS', key, '>')
    if reply then
      for _, entry in ipairs(reply[1][2]) do
        out[#out + 1] = {key, entry[1], entry[2][2]}
        total = total + 1
      end
    end
  end
end
return out
"""
