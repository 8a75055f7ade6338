using Hub.Api.Http;
using Hub.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>A Mercure connection's place in the subscription API: its subscriber id and its subscriptions (one per distinct selector).</summary>
public sealed record MercurePresence(string Subscriber, IReadOnlyList<MercureSubscriptionRecord> Subscriptions);

/// <summary>
/// What the subscription API (<see cref="MercureOptions.SubscriptionsApi"/>) does when a Mercure
/// connection opens and closes: lists it on this node (<see cref="MercureNodeSubscriptions"/>, which the
/// cluster's listings ask) and publishes one private subscription event per selector on
/// <c>/.well-known/mercure/subscriptions/{topic}/{subscriber}</c>, through the Mercure update log like
/// any update, so it has an id, history and the delivery rule of private updates.
/// <para>
/// The order is what makes a listing and the events add up: a connection is listed <em>before</em> its
/// "active" events are published and unlisted <em>before</em> its "inactive" ones, and a listing reads
/// the log's last id <em>before</em> asking the nodes. So an event at or before a listing's
/// <c>lastEventID</c> is already reflected in the listing, and a client that subscribes to the events
/// from that id misses no change.
/// </para>
/// </summary>
public sealed partial class MercureSubscriptions(
    IGrainFactory grains,
    MercureNodeSubscriptions node,
    MercureSubscriptionLease lease,
    MercureShards shards,
    IOptions<MercureOptions> options,
    ILogger<MercureSubscriptions> logger)
{
    private readonly bool _enabled = options.Value.SubscriptionsApi;

    /// <summary>
    /// Lists a connection that opens and publishes its "active" events; null when the API is off. Called
    /// before the connection's headers go out, so it is listed (on every node) once the client sees them.
    /// </summary>
    public async Task<MercurePresence?> OpenAsync(MercureSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        if (!_enabled)
            return null;
        var id = "urn:uuid:" + Guid.NewGuid().ToString("D");
        var payload = subscriber.Claims.Payload;
        var presence = new MercurePresence(id, [.. subscriber.Selectors.Select(s => s.Text).Distinct(StringComparer.Ordinal).Select(topic => new MercureSubscriptionRecord(topic, id, payload))]);
        node.Add(id, presence.Subscriptions);
        await lease.EnsureRegisteredAsync();
        await PublishAsync(presence, active: true);
        return presence;
    }

    /// <summary>Unlists a connection that closed and publishes its "inactive" events.</summary>
    public async Task CloseAsync(MercurePresence? presence)
    {
        if (presence is null)
            return;
        node.Remove(presence.Subscriber);
        await PublishAsync(presence, active: false);
    }

    /// <summary>
    /// The events of one connection, stored together in one call. A failure is logged, not thrown: the
    /// connection itself is fine, and the listing (which asks the nodes) stays right without the event.
    /// </summary>
    private async Task PublishAsync(MercurePresence presence, bool active)
    {
        var drafts = presence.Subscriptions
            .Select(record => new MercureSubscription(record, active))
            .Select(s => new MercureUpdate("urn:uuid:" + Guid.NewGuid().ToString("D"), [s.Id], isPrivate: true, type: null, retry: null, s.ToJson()))
            // Named with their shards like any published update, so a subscriber on a shard feed gets them live.
            .Select(update => new EventDraft(MercureLog.EventType, update.Encode(), Channels: shards.ChannelsOf(update.Topics)))
            .ToList();
        try
        {
            await grains.GetGrain<ITopicGrain>(MercureLog.Topic).PublishBatchAsync(drafts);
        }
        catch (Exception ex) when (ex is ArgumentException || Problems.IsTransientClusterFailure(ex))
        {
            LogEventsFailed(logger, presence.Subscriber, active, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The subscription events of Mercure subscriber {Subscriber} (active: {Active}) could not be published")]
    private static partial void LogEventsFailed(ILogger logger, string subscriber, bool active, Exception exception);
}
