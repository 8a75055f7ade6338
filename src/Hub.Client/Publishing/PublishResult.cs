namespace Hub.Client.Publishing;

/// <summary>Where the hub stored a published event: its topic, its sequence there and its id (a cursor just after it).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Sequence">The event's sequence in the topic.</param>
/// <param name="Id">The event's id: a single-topic cursor.</param>
public sealed record PublishResult(string Topic, long Sequence, string Id);
