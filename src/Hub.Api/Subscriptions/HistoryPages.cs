using Hub.Api.Sse;
using Hub.Grains.Contracts;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Pages of a topic's log, read from its grain and formatted once per node for every connection that
/// replays them: when thousands of clients resume from about the same position (a node restart, a
/// network blip), the node asks the grain for each page once and formats each event once, instead of
/// once per client. Pages are aligned (page k holds sequences <c>k·size+1 … (k+1)·size</c>), so clients
/// at nearby positions share them; a page is reused for a few seconds, then read afresh.
/// </summary>
internal sealed class HistoryPages(Func<ITopicGrain> grain, int pageSize, long maxBytes)
{
    /// <summary>How long a page read from the log is served to further replays before it is read again.</summary>
    private static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Entry> _pages = [];

    /// <summary>
    /// The log's events after <paramref name="after"/> of <paramref name="epoch"/> (at most to the end of
    /// its page), formatted, with the topic's info as of the read. The events may start later than
    /// <c>after + 1</c> (retention dropped them), be empty (nothing newer) or be of another epoch (the
    /// log was lost and restarted): the caller checks, as with a direct read. A page of another epoch
    /// than the one asked for is never reused: it is read again.
    /// </summary>
    public async Task<(TopicInfo Info, ArraySegment<FormattedEvent> Events)> ReadAfterAsync(string epoch, long after)
    {
        var index = after / pageSize;
        Task<Page> reading;
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (!_pages.TryGetValue(index, out var entry) || now - entry.ReadAt > ReuseFor.TotalMilliseconds || entry.Reading.IsFaulted
                || (entry.Reading.IsCompletedSuccessfully && !entry.Reading.Result.Serves(epoch, after + 1)))
            {
                Prune(now);
                _pages[index] = entry = new Entry(ReadAsync(index), now);
            }
            reading = entry.Reading;
        }
        var page = await reading;
        if (!page.Holds(after + 1) && page.Events.Length > 0 && page.Events[^1].Sequence <= after)
            page = await ReadAsync(index); // read while the head was before 'after': read again, unshared
        var skip = page.Events.Length == 0 ? 0 : (int)Math.Clamp(after + 1 - page.Events[0].Sequence, 0, page.Events.Length);
        return (page.Info, new ArraySegment<FormattedEvent>(page.Events, skip, page.Events.Length - skip));
    }

    /// <summary>Forgets every page: the topic's log was lost and restarted in a new epoch.</summary>
    public void Clear()
    {
        lock (_lock)
            _pages.Clear();
    }

    private async Task<Page> ReadAsync(long index)
    {
        var page = await grain().ReadAfterAsync(index * pageSize, pageSize);
        var formatted = new FormattedEvent[page.Events.Count];
        for (var k = 0; k < formatted.Length; k++)
            formatted[k] = new FormattedEvent(page.Events[k]);
        return new Page(page.Info, formatted);
    }

    /// <summary>Drops expired pages, then the oldest read ones while the pages hold more than the byte cap.</summary>
    private void Prune(long now)
    {
        foreach (var (index, entry) in _pages)
        {
            if (now - entry.ReadAt > ReuseFor.TotalMilliseconds)
                _pages.Remove(index);
        }
        while (_pages.Count > 0 && _pages.Values.Sum(e => e.Bytes) > maxBytes)
            _pages.Remove(_pages.MinBy(p => p.Value.ReadAt).Key);
    }

    private sealed record Entry(Task<Page> Reading, long ReadAt)
    {
        public long Bytes => Reading.IsCompletedSuccessfully ? Reading.Result.Bytes : 0;
    }

    private sealed record Page(TopicInfo Info, FormattedEvent[] Events)
    {
        public long Bytes { get; } = Events.Sum(e => (long)e.Body.Length);

        public bool Holds(long sequence) => Events.Length > 0 && Events[0].Sequence <= sequence && sequence <= Events[^1].Sequence;

        public bool Serves(string epoch, long sequence) => Info.Epoch == epoch && Holds(sequence);
    }
}
