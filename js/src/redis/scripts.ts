// The Redis fleet's four operations, each one Lua script, so that each is one
// round trip and atomic (Redis runs a script with nothing else in between).
// The fleet's clock is the server's TIME, read in the script: members exchange
// no times of their own.
//
// Keys, all under the prefix `edgebreaker:{<name>}:` (the braces put a fleet's
// keys in one Redis Cluster slot; the phase key is the one declared):
//   phase                      hash: record (the phase text), version, state, generation, since (TIME at the write)
//   seq                        counter whose value makes each write's version
//   window:<generation>:<b>    hash s / f: outcomes reported while closed, bucket b = floor(TIME / (windowMs / 10))
//   pace:<b>                   the periodMs of the syncs in 100 ms bucket b (ten make the last second)
//   leases:<version>           sorted set: the leases granted in that phase, scored by their expiry
//   lease-ids                  counter of lease ids (never reused while the fleet's keys live)
//   probes:<version>           probe successes settled in that phase
// Every key expires: window and pace buckets after their span, the rest after
// KEEP_MS without a sync (each sync renews the phase and the counters), so an
// abandoned fleet leaves nothing behind. A fleet whose keys expired is a fleet
// with no phase stored, which its members re-seed from what they last knew.
//
// A view, as every script ends, is an array:
//   record | nil, version | nil, elapsedMs, successes, failures, syncPeriods, leasesLive, leaseExpired (0 | 1),
//   spoilt | nil
// Every stored number is checked before it is used: a key that holds
// something else fails the script with an error naming the key, except the
// phase itself, whose unreadable fields (or a phase key of another type) are
// answered as `spoilt`, what is wrong, so that a member refuses it and writes
// the phase over it (a transition replaces the key whole).

/** How long a fleet's keys outlive its last sync, transition, lease or settle: a day. */
export const KEEP_MS = 86_400_000;

/** Shared by every script. ARGV[1..5]: prefix, windowMs, maxLeases, probeTimeoutMs, KEEP_MS. */
const PRELUDE = `
local prefix = ARGV[1]
local windowMs = tonumber(ARGV[2])
local maxLeases = tonumber(ARGV[3])
local probeTimeoutMs = tonumber(ARGV[4])
local keepMs = ARGV[5]
local phaseKey = KEYS[1]

local function int(n) return string.format('%.0f', n) end

-- redis.call, with an error that names the key (WRONGTYPE and the like say nothing of which).
local function on(command, key, ...)
  local reply = redis.pcall(command, key, ...)
  if type(reply) == 'table' and reply.err then error({err = 'edgebreaker: ' .. key .. ': ' .. reply.err}) end
  return reply
end

-- A stored count or time: a whole number >= 0, or (absent) 0; else nil and what is wrong.
local function readWhole(key, value)
  if not value then return 0 end
  local n = tonumber(value)
  if n == nil or n < 0 or n ~= math.floor(n) or n > 9007199254740991 then
    return nil, 'edgebreaker: ' .. key .. ' holds ' .. string.format('%q', string.sub(value, 1, 40)) .. ', not a whole number >= 0'
  end
  return n
end

-- The same, failing the script when it is not one.
local function whole(key, value)
  local n, wrong = readWhole(key, value)
  if n == nil then error({err = wrong}) end
  return n
end

local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function windowKey(generation, bucket) return prefix .. 'window:' .. int(generation) .. ':' .. int(bucket) end
local function windowBucket(at) return math.floor(at / (windowMs / 10)) end
local function paceBucket(at) return math.floor(at / 100) end

-- The stored phase (false where a field is missing: a nil would cut a reply short); one that cannot be
-- read is spoilt, and a phase key of another type has no version (a transition from none replaces it).
local function phase()
  local stored = redis.pcall('HMGET', phaseKey, 'record', 'version', 'state', 'generation', 'since')
  if type(stored) == 'table' and stored.err then
    return { record = false, version = false, generation = 0, spoilt = 'edgebreaker: ' .. phaseKey .. ': ' .. stored.err }
  end
  local generation, wrongGeneration = readWhole(phaseKey .. ' generation', stored[4])
  local since, wrongSince = readWhole(phaseKey .. ' since', stored[5])
  local wrong = wrongGeneration or wrongSince
  if wrong then return { record = false, version = stored[2], generation = 0, spoilt = wrong } end
  return { record = stored[1], version = stored[2], state = stored[3], generation = generation, since = stored[5] and since }
end

local function view(at)
  local p = phase()
  local elapsed = 0
  if p.since then elapsed = math.max(0, at - p.since) end
  local successes, failures = 0, 0
  local last = windowBucket(at)
  for bucket = last - 9, last do
    local key = windowKey(p.generation, bucket)
    local counts = on('HMGET', key, 's', 'f')
    successes = successes + whole(key .. ' s', counts[1])
    failures = failures + whole(key .. ' f', counts[2])
  end
  local periods = 0
  local lastPace = paceBucket(at)
  for bucket = lastPace - 9, lastPace do
    local key = prefix .. 'pace:' .. int(bucket)
    periods = periods + whole(key, on('GET', key))
  end
  local live, expired = 0, 0
  if p.version then
    local leases = prefix .. 'leases:' .. p.version
    live = on('ZCOUNT', leases, '(' .. int(at), '+inf')
    expired = on('ZCOUNT', leases, '-inf', int(at))
  end
  return { p.record, p.version, elapsed, successes, failures, periods, live, expired > 0 and 1 or 0, p.spoilt or false }
end
`;

