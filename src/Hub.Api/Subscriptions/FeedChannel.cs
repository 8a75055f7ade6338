using Hub.Grains.Contracts;

namespace Hub.Api.Subscriptions;

/// <summary>
/// One channel of a topic (<see cref="EventDraft.Channels"/>) that a feed listens to instead of the
/// whole topic: <see cref="Name"/> picks the channel's stream, <see cref="Contains"/> tells which of
/// the topic's events belong to it when the feed repairs a gap from the log, which holds the whole
/// topic. It must agree with the channels the events were published with.
/// </summary>
public sealed record FeedChannel(string Name, Func<TopicEvent, bool> Contains);
