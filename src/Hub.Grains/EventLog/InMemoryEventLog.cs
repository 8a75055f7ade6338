using Hub.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Hub.Grains.EventLog;

/// <summary>
/// The embedded default: each topic's retained events in a list in this process. History lives as long
/// as the process; a restart starts every topic in a new epoch, which subscribers see as a reset.
/// A topic exists from its first append: reading an unknown name answers head 0 and stores nothing.
/// <para>
/// A topic's life ends when its events have all aged out and no idempotency record is within its window,
/// as a topic's keys expire in the Redis log: the log then forgets it (sweeping at most once per
/// <see cref="SweepInterval"/>, when it is next used), so memory stays flat however many short-lived
/// topics come and go. Nothing of a forgotten topic is kept, not even its head, so its next life
/// starts at sequence 1 again, and it must not do so in the epoch of its old life: cursors past those
/// sequences would skip the new events. Topics are born in the log's current birth epoch, and every sweep
/// that forgets a topic draws a new one, so a forgotten topic always comes back in an epoch it never had
/// and every old cursor of it is answered with a reset.
/// </para>
/// </summary>
public sealed class InMemoryEventLog(IOptions<RetentionOptions> options, TimeProvider time, IOptions<TopicStateOptions>? stateOptions = null) : IEventLog
{
    /// <summary>The longest time between sweeps; shorter when a retention age is shorter (never under a second).</summary>
    public static readonly TimeSpan MaxSweepInterval = TimeSpan.FromMinutes(1);

    private readonly RetentionOptions _retention = options.Value;
    private readonly int _maxKeys = (stateOptions?.Value ?? new TopicStateOptions()).MaxKeys;
    private readonly Dictionary<string, InMemoryTopicLog> _topics = new(StringComparer.Ordinal);

    // The epoch topics are born in (guarded by the _topics lock). Topics born between two sweeps share
    // it, so a cursor over many of them names it once (Cursor leaves repeats out); a restart or a sweep
    // that forgot a topic draws a new one.
    private string _birthEpoch = Epochs.New();

    // When the next sweep is due (UTC ticks; the first call sweeps an empty map). Read without the lock,
    // so the check costs a field read.
    private long _nextSweep;

    /// <summary>How often this log looks for ended topics: the shortest retention age, between 1 s and <see cref="MaxSweepInterval"/>.</summary>
    public TimeSpan SweepInterval { get; } = SweepIntervalFor(options.Value);

    public Task<TopicInfo> GetInfoAsync(string topic, CancellationToken cancellationToken = default)
    {
        SweepIfDue();
        if (Find(topic) is not { } log)
            return Task.FromResult(Unborn(topic));
        lock (log)
        {
            Trim(topic, log);
            return Task.FromResult(log.Info(topic));
        }
    }

    public ValueTask<IReadOnlyList<TopicEvent>> AppendAsync(
        string topic, string expectedEpoch, long expectedHead, IReadOnlyList<EventDraft> drafts,
        DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        // Completes at once, with no task and (a static lambda and its state) no closure: every publish comes here.
        return new(Write(topic, expectedEpoch, expectedHead, (Log: this, topic, drafts, time), static (log, s) =>
        {
            var appended = new TopicEvent[s.drafts.Count];
            for (var i = 0; i < appended.Length; i++)
            {
                var draft = s.drafts[i];
                appended[i] = new TopicEvent(s.topic, log.Epoch, log.Head + 1, draft.Type, draft.Data, s.time, draft.Key);
                log.Add(appended[i], s.Log._maxKeys);
            }
            s.Log.Trim(s.topic, log);
            return (IReadOnlyList<TopicEvent>)appended;
        }));
    }

