using Hub.Api.Sse;
using Hub.Api.Subscriptions;

namespace Hub.Api.Topics;

/// <summary>A long-poll's ear on a topic's feed: completes when the feed delivers its next event.</summary>
internal sealed class NextEventSignal : IFeedListener
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Arrived => _arrived.Task;

    public int OnAdvanced(TopicFeed feed, ReadOnlySpan<FormattedEvent> fresh)
    {
        _arrived.TrySetResult();
        return 0;
    }
}
