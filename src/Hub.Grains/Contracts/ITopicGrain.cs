namespace Hub.Grains.Contracts;

/// <summary>
/// The single writer of one topic (the grain key is the topic name). It validates events, assigns
/// consecutive sequences, appends them to the event log and then publishes them on the topic's stream
/// (<see cref="HubStreams"/>). A publish is acknowledged only after the log has it.
/// </summary>
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>Stores one event. Throws <see cref="ArgumentException"/> for an invalid draft.</summary>
    Task<PublishResult> PublishAsync(EventDraft draft);

    /// <summary>Stores several events all-or-nothing, with consecutive sequences in the given order.</summary>
    Task<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventDraft> drafts);

    /// <summary>Where the topic's log stands.</summary>
    Task<TopicInfo> GetInfoAsync();

    /// <summary>Up to <paramref name="limit"/> retained events with a sequence above <paramref name="afterSequence"/>.</summary>
    Task<EventPage> ReadAfterAsync(long afterSequence, int limit);
}
