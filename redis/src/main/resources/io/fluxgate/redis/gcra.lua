-- GCRA (virtual-scheduling token bucket) shared by every instance that uses this key: the same algorithm, exact
-- fractions and catch-up rule as io.fluxgate.ratelimit.RateLimiter, on the Redis server's clock (microseconds).
-- KEYS[1]  the limiter's state: a hash {w = TAT whole us, f = TAT remainder in 1/permits us, t = throttled 0/1}
-- ARGV[1]  permits per period          ARGV[2] period in us          ARGV[3] burst
-- ARGV[4]  catch-up in us              ARGV[5] max wait in ns, -1 for no limit
-- ARGV[6]  now in us, or '' for the server's TIME (tests pass an explicit time)
-- returns  the wait in ns before the reserved permit is due, or -1 if it is due after max wait (nothing reserved)
local permits = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local catchup = tonumber(ARGV[4])
local maxwait = tonumber(ARGV[5])
local now
if ARGV[6] ~= nil and ARGV[6] ~= '' then
  now = tonumber(ARGV[6])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- exact integers below 2^53 throughout (the client checks period * burst): a % b is exact there
local iw = math.floor(period / permits)
local ifrac = period % permits
local tol = period * (burst - 1)
local tw = math.floor(tol / permits)
local tf = tol % permits

local function cmp(aw, af, bw, bf)
  if aw ~= bw then
    if aw < bw then return -1 else return 1 end
  end
  if af < bf then return -1 elseif af > bf then return 1 else return 0 end
end

-- lower = now - tolerance, as whole us and a remainder in 1/permits us
local lw, lf
if tf > 0 then
  lw = now - tw - 1
  lf = permits - tf
else
  lw = now - tw
  lf = 0
end

local state = redis.call('HMGET', KEYS[1], 'w', 'f', 't')
local sw, sf, throttled
if state[1] then
  sw = tonumber(state[1])
  sf = tonumber(state[2])
  throttled = state[3] == '1'
else
  -- a new (or expired) limiter starts full
  sw = lw
  sf = lf
  throttled = false
end

local reset = false
if cmp(sw, sf, lw, lf) < 0 then
  -- more than burst permits saved up: an idle spell (cap at burst) or a throttled caller coming back late
  reset = not (throttled and maxwait ~= 0 and cmp(sw, sf, lw - catchup, lf) >= 0)
  if reset then
    sw = lw
    sf = lf
  end
end

-- ceil((slot - now) in ns)
local wait = (sw - now) * 1000 + math.floor((sf * 1000 + permits - 1) / permits)
if wait < 0 then
  wait = 0
end
if maxwait >= 0 and wait > maxwait then
  return -1
end

local nw = sw + iw
local nf = sf + ifrac
if nf >= permits then
  nf = nf - permits
  nw = nw + 1
end
throttled = (throttled and not reset) or cmp(sw, sf, now, 0) >= 0
redis.call('HSET', KEYS[1], 'w', string.format('%.0f', nw), 'f', string.format('%.0f', nf), 't',
  throttled and '1' or '0')
-- past tat + tolerance + catch-up the state no longer matters (any call resets it): let Redis drop it then
local ttl = math.floor((nw - now + tw + 2 + catchup) / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
return wait
