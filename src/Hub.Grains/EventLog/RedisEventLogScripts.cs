namespace Hub.Grains.EventLog;

/// <summary>
/// The Lua scripts behind <see cref="RedisEventLog"/>. Redis runs a script atomically, so checking a
/// topic's epoch and head, adding its events and trimming happen as one step no other writer can
/// interleave with. Every script gets the topic's six keys (<see cref="RedisKeys"/>): KEYS[1] its meta hash,
/// KEYS[2] its event stream, KEYS[3] its idempotency keys and KEYS[4] their order, KEYS[5] its state (the
/// latest event per event key) and KEYS[6] the state's order.
/// </summary>
internal static class RedisEventLogScripts
{
    /// <summary>
    /// Shared functions. Sequences are Lua numbers (doubles): exact up to 2^53, which no topic reaches;
    /// they are formatted with <c>%d</c> because Lua's default number format turns 1e14 into "1e+14".
    /// <list type="bullet">
    /// <item><c>open</c> (appends only; ARGV[1] a fresh epoch, ARGV[2] and ARGV[3] the writer's expected
    /// epoch and head) reads the epoch and head. When the meta is missing (a new topic, an expired one, or
    /// its Redis data was lost) a writer expecting head 0 starts a new life of the topic in the epoch it
    /// expects — it read the topic while it had no life, and reads answer a fresh epoch without storing
    /// it — and any orphaned stream is deleted: its events belong to a lost epoch, and its last ID would
    /// refuse new ones. A writer expecting a later head is stale: it is answered the fresh epoch at head 0
    /// (and refused) without a write. Returns epoch, head and 0 (existed or not created), 1 (created) or 2
    /// (created, orphaned events dropped).</item>
    /// <item><c>expire</c> lets a topic's keys expire once its newest event would have aged out (its meta
    /// not before its idempotency records), so a topic nobody publishes to any more leaves nothing behind.</item>
    /// <item><c>trim</c> applies retention and returns the oldest retained sequence (head + 1 when none).
    /// By count: everything below head - max + 1. By age: entries are consecutive and their times never
    /// decrease (<see cref="Append"/> makes sure), so a binary search over sequences finds the first
    /// young entry in O(log n) lookups, however many expired since the last call.</item>
    /// <item><c>add</c> stores one event, and when it has an event key also makes it that key's latest
    /// (<c>bound</c> then drops the keys whose latest events are oldest beyond the maximum), in the same
    /// script as the append: state and log never disagree.</item>
    /// <item><c>stamp</c> returns the time to store new events with: the given one, or the newest
    /// event's when that is later, so times never decrease within a topic.</item>
    /// </list>
    /// </summary>
    private const string Functions = """
        local function id(seq) return string.format('%d-0', seq) end
        local function seqof(entry) return tonumber(string.match(entry[1], '^(%d+)-')) end
        local function timeof(entry)
          local f = entry[2]
          for i = 1, #f, 2 do
            if f[i] == 't' then return tonumber(f[i + 1]) end
          end
          return 0
        end
        local function open()
          local m = redis.call('HMGET', KEYS[1], 'epoch', 'head')
          if m[1] then return m[1], tonumber(m[2]), 0 end
          if tonumber(ARGV[3]) ~= 0 then return ARGV[1], 0, 0 end
          local orphaned = redis.call('DEL', KEYS[2])
          -- A state without its meta belongs to a lost epoch, as the orphaned events do.
          redis.call('DEL', KEYS[5], KEYS[6])
          redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'head', 0)
          return ARGV[2], 0, 1 + orphaned
        end
        local function expire(t, cutoff)
          -- The topic's whole life (its state too) ends when nothing was published for the retention age,
          -- and no idempotency record is within its window: the meta (epoch and head) lives as long as the
          -- records do, so a retry within the window finds its record in the epoch it was made in.
          local ttl = math.max(t - cutoff, 1000)
          redis.call('PEXPIRE', KEYS[1], math.max(ttl, redis.call('PTTL', KEYS[3])))
          redis.call('PEXPIRE', KEYS[2], ttl)
          redis.call('PEXPIRE', KEYS[5], ttl)
          redis.call('PEXPIRE', KEYS[6], ttl)
        end
        local function add(seq, t, y, d, k)
          local ts = string.format('%d', t)
          if k == '' then
            redis.call('XADD', KEYS[2], id(seq), 't', ts, 'y', y, 'd', d)
            return
          end
          redis.call('XADD', KEYS[2], id(seq), 't', ts, 'y', y, 'd', d, 'k', k)
          redis.call('HSET', KEYS[5], k, string.format('%d %s %s ', seq, ts, y) .. d)
          redis.call('ZADD', KEYS[6], seq, k)
        end
        local function bound(max)
          local over = redis.call('ZCARD', KEYS[6]) - max
          if over > 0 then
            local popped = redis.call('ZPOPMIN', KEYS[6], over)
            for i = 1, #popped, 2 do redis.call('HDEL', KEYS[5], popped[i]) end
          end
        end
        local function stamp(t)
          local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
          if newest and timeof(newest) > t then return timeof(newest) end
          return t
        end
        local function trim(head, max, cutoff)
          if head - max >= 1 then redis.call('XTRIM', KEYS[2], 'MINID', id(head - max + 1)) end
          local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
          if not first then return head + 1 end
          if timeof(first) >= cutoff then return seqof(first) end
          local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
          if timeof(last) < cutoff then
            redis.call('XTRIM', KEYS[2], 'MINID', id(seqof(last) + 1))
            return head + 1
          end
          -- Invariant: lo is expired, hi is young.
          local lo, hi = seqof(first), seqof(last)
          while hi - lo > 1 do
            local mid = math.floor((lo + hi) / 2)
            local e = redis.call('XRANGE', KEYS[2], id(mid), id(mid))[1]
            if e == nil or timeof(e) < cutoff then lo = mid else hi = mid end
          end
          redis.call('XTRIM', KEYS[2], 'MINID', id(hi))
          return hi
        end

        """;

