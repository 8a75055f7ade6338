namespace Hub.Grains.Contracts;

/// <summary>
/// The single writer of one topic (the grain key is the topic name). It validates events, assigns
/// consecutive sequences, appends them to the event log and then publishes them on the topic's stream
/// (<see cref="HubStreams"/>). A publish is acknowledged only after the log has it. A publish that finds
/// the grain's queue full fails with <see cref="PublishQueueFullException"/>.
/// </summary>
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>Stores one event. Throws <see cref="ArgumentException"/> for an invalid draft.</summary>
    ValueTask<PublishResult> PublishAsync(EventDraft draft);

    /// <summary>Stores several events all-or-nothing, with consecutive sequences in the given order.</summary>
    ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventDraft> drafts);

    /// <summary>
    /// Stores one event (<paramref name="isBatch"/> false, one draft) or a batch at most once per
    /// <paramref name="idempotencyKey"/>: a retry with the same key and content within the idempotency
    /// window stores nothing and returns the original results (<see cref="IdempotentPublishResult.Replayed"/>),
    /// also after the grain moved to another silo. Throws <see cref="IdempotencyKeyReusedException"/>
    /// when the key was used for different content, <see cref="ArgumentException"/> for an invalid key
    /// or draft.
    /// </summary>
    ValueTask<IdempotentPublishResult> PublishIdempotentAsync(string idempotencyKey, IReadOnlyList<EventDraft> drafts, bool isBatch);

    /// <summary>
    /// Told by an API node that delivered up to <paramref name="deliveredHead"/> in <paramref name="epoch"/>
    /// and now finds the log's head behind it: the log lost events that were acknowledged (Redis restored
    /// from a file that missed its last writes). If the log is still in that epoch and behind, the topic
    /// starts a new epoch, so subscribers get a reset instead of having the lost sequences reused under
    /// them. Returns where the log stands afterwards.
    /// </summary>
    Task<TopicInfo> RenewIfBehindAsync(string epoch, long deliveredHead);

    /// <summary>Where the topic's log stands.</summary>
    Task<TopicInfo> GetInfoAsync();

    /// <summary>
    /// Where <paramref name="channel"/> stands: what this grain appended, and at or before which sequence
    /// the channel's newest event lies (<see cref="ChannelHead"/>). Answered from the grain's memory,
    /// in step with its appends, so no append in flight can slip between the two figures.
    /// </summary>
    Task<ChannelHead> GetChannelHeadAsync(string channel);

    /// <summary>The latest event of every key the topic keeps, oldest first, with where its log stands.</summary>
    Task<TopicState> GetStateAsync();

    /// <summary>Up to <paramref name="limit"/> retained events with a sequence above <paramref name="afterSequence"/>.</summary>
    Task<EventPage> ReadAfterAsync(long afterSequence, int limit);
}