    public Task<IdempotentAppend> AppendIdempotentAsync(
        string topic, string expectedEpoch, long expectedHead, IReadOnlyList<EventDraft> drafts,
        IReadOnlyList<AppendClaim> claims, IdempotencyWindow window, DateTimeOffset time,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        ArgumentNullException.ThrowIfNull(claims);
        AppendClaims.CheckCover(claims, drafts.Count);
        return Task.FromResult(Write(topic, expectedEpoch, expectedHead, (Log: this, topic, drafts, claims, window, time),
            static (log, s) => s.Log.AppendIdempotent(s.topic, log, s.drafts, s.claims, s.window, s.time)));
    }

    /// <summary>
    /// Runs <paramref name="write"/> under the topic's lock once its epoch and head are the expected ones
    /// (else <see cref="SequenceConflictException"/>), on the topic's current life: one a sweep forgot
    /// between the lookup and the lock is looked up again.
    /// </summary>
    private TResult Write<TState, TResult>(string topic, string expectedEpoch, long expectedHead, TState state, Func<InMemoryTopicLog, TState, TResult> write)
    {
        SweepIfDue();
        while (true)
        {
            var log = Open(topic, expectedEpoch, expectedHead);
            lock (log)
            {
                if (log.Forgotten)
                    continue;
                if (log.Epoch != expectedEpoch || log.Head != expectedHead)
                    throw new SequenceConflictException(
                        $"Topic '{topic}' is at {log.Epoch}/{log.Head}, the writer expected {expectedEpoch}/{expectedHead}.");
                return write(log, state);
            }
        }
    }