    /// <summary>
    /// ARGV: candidate epoch, expected epoch, expected head, time (Unix ms), max events, age cutoff
    /// (Unix ms), max state keys, then type, data and event key ('' for none) of each event. Returns <c>{1, epoch, head, oldest, created, time}</c>,
    /// or <c>{0, epoch, head, 0, created}</c> without writing an event when epoch or head differ from the
    /// expected ones. The check comes before the first XADD, so a refused append stores nothing. The
    /// stored time is never before the newest event's: a writer whose clock runs behind its predecessor's
    /// (a failover to a silo with a slower clock) cannot break the order <c>trim</c> relies on.
    /// </summary>
    public const string Append = Functions + """
        local epoch, head, created = open()
        if epoch ~= ARGV[2] or head ~= tonumber(ARGV[3]) then return {0, epoch, head, 0, created} end
        local t = stamp(tonumber(ARGV[4]))
        local n = (#ARGV - 7) / 3
        for i = 1, n do
          add(head + i, t, ARGV[5 + 3 * i], ARGV[6 + 3 * i], ARGV[7 + 3 * i])
        end
        head = head + n
        redis.call('HSET', KEYS[1], 'head', head)
        bound(tonumber(ARGV[7]))
        local oldest = trim(head, tonumber(ARGV[5]), tonumber(ARGV[6]))
        expire(t, tonumber(ARGV[6]))
        return {1, epoch, head, oldest, created, t}
        """;

