using System.Globalization;
using Hub.Grains.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hub.Grains.EventLog;

/// <summary>
/// The event log in Redis, for a scaled cluster: per topic a stream of its retained events, with entry
/// IDs <c>{sequence}-0</c> so a read after a sequence is one XRANGE, and a small meta hash with the
/// topic's epoch and head (see <see cref="RedisKeys"/>). Appends, the head check and retention run in one
/// Lua script (<see cref="RedisEventLogScripts"/>), so a stale duplicate writer is refused rather than
/// storing a second event under a taken sequence. Every call waits for Redis' answer: an append that
/// returns is in Redis.
/// </summary>
/// <remarks>
/// Event times are kept to the millisecond, and never before the topic's newest event; the events an
/// append returns carry the stored time, so they equal what later reads return. When a topic's meta is gone (a new topic, an
/// expired one, or Redis lost its data) reads answer a fresh epoch at head 0 without writing anything, and the next
/// append starts a new life at head 0 (in the epoch its writer read), which turns every older cursor into a reset.
/// A position at sequence 0 follows a topic into any epoch (nothing was delivered), so a subscriber that joined before
/// the first publish is not reset by it. A topic's keys expire once its newest event is older than the retention age:
/// names published once and abandoned do not stay in Redis.
/// </remarks>
public sealed partial class RedisEventLog(
    IConnectionMultiplexer redis,
    string keyPrefix,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RedisEventLog> logger,
    IOptions<TopicStateOptions>? stateOptions = null) : IEventLog
{
    private readonly RetentionOptions _retention = options.Value;
    private readonly int _maxKeys = (stateOptions?.Value ?? new TopicStateOptions()).MaxKeys;

    /// <summary>Redis stream IDs and Lua numbers are exact only up to 2^53; sequences never get there.</summary>
    private const long MaxSequence = 1L << 53;

    public async Task<TopicInfo> GetInfoAsync(string topic, CancellationToken cancellationToken = default) =>
        (await ReadAsync(topic, 0, 0, cancellationToken)).Info;

    public async Task<TopicInfo> RenewEpochAsync(string topic, string lostEpoch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(lostEpoch);
        await EvaluateAsync(RedisEventLogScripts.Renew, topic, [lostEpoch]);
        return await GetInfoAsync(topic, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<TopicEvent>> AppendAsync(
        string topic, string expectedEpoch, long expectedHead, IReadOnlyList<EventDraft> drafts,
        DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        ArgumentNullException.ThrowIfNull(drafts);
        // Only before sending: once the script is on its way its outcome is Redis', and abandoning the
        // wait would turn a stored event into one the caller believes failed.
        cancellationToken.ThrowIfCancellationRequested();

        var args = new RedisValue[7 + 3 * drafts.Count];
        args[0] = Epochs.New();
        args[1] = expectedEpoch;
        args[2] = expectedHead;
        args[3] = time.ToUnixTimeMilliseconds();
        args[4] = _retention.MaxEventsFor(topic);
        args[5] = AgeCutoff(topic);
        args[6] = _maxKeys;
        PutDrafts(args, 7, drafts);

        var result = (RedisResult[])(await EvaluateAsync(RedisEventLogScripts.Append, topic, args))!;
        var epoch = (string)result[1]!;
        var head = (long)result[2];
        NoteCreated(topic, epoch, (int)result[4]);
        if ((int)result[0] == 0)
            throw new SequenceConflictException(
                $"Topic '{topic}' is at {epoch}/{head}, the writer expected {expectedEpoch}/{expectedHead}.");

        // The script may have moved the time forward to keep the topic's times in order.
        var stamp = DateTimeOffset.FromUnixTimeMilliseconds((long)result[5]);
        var appended = new TopicEvent[drafts.Count];
        for (var i = 0; i < drafts.Count; i++)
            appended[i] = new TopicEvent(topic, epoch, expectedHead + 1 + i, drafts[i].Type, drafts[i].Data, stamp, drafts[i].Key);
        return appended;
    }

    public async Task<IdempotentAppend> AppendIdempotentAsync(
        string topic, string expectedEpoch, long expectedHead, IReadOnlyList<EventDraft> drafts,
        IReadOnlyList<AppendClaim> claims, IdempotencyWindow window, DateTimeOffset time,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        ArgumentNullException.ThrowIfNull(drafts);
        ArgumentNullException.ThrowIfNull(claims);
        AppendClaims.CheckCover(claims, drafts.Count);
        // As in AppendAsync: never abandoned once sent.
        cancellationToken.ThrowIfCancellationRequested();

        var firstDraft = 11 + 3 * claims.Count;
        var args = new RedisValue[firstDraft + 3 * drafts.Count];
        args[0] = Epochs.New();
        args[1] = expectedEpoch;
        args[2] = expectedHead;
        args[3] = time.ToUnixTimeMilliseconds();
        args[4] = _retention.MaxEventsFor(topic);
        args[5] = AgeCutoff(topic);
        args[6] = (time - window.Duration).ToUnixTimeMilliseconds();
        args[7] = window.MaxKeys;
        args[8] = (long)Math.Ceiling(window.Duration.TotalMilliseconds);
        args[9] = claims.Count;
        args[10] = _maxKeys;
        for (var i = 0; i < claims.Count; i++)
        {
            args[11 + 3 * i] = claims[i].Count;
            args[12 + 3 * i] = claims[i].Key ?? "";
            args[13 + 3 * i] = claims[i].Fingerprint ?? "";
        }
        PutDrafts(args, firstDraft, drafts);

        var result = (RedisResult[])(await EvaluateAsync(RedisEventLogScripts.AppendIdempotent, topic, args))!;
        var epoch = (string)result[1]!;
        var head = (long)result[2];
        NoteCreated(topic, epoch, (int)result[4]);
        if ((int)result[0] == 0)
            throw new SequenceConflictException(
                $"Topic '{topic}' is at {epoch}/{head}, the writer expected {expectedEpoch}/{expectedHead}.");

        var stamp = DateTimeOffset.FromUnixTimeMilliseconds((long)result[5]);
        var answers = (RedisResult[])result[6]!;
        var replays = new IdempotencyRecord?[claims.Count];
        var stored = new List<TopicEvent>(drafts.Count);
        var draft = 0;
        for (var i = 0; i < claims.Count; i++)
        {
            var answer = (string?)answers[i];
            if (!string.IsNullOrEmpty(answer))
            {
                replays[i] = ParseRecord(answer);
                draft += claims[i].Count;
                continue;
            }
            for (var j = 0; j < claims[i].Count; j++, draft++)
                stored.Add(new TopicEvent(topic, epoch, expectedHead + 1 + stored.Count, drafts[draft].Type, drafts[draft].Data, stamp, drafts[draft].Key));
        }
        return new IdempotentAppend(stored, replays);
    }

    /// <summary>Type, data and event key ('' for none) of each draft, as the append scripts take them.</summary>
    private static void PutDrafts(RedisValue[] args, int first, IReadOnlyList<EventDraft> drafts)
    {
        for (var i = 0; i < drafts.Count; i++)
        {
            args[first + 3 * i] = drafts[i].Type;
            args[first + 1 + 3 * i] = drafts[i].Data;
            args[first + 2 + 3 * i] = drafts[i].Key ?? "";
        }
    }

    public async Task<TopicState> ReadStateAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        RedisValue[] args = [Epochs.New(), _retention.MaxEventsFor(topic), AgeCutoff(topic)];
        var result = (RedisResult[])(await EvaluateAsync(RedisEventLogScripts.ReadState, topic, args).WaitAsync(cancellationToken))!;
        var info = new TopicInfo(topic, (string)result[0]!, (long)result[1], (long)result[2]);
        NoteCreated(topic, info.Epoch, (int)result[3]);
        var pairs = (RedisResult[])result[4]!;
        var events = new TopicEvent[pairs.Length / 2];
        for (var i = 0; i < events.Length; i++)
            events[i] = ParseStateEntry(topic, info.Epoch, (string)pairs[2 * i]!, (string)pairs[2 * i + 1]!);
        Array.Sort(events, static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return new TopicState(info, events);
    }

    /// <summary>A state entry as the append scripts store it: <c>{sequence} {time} {type} {data}</c>, the data being the rest.</summary>
    private static TopicEvent ParseStateEntry(string topic, string epoch, string key, string value)
    {
        var span = value.AsSpan();
        var first = span.IndexOf(' ');
        var second = first + 1 + span[(first + 1)..].IndexOf(' ');
        var third = second + 1 + span[(second + 1)..].IndexOf(' ');
        return new TopicEvent(
            topic,
            epoch,
            long.Parse(span[..first], CultureInfo.InvariantCulture),
            value[(second + 1)..third],
            value[(third + 1)..],
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(span[(first + 1)..second], CultureInfo.InvariantCulture)),
            key);
    }

    /// <summary>A record as the script stores it: <c>{fingerprint} {epoch} {first} {count} {time}</c>.</summary>
    private static IdempotencyRecord ParseRecord(string value)
    {
        var parts = value.Split(' ');
        return new IdempotencyRecord(
            parts[0],
            parts[1],
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    public Task<EventPage> ReadAfterAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync(topic, afterSequence, limit, cancellationToken);
    }

    private async Task<EventPage> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        RedisValue[] args =
        [
            Epochs.New(),
            _retention.MaxEventsFor(topic),
            AgeCutoff(topic),
            Math.Clamp(afterSequence, 0, MaxSequence),
            limit,
        ];
        // A read has no side effect worth waiting for, so it may be abandoned.
        var result = (RedisResult[])(await EvaluateAsync(RedisEventLogScripts.Read, topic, args).WaitAsync(cancellationToken))!;
        var info = new TopicInfo(topic, (string)result[0]!, (long)result[1], (long)result[2]);
        var entries = (RedisResult[])result[4]!;
        var events = new TopicEvent[entries.Length];
        for (var i = 0; i < entries.Length; i++)
            events[i] = ToEvent(topic, info.Epoch, (RedisResult[])entries[i]!);
        return new EventPage(info, events);
    }

    private async Task<RedisResult> EvaluateAsync(string script, string topic, RedisValue[] args)
    {
        // All six keys for every script: any of them may open a new life of the topic, which clears its state.
        RedisKey[] keys =
        [
            RedisKeys.TopicMeta(keyPrefix, topic), RedisKeys.TopicEvents(keyPrefix, topic),
            RedisKeys.TopicIdempotencyKeys(keyPrefix, topic), RedisKeys.TopicIdempotencyOrder(keyPrefix, topic),
            RedisKeys.TopicState(keyPrefix, topic), RedisKeys.TopicStateOrder(keyPrefix, topic),
        ];
        try
        {
            // StackExchange.Redis sends the script once and EVALSHA afterwards, resending it on NOSCRIPT.
            return await redis.GetDatabase().ScriptEvaluateAsync(script, keys, args);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            throw new EventLogUnavailableException($"The event log in Redis could not serve topic '{topic}': {ex.Message}", ex);
        }
    }

    private long AgeCutoff(string topic) => (time.GetUtcNow() - _retention.For(topic).MaxAge).ToUnixTimeMilliseconds();

    /// <summary>An entry as XRANGE returns it: its ID, then its fields and values alternating.</summary>
    private static TopicEvent ToEvent(string topic, string epoch, RedisResult[] entry)
    {
        var id = (string)entry[0]!;
        var sequence = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        var fields = (RedisResult[])entry[1]!;
        string type = "", data = "";
        string? key = null;
        long ms = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string)fields[i]!)
            {
                case "t": ms = (long)fields[i + 1]; break;
                case "y": type = (string)fields[i + 1]!; break;
                case "d": data = (string)fields[i + 1]!; break;
                case "k": key = (string)fields[i + 1]!; break;
            }
        }
        return new TopicEvent(topic, epoch, sequence, type, data, DateTimeOffset.FromUnixTimeMilliseconds(ms), key);
    }

    private void NoteCreated(string topic, string epoch, int created)
    {
        if (created == 2)
            LogOrphanedEventsDropped(logger, topic, epoch);
        else if (created == 1)
            LogEpochStarted(logger, topic, epoch);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Topic {Topic} has no log in Redis (new, or its data was lost); it starts epoch {Epoch} at head 0")]
    private static partial void LogEpochStarted(ILogger logger, string topic, string epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic} had events in Redis but no epoch and head (its meta key was lost); the events were dropped and epoch {Epoch} starts at head 0, so subscribers get a reset")]
    private static partial void LogOrphanedEventsDropped(ILogger logger, string topic, string epoch);
}