    private IdempotentAppend AppendIdempotent(
        string topic, InMemoryTopicLog log, IReadOnlyList<EventDraft> drafts, IReadOnlyList<AppendClaim> claims,
        IdempotencyWindow window, DateTimeOffset time)
    {
        var cutoff = time - window.Duration;
        log.ForgetKeys(cutoff, window.MaxKeys);
        var stored = new List<TopicEvent>(drafts.Count);
        var replays = new IdempotencyRecord?[claims.Count];
        var next = 0;
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            if (claim.Key is { } key && log.Keys.TryGetValue(key, out var known) && known.Time >= cutoff)
            {
                replays[i] = known.Record;
                next += claim.Count;
                continue;
            }
            var first = log.Head + 1;
            for (var j = 0; j < claim.Count; j++, next++)
            {
                var appended = new TopicEvent(topic, log.Epoch, log.Head + 1, drafts[next].Type, drafts[next].Data, time, drafts[next].Key);
                log.Add(appended, _maxKeys);
                stored.Add(appended);
            }
            if (claim.Key is { } newKey)
                log.RememberKey(newKey, new IdempotencyRecord(claim.Fingerprint ?? "", log.Epoch, first, claim.Count), time, window.Duration);
        }
        log.ForgetKeys(cutoff, window.MaxKeys);
        Trim(topic, log);
        return new IdempotentAppend(stored, replays);
    }

    public Task<EventPage> ReadAfterAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        SweepIfDue();
        if (Find(topic) is not { } log)
            return Task.FromResult(new EventPage(Unborn(topic), []));
        lock (log)
        {
            Trim(topic, log);
            var info = log.Info(topic);
            // Events are consecutive, so the first wanted one sits at a computable index.
            var start = (int)Math.Clamp(afterSequence + 1 - info.Oldest, 0, log.Count);
            var count = Math.Min(limit, log.Count - start);
            var page = count > 0 ? log.Events.CopyRange(topic, log.Epoch, info.Oldest, start, count) : [];
            return Task.FromResult(new EventPage(info, page));
        }
    }

    public Task<TopicState> ReadStateAsync(string topic, CancellationToken cancellationToken = default)
    {
        SweepIfDue();
        if (Find(topic) is not { } log)
            return Task.FromResult(new TopicState(Unborn(topic), []));
        lock (log)
        {
            Trim(topic, log);
            return Task.FromResult(new TopicState(log.Info(topic), [.. log.State]));
        }
    }

    public Task<TopicInfo> RenewEpochAsync(string topic, string lostEpoch, CancellationToken cancellationToken = default)
    {
        // Memory loses nothing while its process lives; this exists for the contract (and for tests).
        lock (_topics)
        {
            if (_topics.TryGetValue(topic, out var log))
            {
                lock (log)
                {
                    if (log.Epoch == lostEpoch)
                    {
                        log.Forgotten = true;
                        _topics[topic] = new InMemoryTopicLog(Epochs.New());
                    }
                }
            }
        }
        return GetInfoAsync(topic, cancellationToken);
    }

    /// <summary>Topics this log holds (tests and diagnostics).</summary>
    public int TopicCount
    {
        get
        {
            lock (_topics)
                return _topics.Count;
        }
    }

    /// <summary>
    /// The topic's log, or null when it has no life: reads answer such a topic without creating it, so
    /// reading names nobody publishes costs no memory. It is born on an append (<see cref="Open"/>).
    /// </summary>
    private InMemoryTopicLog? Find(string topic)
    {
        lock (_topics)
            return _topics.GetValueOrDefault(topic);
    }

    private TopicInfo Unborn(string topic)
    {
        lock (_topics)
            return new(topic, _birthEpoch, 0, 1);
    }

    /// <summary>
    /// The topic's log, born now when it has none and the writer expects it unborn in the current birth
    /// epoch: a writer that read it in an older birth epoch (before a sweep forgot topics) may have read
    /// an earlier life of it, so it is refused and rereads, as after any conflict.
    /// </summary>
    private InMemoryTopicLog Open(string topic, string expectedEpoch, long expectedHead)
    {
        lock (_topics)
        {
            if (_topics.TryGetValue(topic, out var log))
                return log;
            if (expectedHead != 0 || expectedEpoch != _birthEpoch)
                throw new SequenceConflictException(
                    $"Topic '{topic}' is at {_birthEpoch}/0, the writer expected {expectedEpoch}/{expectedHead}.");
            _topics[topic] = log = new InMemoryTopicLog(_birthEpoch);
            return log;
        }
    }

    /// <summary>
    /// Forgets the topics whose life has ended, at most once per <see cref="SweepInterval"/>. One pass over
    /// every topic under the map's lock; a topic is forgotten within a sweep interval of its end, when the
    /// log is next used (an idle log holds what it held).
    /// </summary>
    private void SweepIfDue()
    {
        var now = time.GetUtcNow();
        if (now.UtcTicks < Volatile.Read(ref _nextSweep))
            return;
        lock (_topics)
        {
            if (now.UtcTicks < _nextSweep)
                return;
            Volatile.Write(ref _nextSweep, (now + SweepInterval).UtcTicks);
            var forgot = false;
            foreach (var (topic, log) in _topics)
            {
                lock (log)
                {
                    Trim(topic, log);
                    if (!log.IsOver(now))
                        continue;
                    log.Forgotten = true;
                }
                // Removing while enumerating is allowed for Dictionary (since .NET Core 3.0).
                _topics.Remove(topic);
                forgot = true;
            }
            if (forgot)
                _birthEpoch = Epochs.New();
        }
    }

    private static TimeSpan SweepIntervalFor(RetentionOptions retention)
    {
        var shortest = retention.MaxAge;
        foreach (var rule in retention.Topics.Values)
        {
            if (rule?.MaxAge is { } age && age < shortest)
                shortest = age;
        }
        return TimeSpan.FromTicks(Math.Clamp(shortest.Ticks, TimeSpan.TicksPerSecond, MaxSweepInterval.Ticks));
    }

    private void Trim(string topic, InMemoryTopicLog log)
    {
        var limits = _retention.For(topic);
        var drop = Math.Max(log.Count - limits.MaxEvents, 0);
        var cutoff = time.GetUtcNow() - limits.MaxAge;
        while (drop < log.Count && log.Events.TimeAt(drop) < cutoff)
            drop++;
        log.Events.DropOldest(drop);
    }
}
