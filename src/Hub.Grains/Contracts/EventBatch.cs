namespace Hub.Grains.Contracts;

/// <summary>
/// The item carried on a topic's Orleans stream: the events of one log append, consecutive and in
/// order. Batching keeps a hot topic to one stream message per group commit instead of one per event.
/// <para>
/// On a channel's stream (<see cref="HubStreams.ForChannel"/>) the events are those of the channel, in
/// order but not consecutive: <see cref="Previous"/> is then the sequence at or after which the
/// channel's event before the first one lies (0: none), and nothing of the channel lies between the
/// events of the batch. A node that has seen the topic up to <see cref="Previous"/> knows it missed
/// nothing; else it reads the gap from the log. Null on the topic's own stream, whose sequences say it.
/// </para>
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EventBatch([property: Id(0)] IReadOnlyList<TopicEvent> Events, [property: Id(1)] long? Previous = null);
