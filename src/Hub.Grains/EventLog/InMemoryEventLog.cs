using Hub.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Hub.Grains.EventLog;

/// <summary>
/// The embedded default: each topic's retained events in a list in this process. History lives as long
/// as the process; a restart starts every topic in a new (shared) epoch, which subscribers see as a reset.
/// A topic exists from its first append: reading an unknown name answers head 0 and stores nothing.
/// Topics whose events all aged out are kept (a few dozen bytes: the head), because a topic forgotten and
/// published again would restart at sequence 1 in the same shared epoch, under cursors that are past it.
/// </summary>
public sealed class InMemoryEventLog(IOptions<RetentionOptions> options, TimeProvider time, IOptions<TopicStateOptions>? stateOptions = null) : IEventLog
{
    private readonly RetentionOptions _retention = options.Value;
    private readonly int _maxKeys = (stateOptions?.Value ?? new TopicStateOptions()).MaxKeys;

    // Every topic's log lives exactly as long as this process, so they all share one epoch: a restart
    // renews them together, and a cursor over many topics names the epoch once (Cursor leaves repeats out).
    private readonly string _epoch = Epochs.New();
    private readonly Dictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);

    public Task<TopicInfo> GetInfoAsync(string topic, CancellationToken cancellationToken = default)
    {
        if (Find(topic) is not { } log)
            return Task.FromResult(Unknown(topic));
        lock (log)
        {
            Trim(topic, log);
            return Task.FromResult(log.Info(topic));
        }
    }

    public Task<IReadOnlyList<TopicEvent>> AppendAsync(
        string topic, string expectedEpoch, long expectedHead, IReadOnlyList<EventDraft> drafts,
        DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        var log = Get(topic);
        lock (log)
        {
            if (log.Epoch != expectedEpoch || log.Head != expectedHead)
                throw new SequenceConflictException(
                    $"Topic '{topic}' is at {log.Epoch}/{log.Head}, the writer expected {expectedEpoch}/{expectedHead}.");
            var appended = new TopicEvent[drafts.Count];
            for (var i = 0; i < drafts.Count; i++)
            {
                appended[i] = new TopicEvent(topic, log.Epoch, log.Head + 1, drafts[i].Type, drafts[i].Data, time, drafts[i].Key);
                log.Add(appended[i], _maxKeys);
            }
            Trim(topic, log);
            return Task.FromResult<IReadOnlyList<TopicEvent>>(appended);
        }
    }

    public Task<IdempotentAppend> AppendIdempotentAsync(
        string topic, string expectedEpoch, long expectedHead, IReadOnlyList<EventDraft> drafts,
        IReadOnlyList<AppendClaim> claims, IdempotencyWindow window, DateTimeOffset time,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        ArgumentNullException.ThrowIfNull(claims);
        AppendClaims.CheckCover(claims, drafts.Count);
        var log = Get(topic);
        lock (log)
        {
            if (log.Epoch != expectedEpoch || log.Head != expectedHead)
                throw new SequenceConflictException(
                    $"Topic '{topic}' is at {log.Epoch}/{log.Head}, the writer expected {expectedEpoch}/{expectedHead}.");
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
                    log.RememberKey(newKey, new IdempotencyRecord(claim.Fingerprint ?? "", log.Epoch, first, claim.Count), time);
            }
            log.ForgetKeys(cutoff, window.MaxKeys);
            Trim(topic, log);
            return Task.FromResult(new IdempotentAppend(stored, replays));
        }
    }

    public Task<EventPage> ReadAfterAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (Find(topic) is not { } log)
            return Task.FromResult(new EventPage(Unknown(topic), []));
        lock (log)
        {
            Trim(topic, log);
            var info = log.Info(topic);
            // Events are consecutive, so the first wanted one sits at a computable index.
            var start = (int)Math.Clamp(afterSequence + 1 - info.Oldest, 0, log.Count);
            var count = Math.Min(limit, log.Count - start);
            var page = count > 0 ? log.Events.GetRange(log.Start + start, count) : [];
            return Task.FromResult(new EventPage(info, page));
        }
    }

    public Task<TopicState> ReadStateAsync(string topic, CancellationToken cancellationToken = default)
    {
        var log = Get(topic);
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
            if (_topics.TryGetValue(topic, out var log) && log.Epoch == lostEpoch)
                _topics[topic] = new TopicLog(Epochs.New());
        }
        return GetInfoAsync(topic, cancellationToken);
    }

    /// <summary>
    /// The topic's log, or null when it was never written: reads answer such a topic without creating
    /// it, so reading names nobody publishes costs no memory. It is born, in the shared epoch, on its
    /// first append (<see cref="Get"/>).
    /// </summary>
    private TopicLog? Find(string topic)
    {
        lock (_topics)
            return _topics.GetValueOrDefault(topic);
    }

    private TopicInfo Unknown(string topic) => new(topic, _epoch, 0, 1);

    /// <summary>Topics this log holds (tests and diagnostics).</summary>
    public int TopicCount
    {
        get
        {
            lock (_topics)
                return _topics.Count;
        }
    }

    private TopicLog Get(string topic)
    {
        lock (_topics)
        {
            if (!_topics.TryGetValue(topic, out var log))
                _topics[topic] = log = new TopicLog(_epoch);
            return log;
        }
    }

    private void Trim(string topic, TopicLog log)
    {
        var limits = _retention.For(topic);
        var drop = Math.Max(log.Count - limits.MaxEvents, 0);
        var cutoff = time.GetUtcNow() - limits.MaxAge;
        while (drop < log.Count && log.Events[log.Start + drop].Time < cutoff)
            drop++;
        log.Start += drop;
        // Dropped events are only skipped by Start; compacting once they are half the list keeps
        // trimming amortised O(1) per append instead of shifting the whole list every time.
        if (log.Start > 64 && log.Start * 2 > log.Events.Count)
        {
            log.Events.RemoveRange(0, log.Start);
            log.Start = 0;
        }
    }

    private sealed class TopicLog(string epoch)
    {
        public string Epoch { get; } = epoch;
        public long Head { get; set; }
        /// <summary>Retained events are <c>Events[Start..]</c>; those before Start await compaction.</summary>
        public List<TopicEvent> Events { get; } = [];
        public int Start { get; set; }
        public int Count => Events.Count - Start;

        public TopicInfo Info(string topic) => new(topic, Epoch, Head, Head - Count + 1);

        /// <summary>The latest event of every key, in sequence order (oldest first): a key's newer event moves it to the end.</summary>
        public LinkedList<TopicEvent> State { get; } = new();

        private readonly Dictionary<string, LinkedListNode<TopicEvent>> _stateByKey = new(StringComparer.Ordinal);

        /// <summary>Appends the next event and, when it has a key, makes it the key's latest, forgetting the oldest keys beyond <paramref name="maxKeys"/>.</summary>
        public void Add(TopicEvent e, int maxKeys)
        {
            Events.Add(e);
            Head = e.Sequence;
            if (e.Key is null)
                return;
            if (_stateByKey.Remove(e.Key, out var previous))
                State.Remove(previous);
            _stateByKey[e.Key] = State.AddLast(e);
            while (State.Count > maxKeys)
            {
                _stateByKey.Remove(State.First!.Value.Key!);
                State.RemoveFirst();
            }
        }

        /// <summary>The idempotency keys of this epoch, and the order they were recorded in (oldest first).</summary>
        public Dictionary<string, (IdempotencyRecord Record, DateTimeOffset Time)> Keys { get; } = new(StringComparer.Ordinal);

        private readonly Queue<(string Key, IdempotencyRecord Record)> _keyOrder = new();

        public void RememberKey(string key, IdempotencyRecord record, DateTimeOffset time)
        {
            Keys[key] = (record, time);
            _keyOrder.Enqueue((key, record));
        }

        /// <summary>Drops records older than <paramref name="cutoff"/>, then the oldest beyond <paramref name="maxKeys"/>.</summary>
        public void ForgetKeys(DateTimeOffset cutoff, int maxKeys)
        {
            while (_keyOrder.TryPeek(out var oldest))
            {
                // An entry whose key was recorded again since (after it had expired) is stale: skip it.
                var current = Keys.TryGetValue(oldest.Key, out var known) && ReferenceEquals(known.Record, oldest.Record);
                if (current && known.Time >= cutoff && Keys.Count <= maxKeys)
                    return;
                _keyOrder.Dequeue();
                if (current)
                    Keys.Remove(oldest.Key);
            }
        }
    }
}
