using Hub.Grains.Contracts;

namespace Hub.Api.Mercure;

/// <summary>
/// Where Mercure updates live: one ordered log, the hub's internal topic <see cref="Topic"/>, written
/// by its topic grain like any topic (group commit, the configured event log: in memory embedded, a
/// Redis stream with retention on a cluster) and delivered to API nodes over its Orleans stream, where
/// the node's ordinary feed of that topic fans it out. Its sequence is the hub-wide order Mercure's
/// <c>Last-Event-ID</c> needs; an update's id is stored inside its event, so the id and the order can
/// never disagree. Native topics never pass through it.
/// </summary>
public static class MercureLog
{
    /// <summary>The internal topic (refused at the native API: see <see cref="EventRules.CheckClientTopic"/>).</summary>
    public const string Topic = EventRules.InternalTopicPrefix + "mercure";

    /// <summary>The type of the stored events; never on the wire (a Mercure update carries its own).</summary>
    public const string EventType = "mercure.update";

    /// <summary>The value of <c>Last-Event-ID</c> that asks for all retained history, and the response header when an id was not found.</summary>
    public const string Earliest = "earliest";
}