/** ARGV[6..8]: successes, failures, periodMs. Counts the report while closed (or none stored: generation 0), and the sync. */
const SYNC = `${PRELUDE}
local at = now()
local p = phase()
local successes, failures = tonumber(ARGV[6]), tonumber(ARGV[7])
if (not p.state or p.state == 'closed') and (successes > 0 or failures > 0) then
  local key = windowKey(p.generation, windowBucket(at))
  if successes > 0 then on('HINCRBY', key, 's', successes) end
  if failures > 0 then on('HINCRBY', key, 'f', failures) end
  on('PEXPIRE', key, int(2 * windowMs))
end
local pace = prefix .. 'pace:' .. int(paceBucket(at))
on('INCRBY', pace, ARGV[8])
on('PEXPIRE', pace, 2000)
for _, key in ipairs({ phaseKey, prefix .. 'seq', prefix .. 'lease-ids' }) do on('PEXPIRE', key, keepMs) end
return view(at)
`;

/** ARGV[6..9]: the expected version ('' for none stored), the record, its state, its generation. Compare-and-set. */
const TRANSITION = `${PRELUDE}
local at = now()
local stored = phase().version
if (ARGV[6] == '' and not stored) or stored == ARGV[6] then
  local seqKey = prefix .. 'seq'
  local version = int(on('INCR', seqKey)) .. '-' .. int(at)
  on('PEXPIRE', seqKey, keepMs)
  on('DEL', phaseKey)
  on('HSET', phaseKey, 'record', ARGV[7], 'version', version, 'state', ARGV[8], 'generation', ARGV[9], 'since', int(at))
  on('PEXPIRE', phaseKey, keepMs)
end
return view(at)
`;

/** ARGV[6]: the version. A lease if that phase is still stored, half_open, with room and no lease expired. Then the view. */
const LEASE = `${PRELUDE}
local at = now()
local stored = phase()
local lease = false
if not stored.spoilt and stored.version == ARGV[6] and stored.state == 'half_open' then
  local leases = prefix .. 'leases:' .. ARGV[6]
  local live = on('ZCOUNT', leases, '(' .. int(at), '+inf')
  local expired = on('ZCOUNT', leases, '-inf', int(at))
  if expired == 0 and live < maxLeases then
    local idsKey = prefix .. 'lease-ids'
    lease = on('INCR', idsKey)
    on('PEXPIRE', idsKey, keepMs)
    on('ZADD', leases, int(at + probeTimeoutMs), int(lease))
    on('PEXPIRE', leases, keepMs)
  end
end
local answer = view(at)
table.insert(answer, 1, lease)
return answer
`;

/**
 * ARGV[6..8]: the version, the lease, 1 for a success (else 0). Removes the lease if live (an expired one
 * stays, so the phase keeps saying a probe failed); counts a live success. Then live, the probe successes, the view.
 */
const SETTLE = `${PRELUDE}
local at = now()
local leases = prefix .. 'leases:' .. ARGV[6]
local probes = prefix .. 'probes:' .. ARGV[6]
local score = on('ZSCORE', leases, ARGV[7])
local live = score and tonumber(score) > at
if live then
  on('ZREM', leases, ARGV[7])
  if ARGV[8] == '1' then
    on('INCR', probes)
    on('PEXPIRE', probes, keepMs)
  end
end
local answer = view(at)
table.insert(answer, 1, whole(probes, on('GET', probes)))
table.insert(answer, 1, live and 1 or 0)
return answer
`;

/** Each operation's script text. */
export const scripts = { sync: SYNC, transition: TRANSITION, lease: LEASE, settle: SETTLE } as const;
export type ScriptName = keyof typeof scripts;
