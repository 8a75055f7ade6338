using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Grains.Streams;

/// <summary>
/// A stream of the <see cref="LocalStreamProvider"/>: a handle on its stream id, cheap to make and to keep.
/// A send posts the item to each current subscription's mailbox and returns at once; the subscribers take
/// it on their own turns.
/// </summary>
internal sealed class LocalStream<T>(LocalStreamProvider provider, StreamId streamId) : IAsyncStream<T>
{
    public StreamId StreamId { get; } = streamId;

    public string ProviderName => provider.Name;

    public bool IsRewindable => false;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null)
    {
        RefuseToken(token);
        foreach (var subscription in provider.SubscriptionsOf(StreamId))
            subscription.Post(item);
        return Task.CompletedTask;
    }

    public async Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var item in batch)
            await OnNextAsync(item, token);
    }

    public Task OnCompletedAsync() => throw Unsupported("completion");

    public Task OnErrorAsync(Exception ex) => throw Unsupported("errors");

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        RefuseToken(token);
        if (filterData is not null)
            throw Unsupported("filters");
        var subscription = new LocalSubscription<T>(provider, StreamId, observer);
        provider.Add(subscription);
        return Task.FromResult<StreamSubscriptionHandle<T>>(subscription);
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer) => throw Unsupported("batch observers");

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token) => throw Unsupported("batch observers");

    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles() =>
        Task.FromResult<IList<StreamSubscriptionHandle<T>>>([.. provider.SubscriptionsOf(StreamId).OfType<StreamSubscriptionHandle<T>>()]);

    public bool Equals(IAsyncStream<T>? other) => other is not null && other.StreamId == StreamId && other.ProviderName == ProviderName;

    public override bool Equals(object? obj) => obj is IAsyncStream<T> other && Equals(other);

    public override int GetHashCode() => StreamId.GetHashCode();

    public int CompareTo(IAsyncStream<T>? other) => other is null ? 1 : StreamId.CompareTo(other.StreamId);

    public override string ToString() => $"{ProviderName}/{StreamId}";

    /// <summary>Sequence tokens mean rewinding, which an in-process stream with no cache cannot do.</summary>
    private static void RefuseToken(StreamSequenceToken? token)
    {
        if (token is not null)
            throw new NotSupportedException("In-process streams are not rewindable: they take no sequence tokens.");
    }

    private static NotSupportedException Unsupported(string what) => new($"In-process streams carry events only; {what} are not supported.");
}