    /// <summary>
    /// <see cref="Append"/> with idempotency keys. ARGV: candidate epoch, expected epoch, expected head,
    /// time (Unix ms), max events, age cutoff (Unix ms), key cutoff (Unix ms: older records are
    /// forgotten), max keys, key lifetime (ms), number of claims, max state keys, then count, key ('' for
    /// none) and fingerprint of each claim, then type, data and event key ('' for none) of each event. A claim whose key has a record of
    /// this epoch no older than the cutoff adds nothing and answers that record; the others add their
    /// events and record their key in the same script, so events and key are stored together or not
    /// at all (and lost together, should Redis lose its last writes). Returns
    /// <c>{1, epoch, head, oldest, created, time, replays}</c>, replays holding per claim the record's
    /// value or '' where the claim's events were added; or <c>{0, epoch, head, 0, created}</c> without
    /// writing when epoch or head differ from the expected ones.
    /// </summary>
    public const string AppendIdempotent = Functions + """
        local function forget(cutoff, max, lifetime)
          local bound = '(' .. string.format('%d', cutoff)
          local old = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', bound)
          for i = 1, #old do redis.call('HDEL', KEYS[3], old[i]) end
          if #old > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', bound) end
          local over = redis.call('ZCARD', KEYS[4]) - max
          if over > 0 then
            local popped = redis.call('ZPOPMIN', KEYS[4], over)
            for i = 1, #popped, 2 do redis.call('HDEL', KEYS[3], popped[i]) end
          end
          -- A topic whose publishers stop sending keys does not keep its records forever.
          redis.call('PEXPIRE', KEYS[3], lifetime)
          redis.call('PEXPIRE', KEYS[4], lifetime)
        end
        local epoch, head, created = open()
        if epoch ~= ARGV[2] or head ~= tonumber(ARGV[3]) then return {0, epoch, head, 0, created} end
        local t = stamp(tonumber(ARGV[4]))
        local cutoff = tonumber(ARGV[7])
        local claims = tonumber(ARGV[10])
        local d = 12 + 3 * claims
        local replays = {}
        local recorded = false
        for c = 1, claims do
          local at = 9 + 3 * c
          local count, key, fingerprint = tonumber(ARGV[at]), ARGV[at + 1], ARGV[at + 2]
          local known = false
          if key ~= '' then
            local v = redis.call('HGET', KEYS[3], key)
            if v then
              local _, e, _, _, kt = string.match(v, '^(%S*) (%S+) (%d+) (%d+) (%d+)$')
              if e == epoch and tonumber(kt) >= cutoff then known = v end
            end
          end
          if known then
            replays[c] = known
            d = d + 3 * count
          else
            for i = 1, count do
              head = head + 1
              add(head, t, ARGV[d], ARGV[d + 1], ARGV[d + 2])
              d = d + 3
            end
            if key ~= '' then
              redis.call('HSET', KEYS[3], key, string.format('%s %s %d %d %d', fingerprint, epoch, head - count + 1, count, t))
              redis.call('ZADD', KEYS[4], t, key)
              recorded = true
            end
            replays[c] = ''
          end
        end
        redis.call('HSET', KEYS[1], 'head', head)
        bound(tonumber(ARGV[11]))
        local oldest = trim(head, tonumber(ARGV[5]), tonumber(ARGV[6]))
        if recorded then forget(cutoff, tonumber(ARGV[8]), ARGV[9]) end
        expire(t, tonumber(ARGV[6]))
        return {1, epoch, head, oldest, created, t, replays}
        """;

    /// <summary>
    /// ARGV: the lost epoch. Deletes the topic's meta, events, idempotency records and state when it is
    /// still in that epoch, so the next append opens a new life of the topic (<c>open</c>) in a fresh
    /// epoch: a writer that reads after the renewal expects that epoch at head 0. Returns 1 when it
    /// deleted, else 0.
    /// </summary>
    public const string Renew = """
        if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
        return 1
        """;

    /// <summary>
    /// ARGV: candidate epoch, max events, age cutoff (Unix ms), after sequence, limit (0: state only).
    /// Returns <c>{epoch, head, oldest, 0, entries}</c>, entries as XRANGE gives them. Retention is
    /// applied first, so a read never returns an event past it even when no append has trimmed lately. A
    /// topic without meta is answered with the candidate epoch at head 0 and nothing is written: reading
    /// any number of names nobody publishes leaves no key behind.
    /// </summary>
    public const string Read = Functions + """
        local m = redis.call('HMGET', KEYS[1], 'epoch', 'head')
        if not m[1] then return {ARGV[1], 0, 1, 0, {}} end
        local epoch, head = m[1], tonumber(m[2])
        local oldest = trim(head, tonumber(ARGV[2]), tonumber(ARGV[3]))
        local limit = tonumber(ARGV[5])
        local entries = {}
        local from = math.max(tonumber(ARGV[4]) + 1, oldest)
        if limit > 0 and from <= head then
          entries = redis.call('XRANGE', KEYS[2], id(from), '+', 'COUNT', limit)
        end
        return {epoch, head, oldest, 0, entries}
        """;

    /// <summary>
    /// ARGV: candidate epoch, max events, age cutoff (Unix ms). Returns <c>{epoch, head, oldest, 0,
    /// state}</c>, state as HGETALL gives it (event key, value, …; the caller orders it by sequence), read in
    /// the same step as the head, so a reader continuing after that head misses nothing. Like
    /// <see cref="Read"/>, a topic without meta is answered with the candidate epoch at head 0 and an
    /// empty state, and nothing is written.
    /// </summary>
    public const string ReadState = Functions + """
        local m = redis.call('HMGET', KEYS[1], 'epoch', 'head')
        if not m[1] then return {ARGV[1], 0, 1, 0, {}} end
        local epoch, head = m[1], tonumber(m[2])
        local oldest = trim(head, tonumber(ARGV[2]), tonumber(ARGV[3]))
        return {epoch, head, oldest, 0, redis.call('HGETALL', KEYS[5])}
        """;
}
