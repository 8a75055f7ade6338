namespace Hub.Grains.Contracts;

/// <summary>
/// Where a topic's log stands. <see cref="Head"/> is the newest sequence (0 when nothing was ever
/// published); <see cref="Oldest"/> is the oldest retained sequence, or <c>Head + 1</c> when
/// retention has emptied the log.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicInfo(
    [property: Id(0)] string Topic,
    [property: Id(1)] string Epoch,
    [property: Id(2)] long Head,
    [property: Id(3)] long Oldest)
{
    /// <summary>True when every event after <paramref name="afterSequence"/> is still retained.</summary>
    public bool Retains(long afterSequence) => afterSequence >= Oldest - 1 && afterSequence <= Head;
}
