namespace Hub.Grains.EventLog;

/// <summary>
/// One publish's share of an idempotent append (<see cref="IEventLog.AppendIdempotentAsync"/>): the next
/// <paramref name="Count"/> drafts, stored at most once under <paramref name="Key"/> (null: no key, always
/// stored). <paramref name="Fingerprint"/> identifies the publish's content, so a retry can be told from
/// a different publish that reuses the key.
/// </summary>
public readonly record struct AppendClaim(int Count, string? Key, string? Fingerprint);
