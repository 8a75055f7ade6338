using System.Collections.Immutable;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Sse;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Orleans.Streams;

namespace Hub.Api.Subscriptions;

/// <summary>
/// This node's one stream subscription to one topic, shared by all of the node's connections to it.
/// It forwards each live event, formatted once, to every attached connection, and keeps the node's
/// view of the topic gap-free: the stream is best-effort, the log is the truth, so a sequence that
/// jumps ahead makes the feed fetch what it skipped from the topic grain before delivering on.
/// </summary>
public sealed partial class TopicFeed : IAsyncObserver<EventBatch>
{
    private const int RepairPageSize = 500;

    private readonly IGrainFactory _grains;
    private readonly IStreamProvider _streams;
    private readonly ILogger _logger;
    private readonly HubMetrics _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Guards the position and the recent events for connections reading them from their own threads;
    // only the feed (under _gate) writes them.
    private readonly Lock _state = new();
    private readonly RecentEvents _recent;
    private ImmutableArray<SseConnection> _connections = [];
    private StreamSubscriptionHandle<EventBatch>? _subscription;
    private bool _ready;
    private string _epoch = "";
    private long _last;

    private readonly TimeSpan _maxAge;

    public TopicFeed(string topic, IGrainFactory grains, IStreamProvider streams, HubMetrics metrics, SubscriptionOptions options, RetentionOptions retention, ILogger logger)
    {
        // Never hold more than the log retains, so a resume gets the same answer from node memory as
        // from the log (the same Hub:Retention keys are given to silos and API nodes).
        _recent = new RecentEvents(Math.Min(options.RecentEventsPerTopic, retention.MaxEventsPerTopic), options.RecentBytesPerTopic);
        _maxAge = retention.MaxAge;
        _metrics = metrics;
        Topic = topic;
        _grains = grains;
        _streams = streams;
        _logger = logger;
        Ready = StartAsync();
    }

    public string Topic { get; }

    /// <summary>Completes once the stream subscription stands and the feed knows the topic's head.</summary>
    public Task Ready { get; }

    public int ConnectionCount => _connections.Length;

    /// <summary>The sequence of the last event this node delivered for the topic (its position, not the cluster's).</summary>
    public long LastSequence => Volatile.Read(ref _last);

    /// <summary>The delivered events after <paramref name="after"/>, if this node still holds all of them.</summary>
    public bool TryCopyRecent(TopicPosition after, List<FormattedEvent> into)
    {
        var notBefore = DateTimeOffset.UtcNow - _maxAge;
        lock (_state)
            return _recent.TryCopyAfter(after.Epoch, after.Sequence, into, notBefore);
    }

    /// <summary>Where the feed stood once it was ready: the live start of connections that joined before that.</summary>
    public TopicPosition InitialPosition { get; private set; }

    /// <summary>
    /// Joins a connection to the feed and returns where the feed stands at that very moment (null while
    /// the feed is still starting: then <see cref="InitialPosition"/>). Taken under the same lock that
    /// <see cref="Forward"/> holds, it is an exact live start: every later event reaches the
    /// connection's queue, every earlier one is behind the position.
    /// </summary>
    internal TopicPosition? Add(SseConnection connection)
    {
        lock (_state)
        {
            _connections = _connections.Add(connection);
            return _ready ? new TopicPosition(_epoch, _last) : null;
        }
    }

    internal void Remove(SseConnection connection)
    {
        lock (_state)
            _connections = _connections.Remove(connection);
    }

