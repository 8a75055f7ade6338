namespace Hub.Grains.EventLog;

/// <summary>
/// Every Redis key the hub's event log uses. Keys start with a prefix naming the hub service
/// (<c>hub:{ServiceId}:</c> unless configured), so two hubs can share one Redis. A topic's keys carry
/// the topic in a hash tag (<c>{topic}</c>) so they land in one slot on Redis Cluster, which the log's
/// scripts need: a script may only touch keys of one slot.
/// </summary>
/// <remarks>
/// Topic names cannot contain braces (<see cref="Contracts.EventRules"/>), so the tag is exactly the
/// topic. Should a configured prefix contain a brace, both keys of a topic still share one tag, because
/// they differ only after it: the log stays correct, only less spread over a cluster's slots.
/// </remarks>
public static class RedisKeys
{
    /// <summary>The prefix used when <c>Hub:Redis:KeyPrefix</c> is not set.</summary>
    public static string DefaultPrefix(string serviceId) => $"hub:{serviceId}:";

    /// <summary>A hash holding the topic's <c>epoch</c> and <c>head</c>; it outlives trimming to zero events.</summary>
    public static string TopicMeta(string prefix, string topic) => $"{prefix}log:{{{topic}}}:meta";

    /// <summary>A stream of the topic's retained events; entry ID <c>{sequence}-0</c>, fields <c>t</c> (Unix ms), <c>y</c> (type), <c>d</c> (data).</summary>
    public static string TopicEvents(string prefix, string topic) => $"{prefix}log:{{{topic}}}:events";

    /// <summary>
    /// A hash of the topic's recorded idempotency keys: field the key, value
    /// <c>{fingerprint} {epoch} {first sequence} {count} {time, Unix ms}</c>.
    /// </summary>
    public static string TopicIdempotencyKeys(string prefix, string topic) => $"{prefix}log:{{{topic}}}:keys";

    /// <summary>
    /// A hash of the topic's state: field an event key, value its latest event as
    /// <c>{sequence} {time, Unix ms} {type} {data}</c> (types have no spaces; the data is the rest).
    /// </summary>
    public static string TopicState(string prefix, string topic) => $"{prefix}log:{{{topic}}}:state";

    /// <summary>A sorted set of the same event keys scored by their latest event's sequence, so the oldest key is dropped first.</summary>
    public static string TopicStateOrder(string prefix, string topic) => $"{prefix}log:{{{topic}}}:stateorder";

    /// <summary>A sorted set of the same keys scored by the time they were recorded, so the oldest are found and dropped first.</summary>
    public static string TopicIdempotencyOrder(string prefix, string topic) => $"{prefix}log:{{{topic}}}:keyorder";
}
