namespace Hub.Grains.EventLog;

/// <summary>
/// An append found the topic's head or epoch moved under it: another writer got there first, or the
/// log was lost. The writer must re-read the topic's state before it appends again.
/// </summary>
// Serializable by Orleans: thrown in a silo, it must reach the API node (a client in another process)
// as itself, so the node answers 503; without a codec it arrives as CodecNotFoundException and became a 500.
[GenerateSerializer]
public sealed class SequenceConflictException : Exception
{
    public SequenceConflictException() { }

    public SequenceConflictException(string message) : base(message) { }

    public SequenceConflictException(string message, Exception innerException) : base(message, innerException) { }
}
