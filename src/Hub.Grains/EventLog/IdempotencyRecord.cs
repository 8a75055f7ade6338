namespace Hub.Grains.EventLog;

/// <summary>
/// What the log remembers of a publish made with an idempotency key: its content's fingerprint and
/// where its events went (<paramref name="Count"/> events from <paramref name="FirstSequence"/> in
/// <paramref name="Epoch"/>), enough to answer a retry exactly as the original was answered.
/// </summary>
public sealed record IdempotencyRecord(string Fingerprint, string Epoch, long FirstSequence, int Count);
