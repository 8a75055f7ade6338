namespace Hub.Grains.EventLog;

/// <summary>
/// An append found the topic's head or epoch moved under it: another writer got there first, or the
/// log was lost. The writer must re-read the topic's state before it appends again.
/// </summary>
public sealed class SequenceConflictException : Exception
{
    public SequenceConflictException() { }

    public SequenceConflictException(string message) : base(message) { }

    public SequenceConflictException(string message, Exception innerException) : base(message, innerException) { }
}
