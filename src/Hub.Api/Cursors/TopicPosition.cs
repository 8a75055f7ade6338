namespace Hub.Api.Cursors;

/// <summary>The last event a client has of one topic: its epoch and sequence (0 = none yet).</summary>
public readonly record struct TopicPosition(string Epoch, long Sequence)
{
    /// <summary>
    /// Whether events of <paramref name="epoch"/> continue this position: the same epoch, or none delivered
    /// yet (sequence 0). The second covers a topic read before its first publish: a log stores nothing for
    /// a read, so it may answer another epoch than the one the first publish starts (Redis does), and a
    /// client that has nothing has nothing to be reset from.
    /// </summary>
    public bool IsIn(string epoch) => Sequence == 0 || string.Equals(Epoch, epoch, StringComparison.Ordinal);
}
