namespace Hub.Grains.Contracts;

/// <summary>
/// The topic grain's queue of publishes waiting for the log is full (<c>Hub:Publish:MaxQueuedEvents</c>):
/// the log is slower than the publishers. Nothing was stored; the publisher should retry shortly (503).
/// </summary>
// Serializable by Orleans: it crosses from the silo to the API node (see SequenceConflictException).
[GenerateSerializer]
public sealed class PublishQueueFullException : Exception
{
    public PublishQueueFullException() { }

    public PublishQueueFullException(string message) : base(message) { }

    public PublishQueueFullException(string message, Exception innerException) : base(message, innerException) { }
}
