using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Grains.Streams;

/// <summary>A subscription of the <see cref="LocalStreamProvider"/>, as the provider sees it: where to post.</summary>
internal interface ILocalSubscription
{
    StreamId StreamId { get; }

    /// <summary>Queues an item for the subscriber; never waits and never runs the subscriber on the caller's turn.</summary>
    void Post(object? item);
}

/// <summary>
/// One subscriber of an in-process stream and its mailbox. Posting queues the item and, unless a turn is
/// already under way, starts one on the thread pool that hands the subscriber everything queued, one item
/// at a time and in order. So a producer (a grain, on its own turn) never runs subscriber code, and a
/// subscriber that is idle holds nothing but this object.
/// </summary>
internal sealed class LocalSubscription<T>(LocalStreamProvider provider, StreamId streamId, IAsyncObserver<T> observer)
    : StreamSubscriptionHandle<T>, ILocalSubscription, IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<T> _mailbox = new();
    private IAsyncObserver<T> _observer = observer;
    private int _waiting;
    // 1 while a turn is scheduled or running: exactly one turn hands items to the observer at a time.
    private int _turn;
    // Set while newer items are dropped for a full mailbox, so the warning is logged once per episode.
    private bool _overflowing;
    private volatile bool _unsubscribed;

    public override Guid HandleId { get; } = Guid.NewGuid();

    public override StreamId StreamId { get; } = streamId;

    public override string ProviderName => provider.Name;

    public void Post(object? item)
    {
        if (_unsubscribed || item is not T typed)
            return;
        if (Interlocked.Increment(ref _waiting) > LocalStreamProvider.MailboxCapacity)
        {
            Interlocked.Decrement(ref _waiting);
            if (!_overflowing)
            {
                _overflowing = true;
                provider.MailboxFull(StreamId);
            }
            return;
        }
        _mailbox.Enqueue(typed);
        if (Interlocked.Exchange(ref _turn, 1) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => _ = HandOverAsync();

    private async Task HandOverAsync()
    {
        while (true)
        {
            while (_mailbox.TryDequeue(out var item))
            {
                Interlocked.Decrement(ref _waiting);
                if (_unsubscribed)
                    continue;
                try
                {
                    await _observer.OnNextAsync(item);
                }
                catch (Exception ex)
                {
                    // The subscriber's own failure: it does not stop the items behind this one.
                    provider.DeliveryFailed(StreamId, ex);
                }
            }
            _overflowing = false;
            Volatile.Write(ref _turn, 0);
            // An item posted after the last dequeue but before the turn ended saw a turn under way and
            // started none: take it on, unless another post has started a turn since.
            if (_mailbox.IsEmpty || Interlocked.Exchange(ref _turn, 1) != 0)
                return;
        }
    }

    public override Task UnsubscribeAsync()
    {
        _unsubscribed = true;
        provider.Remove(this);
        return Task.CompletedTask;
    }

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (token is not null)
            throw new NotSupportedException("In-process streams are not rewindable: they take no sequence tokens.");
        Volatile.Write(ref _observer, observer);
        return Task.FromResult<StreamSubscriptionHandle<T>>(this);
    }

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token = null) =>
        throw new NotSupportedException("In-process streams carry events only; batch observers are not supported.");

    public override bool Equals(StreamSubscriptionHandle<T>? other) => other is not null && other.HandleId == HandleId;

    public override bool Equals(object? obj) => obj is StreamSubscriptionHandle<T> other && Equals(other);

    public override int GetHashCode() => HandleId.GetHashCode();
}
