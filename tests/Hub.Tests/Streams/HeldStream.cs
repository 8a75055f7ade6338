using Hub.Grains.Contracts;
using Hub.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Tests.Streams;

/// <summary>
/// The embedded hub's own stream provider (<see cref="LocalStreamProvider"/>) with one topic's sends held:
/// a send on that stream waits until <see cref="Release"/>, as a stream call on its way to a dead silo
/// does, while the topic grain keeps acknowledging publishes. Every event sent on the held stream is
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

    /// <summary>Replaces the hub's stream provider with this one; call after the hub registered its own.</summary>
    public void Register(IServiceCollection services) =>
        services.AddKeyedSingleton<IStreamProvider>(HubStreams.Provider, (sp, _) =>
            new Provider(new LocalStreamProvider(HubStreams.Provider, sp.GetRequiredService<ILogger<LocalStreamProvider>>()), this));

    /// <summary>From now on, sends on <paramref name="topic"/>'s stream wait for <see cref="Release"/>.</summary>
    public void Hold(string topic) => _held = HubStreams.ForTopic(topic);

    public void Release() => _released.TrySetResult();

    private async Task BeforeSendAsync(StreamId stream, object? item)
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
            if (item is EventBatch batch)
                _sent.AddRange(batch.Events.Select(e => e.Sequence));
        }
    }

    private sealed class Provider(LocalStreamProvider inner, HeldStream hold) : IStreamProvider
    {
        public string Name => inner.Name;

        public bool IsRewindable => inner.IsRewindable;

        public IAsyncStream<T> GetStream<T>(StreamId streamId) => new Stream<T>(inner.GetStream<T>(streamId), hold);
    }

    /// <summary>The inner stream with its sends going through <see cref="BeforeSendAsync"/> first.</summary>
    private sealed class Stream<T>(IAsyncStream<T> inner, HeldStream hold) : IAsyncStream<T>
    {
        public StreamId StreamId => inner.StreamId;

        public string ProviderName => inner.ProviderName;

        public bool IsRewindable => inner.IsRewindable;

        public async Task OnNextAsync(T item, StreamSequenceToken? token = null)
        {
            await hold.BeforeSendAsync(StreamId, item);
            await inner.OnNextAsync(item, token);
        }

        public async Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null)
        {
            foreach (var item in batch)
                await OnNextAsync(item, token);
        }

        public Task OnCompletedAsync() => inner.OnCompletedAsync();

        public Task OnErrorAsync(Exception ex) => inner.OnErrorAsync(ex);

        public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => inner.SubscribeAsync(observer);

        public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null) => inner.SubscribeAsync(observer, token, filterData);

        public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer) => inner.SubscribeAsync(observer);

        public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token) => inner.SubscribeAsync(observer, token);

        public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles() => inner.GetAllSubscriptionHandles();

        public bool Equals(IAsyncStream<T>? other) => inner.Equals(other);

        public int CompareTo(IAsyncStream<T>? other) => inner.CompareTo(other);
    }
}
