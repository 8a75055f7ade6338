namespace Hub.Grains.Contracts;

/// <summary>
/// A publish carried an idempotency key that the topic recorded for a publish with different content
/// (other events, or a batch where there was a single event): the key cannot mean both, so nothing is
/// stored. A client error (the hub answers 422), not a retry.
/// </summary>
// Serializable by Orleans: it crosses from the silo to the API node (see SequenceConflictException).
[GenerateSerializer]
public sealed class IdempotencyKeyReusedException : Exception
{
    public IdempotencyKeyReusedException() { }

    public IdempotencyKeyReusedException(string message) : base(message) { }

    public IdempotencyKeyReusedException(string message, Exception innerException) : base(message, innerException) { }
}
