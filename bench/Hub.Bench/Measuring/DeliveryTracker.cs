namespace Hub.Bench.Measuring;

/// <summary>
/// What one subscriber received, per publisher: a bit per sequence, so that a repeat is a duplicate, a
/// sequence below the highest seen is out of order, and a published sequence never seen is lost. Written
/// by the subscriber's own read loop only; the counters are read by the progress display while it runs.
/// </summary>
public sealed class DeliveryTracker
{
    private readonly Dictionary<int, Stream> _streams = [];
    private long _received;
    private long _duplicates;
    private long _outOfOrder;

    public long Received => Volatile.Read(ref _received);

    public long Duplicates => Volatile.Read(ref _duplicates);

    public long OutOfOrder => Volatile.Read(ref _outOfOrder);

    /// <summary>Records one delivery; returns the highest sequence seen from that publisher so far.</summary>
    public long Record(int publisher, long sequence)
    {
        Volatile.Write(ref _received, _received + 1);
        if (!_streams.TryGetValue(publisher, out var stream))
            _streams[publisher] = stream = new Stream();
        if (!stream.Mark(sequence))
            Volatile.Write(ref _duplicates, _duplicates + 1);
        else if (sequence < stream.Max)
            Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
        stream.Max = Math.Max(stream.Max, sequence);
        return stream.Max;
    }

    /// <summary>The highest sequence received from <paramref name="publisher"/>; only when the read loop is quiet.</summary>
    public long MaxOf(int publisher) => _streams.TryGetValue(publisher, out var s) ? s.Max : 0;

    /// <summary>How many of the acknowledged sequences of <paramref name="publisher"/> never arrived; only after the read loop stopped.</summary>
    public long LostOf(PublishLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _streams.TryGetValue(ledger.Publisher, out var stream);
        long lost = 0;
        for (long s = 1; s <= ledger.LastSent; s++)
        {
            if (ledger.IsAcknowledged(s) && (stream is null || !stream.Has(s)))
                lost++;
        }
        return lost;
    }

    private sealed class Stream
    {
        private ulong[] _bits = new ulong[16];

        public long Max { get; set; }

        public bool Has(long s) => s >= 0 && (s >> 6) < _bits.Length && (_bits[s >> 6] & (1UL << (int)(s & 63))) != 0;

        /// <summary>False when <paramref name="s"/> was already marked.</summary>
        public bool Mark(long s)
        {
            if (s < 0)
                return true;
            var word = s >> 6;
            if (word >= _bits.Length)
                Array.Resize(ref _bits, (int)Math.Max(word + 1, _bits.Length * 2L));
            var bit = 1UL << (int)(s & 63);
            if ((_bits[word] & bit) != 0)
                return false;
            _bits[word] |= bit;
            return true;
        }
    }
}
