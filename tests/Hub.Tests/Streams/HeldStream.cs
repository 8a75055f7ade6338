using Hub.Grains.Contracts;
using Hub.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Tests.Streams;

/// <summary>
/// The embedded hub's own stream transport (<see cref="InProcessQueueAdapter"/>) with one topic's sends
/// held: a send on that stream waits until <see cref="Release"/>, as a stream call on its way to a dead
/// silo does, while the topic grain keeps acknowledging publishes. Every event sent on the held stream is
/// recorded, so a test can tell what the stream carried from what only the log had.
/// </summary>
public sealed class HeldStream
{
    private readonly TaskCompletionSource _caught = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<long> _sent = [];
    private StreamId? _held;

    /// <summary>Completes when a send on the held stream is waiting.</summary>
    public Task Caught => _caught.Task;

    /// <summary>The sequences of the events the held stream carried, in the order they were sent.</summary>
    public IReadOnlyList<long> Sent
    {
        get { lock (_sent) return [.. _sent]; }
    }

    /// <summary>Replaces the hub's stream transport with this one; call after the hub registered its own.</summary>
    public void Register(IServiceCollection services) =>
        services.AddKeyedSingleton<IQueueAdapterFactory>(HubStreams.Provider, (sp, _) => new Adapter(InProcessQueueAdapter.Create(sp, HubStreams.Provider), this));

    /// <summary>From now on, sends on <paramref name="topic"/>'s stream wait for <see cref="Release"/>.</summary>
    public void Hold(string topic) => _held = HubStreams.ForTopic(topic);

    public void Release() => _released.TrySetResult();

    private async Task BeforeSendAsync<T>(StreamId stream, IEnumerable<T> items)
    {
        if (_held != stream)
            return;
        if (!_released.Task.IsCompleted)
        {
            _caught.TrySetResult();
            await _released.Task;
        }
        lock (_sent)
        {
            foreach (var batch in items.OfType<EventBatch>())
                _sent.AddRange(batch.Events.Select(e => e.Sequence));
        }
    }

    private sealed class Adapter(InProcessQueueAdapter inner, HeldStream hold) : IQueueAdapterFactory, IQueueAdapter
    {
        public string Name => inner.Name;

        public bool IsRewindable => inner.IsRewindable;

        public StreamProviderDirection Direction => inner.Direction;

        public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

        public IQueueAdapterCache GetQueueAdapterCache() => inner.GetQueueAdapterCache();

        public IStreamQueueMapper GetStreamQueueMapper() => inner.GetStreamQueueMapper();

        public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => inner.GetDeliveryFailureHandler(queueId);

        public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => inner.CreateReceiver(queueId);

        public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
        {
            var items = events.ToList();
            await hold.BeforeSendAsync(streamId, items);
            await inner.QueueMessageBatchAsync(streamId, items, token, requestContext);
        }
    }
}
