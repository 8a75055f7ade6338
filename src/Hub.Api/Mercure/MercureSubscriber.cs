using System.Buffers;
using Hub.Api.Sse;
using Hub.Api.Subscriptions;

namespace Hub.Api.Mercure;

/// <summary>
/// What one Mercure connection receives, as the framing of its <see cref="SseConnection"/> on the node's
/// feed of the update log: an update reaches it when one of the update's topics matches one of its
/// selectors AND the update is public or one of its topics matches one of the token's <c>subscribe</c>
/// selectors. The update's frame is made once per node; the connection only copies it.
/// </summary>
public sealed class MercureSubscriber(IReadOnlyList<TopicSelector> selectors, IReadOnlyList<TopicSelector> granted, MercureClaims claims) : IEventFraming
{
    public IReadOnlyList<TopicSelector> Selectors { get; } = selectors;

    /// <summary>The token's <c>subscribe</c> selectors: which private updates it may receive.</summary>
    public IReadOnlyList<TopicSelector> Granted { get; } = granted;

    public MercureClaims Claims { get; } = claims;

    public bool CanReceive(MercureUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return TopicSelector.AnyMatch(Selectors, update.Topics)
            && (!update.IsPrivate || TopicSelector.AnyMatch(Granted, update.Topics));
    }

    /// <inheritdoc />
    public bool TryWrite(IBufferWriter<byte> output, FormattedEvent formatted)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(formatted);
        if (MercureUpdate.Of(formatted) is not { } update || !CanReceive(update))
            return false;
        output.Write(update.Frame);
        return true;
    }
}
