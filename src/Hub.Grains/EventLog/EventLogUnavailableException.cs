namespace Hub.Grains.EventLog;

/// <summary>
/// The event log's backend could not answer (connection lost, timeout). Transient: the caller should
/// retry. For an append the outcome is unknown — the events may or may not be stored — which the
/// writer resolves as after a conflict, by re-reading the topic's head.
/// </summary>
// Serializable by Orleans: thrown in a silo, it must reach the API node (a client in another process)
// as itself, so the node answers 503; without a codec it arrives as CodecNotFoundException and became a 500.
[GenerateSerializer]
public sealed class EventLogUnavailableException : Exception
{
    public EventLogUnavailableException() { }

    public EventLogUnavailableException(string message) : base(message) { }

    public EventLogUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
