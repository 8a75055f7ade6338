namespace Hub.Grains.EventLog;

/// <summary>
/// How long and how many idempotency keys a topic's log remembers: a key is honoured for
/// <paramref name="Duration"/> after its publish, and of a topic's keys only the newest
/// <paramref name="MaxKeys"/> are kept, whichever ends first.
/// </summary>
public readonly record struct IdempotencyWindow(TimeSpan Duration, int MaxKeys);
