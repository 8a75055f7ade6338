namespace Hub.Bench.Measuring;

/// <summary>
/// What one publisher sent: the last sequence and the few that were not acknowledged. A failed publish may
/// or may not have been stored, so it counts neither as lost nor as expected.
/// </summary>
public sealed class PublishLedger(int publisher)
{
    private readonly HashSet<long> _failed = [];
    private long _lastSent;

    public int Publisher { get; } = publisher;

    public long LastSent => Volatile.Read(ref _lastSent);

    public long Acknowledged => LastSent - Failed;

    public int Failed
    {
        get
        {
            lock (_failed)
                return _failed.Count;
        }
    }

    public void Sent(long sequence) => Volatile.Write(ref _lastSent, sequence);

    public void Fail(long sequence)
    {
        lock (_failed)
            _failed.Add(sequence);
    }

    public bool IsAcknowledged(long sequence)
    {
        lock (_failed)
            return !_failed.Contains(sequence);
    }
}