    public async Task OnNextAsync(EventBatch item, StreamSequenceToken? token = null)
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var e in item.Events)
                await DeliverAsync(e);
        }
        catch (Exception ex)
        {
            // Contained: the head check fetches whatever this batch did not deliver.
            LogDeliveryFailed(_logger, ex, Topic);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(_logger, ex, Topic);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Asks the topic grain for its head and delivers anything this node has not seen: the cure for a
    /// lost last event or a subscription that went silent.
    /// </summary>
    public async Task CatchUpWithHeadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var info = await Grain.GetInfoAsync();
            if (info.Epoch != _epoch || info.Head > _last)
            {
                LogHeadAhead(_logger, Topic, _last, info.Head);
                _metrics.GapRepaired("head_check");
                await RepairAsync(info.Epoch, info.Head + 1);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes sure the stream subscription still exists, re-subscribing when the cluster dropped it.</summary>
    public async Task EnsureSubscribedAsync()
    {
        var handles = await Stream.GetAllSubscriptionHandles();
        if (_subscription is not null && handles.Any(h => h.HandleId == _subscription.HandleId))
            return;
        LogResubscribing(_logger, Topic);
        _subscription = await Stream.SubscribeAsync(this);
    }

    public async Task StopAsync()
    {
        try
        {
            await Ready;
            if (_subscription is not null)
                await _subscription.UnsubscribeAsync();
        }
        catch (Exception ex)
        {
            // The cluster forgets subscriptions of a client that goes away, so this is only tidiness.
            LogUnsubscribeFailed(_logger, ex, Topic);
        }
    }

    private ITopicGrain Grain => _grains.GetGrain<ITopicGrain>(Topic);

    private IAsyncStream<EventBatch> Stream => _streams.GetStream<EventBatch>(HubStreams.ForTopic(Topic));

    private async Task StartAsync()
    {
        // The gate is held from before subscribing until the head is known, so no live event is judged
        // against a position the feed does not have yet.
        await _gate.WaitAsync();
        try
        {
            _subscription = await Stream.SubscribeAsync(this);
            // Everything up to this head is in the log; connections read it there themselves.
            var info = await Grain.GetInfoAsync();
            lock (_state)
            {
                _epoch = info.Epoch;
                Volatile.Write(ref _last, info.Head);
                InitialPosition = new TopicPosition(info.Epoch, info.Head);
                _ready = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DeliverAsync(TopicEvent e)
    {
        if (e.Epoch == _epoch && e.Sequence <= _last)
            return; // already delivered (repair or head check got there first)
        if (e.Epoch != _epoch || e.Sequence > _last + 1)
        {
            LogGapRepair(_logger, Topic, _last, e.Sequence);
            _metrics.GapRepaired("stream");
            await RepairAsync(e.Epoch, e.Sequence);
            if (e.Epoch != _epoch || e.Sequence != _last + 1)
                return;
        }
        Forward(e);
    }

    /// <summary>Fetches and forwards the log's events from the node's position up to (not including) <paramref name="until"/>.</summary>
    private async Task RepairAsync(string epoch, long until)
    {
        if (epoch != _epoch)
        {
            // The topic's log was lost and restarted: connections see the epoch change and reset themselves.
            lock (_state)
            {
                _epoch = epoch;
                Volatile.Write(ref _last, 0);
                _recent.Clear();
            }
        }
        while (_last + 1 < until)
        {
            var page = await Grain.ReadAfterAsync(_last, (int)Math.Min(RepairPageSize, until - _last - 1));
            if (page.Info.Epoch != _epoch || page.Events.Count == 0)
                return;
            foreach (var e in page.Events)
                Forward(e);
        }
    }

    private void Forward(TopicEvent e)
    {
        var formatted = new FormattedEvent(e);
        ImmutableArray<SseConnection> connections;
        lock (_state)
        {
            Volatile.Write(ref _last, e.Sequence);
            _recent.Add(formatted);
            connections = _connections;
        }
        foreach (var connection in connections)
            connection.TryEnqueue(formatted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering events of topic {Topic} failed; the head check will catch up")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stream of topic {Topic} reported an error")]
    private static partial void LogStreamError(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: live event {Sequence} arrived after {LastSequence}; fetching the gap from the log")]
    private static partial void LogGapRepair(ILogger logger, string topic, long lastSequence, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: head {Head} is ahead of this node's {LastSequence}; catching up from the log")]
    private static partial void LogHeadAhead(ILogger logger, string topic, long lastSequence, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: the stream subscription was gone; subscribing again")]
    private static partial void LogResubscribing(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from topic {Topic} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string topic);
}
