namespace Hub.Grains.EventLog;

/// <summary>
/// The event log's backend could not answer (connection lost, timeout). Transient: the caller should
/// retry. For an append the outcome is unknown — the events may or may not be stored — which the
/// writer resolves as after a conflict, by re-reading the topic's head.
/// </summary>
public sealed class EventLogUnavailableException : Exception
{
    public EventLogUnavailableException() { }

    public EventLogUnavailableException(string message) : base(message) { }

    public EventLogUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
