namespace Hub.Grains.Contracts;

/// <summary>
/// Where one channel of a topic stands (<see cref="ITopicGrain.GetChannelHeadAsync"/>): the topic grain
/// has appended up to <see cref="Head"/> in <see cref="Epoch"/>, and the channel's newest event among
/// those is at or before <see cref="Last"/>: nothing of the channel lies in (<see cref="Last"/>,
/// <see cref="Head"/>]. When the grain cannot vouch for the channel, <see cref="Last"/> is the head.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ChannelHead(
    [property: Id(0)] string Epoch,
    [property: Id(1)] long Head,
    [property: Id(2)] long Last);
