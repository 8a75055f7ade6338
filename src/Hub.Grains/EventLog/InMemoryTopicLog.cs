using Hub.Grains.Contracts;

namespace Hub.Grains.EventLog;

/// <summary>
/// One topic's life in <see cref="InMemoryEventLog"/>: its epoch, head, retained events, state and
/// idempotency records. Callers hold its lock while they use it.
/// </summary>
internal sealed class InMemoryTopicLog(string epoch)
{
    public string Epoch { get; } = epoch;
    public long Head { get; set; }

    /// <summary>
    /// Set (under this log's lock) when the log has dropped this life: a writer that found it just before
    /// must look the topic up again rather than add events nobody can read any more.
    /// </summary>
    public bool Forgotten { get; set; }

    /// <summary>The retained events, oldest first.</summary>
    public EventRing Events { get; } = new();
    public int Count => Events.Count;

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

    /// <summary>
    /// Until when the newest record keeps the topic alive (its time plus its window), as the Redis log
    /// keeps a topic's keys for the window after the last record.
    /// </summary>
    public DateTimeOffset KeysKeptUntil { get; private set; } = DateTimeOffset.MinValue;

    private readonly Queue<(string Key, IdempotencyRecord Record)> _keyOrder = new();

    public void RememberKey(string key, IdempotencyRecord record, DateTimeOffset time, TimeSpan window)
    {
        Keys[key] = (record, time);
        _keyOrder.Enqueue((key, record));
        if (time + window > KeysKeptUntil)
            KeysKeptUntil = time + window;
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

    /// <summary>
    /// Whether this life has ended at <paramref name="now"/>: every event aged out (trim first) and no
    /// idempotency record is within its window. Its state ends with it, as in Redis.
    /// </summary>
    public bool IsOver(DateTimeOffset now) => Count == 0 && now >= KeysKeptUntil;
}
