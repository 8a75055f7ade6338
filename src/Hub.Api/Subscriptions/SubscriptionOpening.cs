using Hub.Api.Cursors;

namespace Hub.Api.Subscriptions;

/// <summary>
/// What opening a subscription came to: a <see cref="Refusal"/> to send, or the checked topic set, where
/// the stream starts and the client's connection slot (released when the stream ends).
/// </summary>
public readonly record struct SubscriptionOpening(IResult? Refusal, TopicSet? Set, SubscriptionStart? Start, IDisposable? Slot)
{
    public static SubscriptionOpening Refused(IResult refusal) => new(refusal, null, null, null);
}
