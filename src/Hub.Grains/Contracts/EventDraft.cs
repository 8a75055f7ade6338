namespace Hub.Grains.Contracts;

/// <summary>
/// An event as a publisher sends it, before the topic grain gives it a sequence. <see cref="Key"/> (null:
/// none) makes it a keyed event: the topic keeps its latest event per key beside the log (its state).
/// <see cref="Channels"/> (null: none) are the topic's channels the event also goes out on, besides the
/// topic's own stream: each channel is a stream of the events that name it, so an API node that needs
/// only some of a busy topic's events can subscribe to those. A channel is named <c>group:name</c>
/// (<see cref="EventRules.CheckChannels"/>); a publisher that uses a group names, for each event, every
/// channel of that group the event belongs to, so the grain can vouch that a channel had nothing in
/// between (<see cref="ChannelHead"/>). Channels are not stored: the log holds the event once.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EventDraft(
    [property: Id(0)] string Type,
    [property: Id(1)] string Data,
    [property: Id(2)] string? Key = null,
    [property: Id(3)] IReadOnlyList<string>? Channels = null);
