using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Grains.Streams;

/// <summary>
/// One stream queue held in this silo's memory: producers enqueue objects, the queue's pulling agent (on
/// the same silo, the only one) drains it. Sequence numbers are the queue's own, in order.
/// <para>
/// A read of an empty queue waits for the next enqueue (up to <c>maxWait</c>) instead of answering "empty"
/// at once. Orleans runs one read loop per queue and starts it on the agent's timer only when none is
/// running, so the loop stays parked here and an event is handed to the agent the moment it is queued: the
/// stream hop no longer waits for the next poll, and the poll timer only restarts a loop that ended.
/// </para>
/// </summary>
internal sealed class InProcessQueue(int capacity, TimeSpan maxWait) : IQueueAdapterReceiver
{
    private static readonly IList<IBatchContainer> Nothing = Array.Empty<IBatchContainer>();

    private readonly Queue<InProcessBatch> _batches = new();
    private long _sequence;
    private TaskCompletionSource? _arrival;
    private bool _shutDown;

    public void Enqueue(StreamId streamId, IReadOnlyList<object> items)
    {
        TaskCompletionSource? arrival;
        lock (_batches)
        {
            // Bounded like Orleans' memory queue grain: a queue nobody drains refuses rather than grows, and
            // the topic grain, whose stream is best-effort, leaves the gap for API nodes to repair from the log.
            if (_batches.Count >= capacity)
                throw new InvalidOperationException($"The in-process stream queue is full ({capacity} messages).");
            _batches.Enqueue(new InProcessBatch(streamId, items, new EventSequenceTokenV2(++_sequence)));
            arrival = _arrival;
            _arrival = null;
        }
        arrival?.TrySetResult();
    }

    [Obsolete("Orleans calls the overload with a cancellation token.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        Task arrival;
        lock (_batches)
        {
            if (_batches.Count > 0 || _shutDown)
                return TakeLocked(maxCount);
            // Continuations run on the agent's own scheduler (the await captures it), never inline in a producer.
            _arrival ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrival = _arrival.Task;
        }
        try
        {
            await arrival.WaitAsync(maxWait, cancellationToken).ConfigureAwait(true);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Nothing came: the loop ends and the agent's timer starts the next one.
        }
        lock (_batches)
            return TakeLocked(maxCount);
    }

    private IList<IBatchContainer> TakeLocked(int maxCount)
    {
        var take = Math.Min(maxCount <= 0 ? int.MaxValue : maxCount, _batches.Count);
        if (take == 0)
            return Nothing;
        var batches = new List<IBatchContainer>(take);
        while (batches.Count < take)
            batches.Add(_batches.Dequeue());
        return batches;
    }

    [Obsolete("Orleans calls the overload with a cancellation token.")]
    public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

    public Task Initialize(TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;

    [Obsolete("Orleans calls the overload with a cancellation token.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken) => Task.CompletedTask;

    [Obsolete("Orleans calls the overload with a cancellation token.")]
    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource? arrival;
        lock (_batches)
        {
            _shutDown = true;
            arrival = _arrival;
            _arrival = null;
        }
        arrival?.TrySetResult();
        return Task.CompletedTask;
    }
}
