using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace Hub.Grains.Streams;

/// <summary>
/// The stream transport of a single-silo hub (the embedded default): Orleans persistent streams whose
/// queues are plain in-memory queues of this process. Orleans' memory streams put every message through a
/// queue grain — serialized, a grain call to enqueue and another on every poll of every queue — which
/// exists so that several silos can share a queue; with one silo the producer and the pulling agent are
/// in the same process, so the queue can be a <see cref="ConcurrentQueue{T}"/>: events go through as
/// objects, an empty poll costs a check, not a grain call, and a short poll period stays cheap when idle.
/// Pub-sub, pulling agents, caching and delivery to consumers are Orleans' own, unchanged.
/// </summary>
public sealed class InProcessQueueAdapter : IQueueAdapterFactory, IQueueAdapter
{
    /// <summary>Messages a queue holds before it refuses more (Orleans' memory queue grain holds 16,384).</summary>
    public const int QueueCapacity = 16_384;

    /// <summary>
    /// Longest a read of an empty queue waits for an event before the read loop ends (the agent's timer
    /// starts the next). Long enough that an idle hub wakes rarely, short enough that the agent's own
    /// housekeeping between reads (cache purging, forgetting inactive streams) still runs.
    /// </summary>
    public static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(5);

    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly SimpleQueueAdapterCache _cache;
    private readonly ConcurrentDictionary<QueueId, InProcessQueue> _queues = new();
    private readonly NoOpStreamDeliveryFailureHandler _failureHandler = new();

    private InProcessQueueAdapter(string name, HashRingStreamQueueMapperOptions mapperOptions, SimpleQueueCacheOptions cacheOptions, ILoggerFactory loggers)
    {
        Name = name;
        _mapper = new HashRingBasedStreamQueueMapper(mapperOptions, name);
        _cache = new SimpleQueueAdapterCache(cacheOptions, name, loggers);
    }

    public static InProcessQueueAdapter Create(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new InProcessQueueAdapter(
            name,
            services.GetRequiredService<IOptionsMonitor<HashRingStreamQueueMapperOptions>>().Get(name),
            services.GetRequiredService<IOptionsMonitor<SimpleQueueCacheOptions>>().Get(name),
            services.GetRequiredService<ILoggerFactory>());
    }

    public string Name { get; }

    /// <summary>
    /// True: a subscription may start at the earliest event still in its agent's cache
    /// (<c>StreamSubscriptionStartPosition.EarliestAvailable</c>). API nodes' feeds do, because a
    /// subscription from the latest position can stay deaf in Orleans' simple cache when it joins a stream
    /// the agent already carries (see TopicFeed). Nothing older than the cache is ever asked for.
    /// </summary>
    public bool IsRewindable => true;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => Task.FromResult<IStreamFailureHandler>(_failureHandler);

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => Queue(queueId);

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (token is not null)
            throw new ArgumentException("In-process streams do not take producer sequence tokens.", nameof(token));
        var items = events is IReadOnlyCollection<T> { Count: 1 } one ? [one.First()!] : events.Cast<object>().ToArray();
        Queue(_mapper.GetQueueForStream(streamId)).Enqueue(streamId, items);
        return Task.CompletedTask;
    }

    private InProcessQueue Queue(QueueId queueId) => _queues.GetOrAdd(queueId, static _ => new InProcessQueue(QueueCapacity, MaxReadWait));
}
