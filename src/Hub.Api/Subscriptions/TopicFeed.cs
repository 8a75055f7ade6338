using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Sse;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;
using Orleans.Streams;

namespace Hub.Api.Subscriptions;

/// <summary>
/// This node's one stream subscription to one topic, shared by all of the node's connections to it.
/// Each live event is formatted once and appended to the feed's recent events (a ring); then the feed
/// walks its listeners once per batch, and each idle connection copies the new bytes straight into its
/// response (see <see cref="SseConnection"/>). A connection still flushing catches up from the ring by
/// sequence later, so no connection queues anything of its own. The feed keeps the node's view of the
/// topic gap-free: the stream is best-effort, the log is the truth, so a sequence that jumps ahead makes
/// the feed fetch what it skipped from the topic grain before delivering on.
/// <para>
/// A feed of one <see cref="Channel"/> of the topic listens to that channel's stream only: its events
/// have holes between their sequences, and each stream batch says where the channel's previous event
/// was (<see cref="EventBatch.Previous"/>), which is how the feed knows it missed nothing. Its position
/// is still the topic's sequence (everything up to it was seen, most of it not of the channel), so
/// listeners, resumes and the log speak the same positions for both kinds of feed.
/// </para>
/// <para>
/// Lifecycle: starting (subscribing, reading the head) → running → stopped, when its last listener
/// left. A stopped feed never subscribes again, and a start that fails after subscribing unsubscribes.
/// </para>
/// </summary>
public sealed partial class TopicFeed : IAsyncObserver<EventBatch>
{
    private const int RepairPageSize = 500;

    /// <summary>How long a new subscription's first probe may take to come back; each further try waits twice as long.</summary>
    private static readonly TimeSpan FirstProbeWait = TimeSpan.FromMilliseconds(250);

    /// <summary>Probes (and fresh subscriptions) tried before the feed starts anyway and leaves a deaf stream to the head check.</summary>
    private const int MaxProbes = 4;

    /// <summary>An empty batch: what a feed sends on its own stream to learn that its subscription delivers. Every feed ignores it.</summary>
    private static readonly EventBatch Probe = new([]);

    private readonly IGrainFactory _grains;
    private readonly IStreamProvider _streams;
    private readonly ILogger _logger;
    private readonly HubMetrics _metrics;
    // Serialises everything that moves the feed: stream batches, gap repair, head checks, (re)subscribing.
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Guards the position, the recent events and the listener set for listeners reading them from their
    // own threads; only the feed (under _gate) moves the position. Never held while calling a listener.
    private readonly Lock _state = new();
    private readonly RecentEvents _recent;
    private readonly HistoryPages _history;
    private readonly HashSet<IFeedListener> _listeners = [];
    // The listeners as an array for the delivery walk, rebuilt only when the set changed since the last walk.
    private IFeedListener[]? _walk = [];
    private StreamSubscriptionHandle<EventBatch>? _subscription;
    // Completed by the first batch the current subscription delivers (a probe or events): it listens.
    private TaskCompletionSource _heard = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ready;
    private volatile bool _stopped;
    private string _epoch = "";
    private long _last;
    private long _oldestHeld;
    private long _received;

    private readonly TimeSpan _maxAge;

    public TopicFeed(string topic, IGrainFactory grains, IStreamProvider streams, HubMetrics metrics, SubscriptionOptions options, RetentionOptions retention, int replayPageSize, ILogger logger, FeedChannel? channel = null)
    {
        Channel = channel;
        var limits = retention.For(topic);
        // The hub's internal topics keep their events too: Mercure decodes its updates from them.
        _recent = new RecentEvents(options.RecentEventsFor(limits.MaxEvents), options.RecentBytesPerTopic,
            keepEvents: topic.StartsWith(EventRules.InternalTopicPrefix, StringComparison.Ordinal));
        _history = new HistoryPages(() => Grain, replayPageSize, options.RecentBytesPerTopic);
        _maxAge = limits.MaxAge;
        _metrics = metrics;
        Topic = topic;
        _grains = grains;
        _streams = streams;
        _logger = logger;
        Ready = StartAsync();
    }

    public string Topic { get; }

    /// <summary>The channel of the topic this feed listens to; null: the whole topic.</summary>
    public FeedChannel? Channel { get; }

    /// <summary>Events that arrived on this feed's stream subscription (not those repaired from the log).</summary>
    public long StreamEventsReceived => Interlocked.Read(ref _received);

    /// <summary>Completes once the stream subscription stands and the feed knows the topic's head.</summary>
    public Task Ready { get; }

    /// <summary>True once <see cref="StopAsync"/> began: the feed will never subscribe or deliver again.</summary>
    public bool IsStopped => _stopped;

    public int ConnectionCount
    {
        get
        {
            lock (_state)
                return _listeners.Count;
        }
    }

    /// <summary>The sequence of the last event this node delivered for the topic (its position, not the cluster's).</summary>
    public long LastSequence => Volatile.Read(ref _last);

    /// <summary>
    /// The oldest sequence the feed still holds in its recent events: a listener behind it can no longer
    /// catch up from the feed. Read during the feed's own delivery walk, so it is exact there.
    /// </summary>
    public long OldestHeld => Volatile.Read(ref _oldestHeld);

    /// <summary>
    /// Copies the feed's events after <paramref name="after"/> into <paramref name="into"/>. With
    /// <paramref name="notBefore"/> (a resume) an event older than that counts as evicted, as the log's
    /// age retention would have dropped it; a live connection catching up passes the default.
    /// </summary>
    public FeedRead ReadAfter(TopicPosition after, List<FormattedEvent> into, DateTimeOffset notBefore = default)
    {
        lock (_state)
        {
            if (!after.IsIn(_epoch))
                return FeedRead.OtherEpoch;
            if (after.Sequence >= _last)
                return FeedRead.Served; // nothing newer yet (a position read from the log may even be ahead)
            return _recent.TryCopyAfter(_epoch, after.Sequence, into, notBefore) ? FeedRead.Served : FeedRead.Evicted;
        }
    }

    /// <summary>
    /// The log's events after <paramref name="after"/> (to the end of a page), formatted once for the
    /// whole node and shared by every connection replaying them (<see cref="HistoryPages"/>).
    /// </summary>
    public Task<(TopicInfo Info, ArraySegment<FormattedEvent> Events)> ReadHistoryAsync(TopicPosition after) => _history.ReadAfterAsync(after.Epoch, after.Sequence);

    /// <summary>The oldest moment a resume may be served from this node's memory (the log's age retention).</summary>
    public DateTimeOffset ResumableSince => DateTimeOffset.UtcNow - _maxAge;

    /// <summary>Where the feed stood once it was ready: the live start of listeners that joined before that.</summary>
    public TopicPosition InitialPosition { get; private set; }

    /// <summary>
    /// Joins a listener to the feed and returns where the feed stands at that very moment (null while
    /// the feed is still starting: then <see cref="InitialPosition"/>). Taken under the lock that
    /// appending holds, it is an exact live start: every later event is appended after it, so the
    /// listener either sees it in the delivery walk or finds it in the recent events.
    /// </summary>
    internal TopicPosition? Add(IFeedListener listener)
    {
        lock (_state)
        {
            if (_listeners.Add(listener))
                _walk = null;
            return _ready ? new TopicPosition(_epoch, _last) : null;
        }
    }

    internal void Remove(IFeedListener listener)
    {
        lock (_state)
        {
            if (_listeners.Remove(listener))
                _walk = null;
        }
    }

    public async Task OnNextAsync(EventBatch item, StreamSequenceToken? token = null)
    {
        // Before the gate: a start holds it while it waits to hear its subscription deliver.
        Volatile.Read(ref _heard).TrySetResult();
        if (item.Events.Count == 0)
            return; // a probe (this feed's or another node's): nothing to deliver
        Interlocked.Add(ref _received, item.Events.Count);
        _metrics.StreamEventsReceived(item.Events.Count, Channel is not null);
        await _gate.WaitAsync();
        try
        {
            if (!_stopped)
                await DeliverAsync(item.Events, item.Previous);
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
    /// lost last event or a subscription that went silent. A head behind the node's in the same epoch
    /// means the log lost events: that becomes an epoch change, which resets the listeners.
    /// </summary>
    public async Task CatchUpWithHeadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_stopped || (Channel is not null && await CatchUpWithChannelAsync(Channel)))
                return;
            var info = await Grain.GetInfoAsync();
            if (info.Epoch == _epoch && info.Head < _last)
            {
                // The log is behind what this node delivered, in the same epoch: it lost acknowledged
                // events. New events would get their sequences, which every listener past them skips;
                // the grain starts a new epoch instead, and the repair below resets the listeners.
                LogHeadWentBack(_logger, Topic, _epoch, _last, info.Head);
                info = await Grain.RenewIfBehindAsync(_epoch, _last);
            }
            // A topic with no life yet answers a fresh epoch on every read: with nothing on either side there is
            // nothing to repair.
            var nothingEither = info.Head == 0 && _last == 0;
            if ((info.Epoch != _epoch && !nothingEither) || info.Head > _last)
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

    /// <summary>
    /// The head check of a channel's feed, answered by the grain from memory: repairs up to the channel's
    /// last event if the node has not seen it, and moves past the rest of the topic, which holds nothing
    /// of the channel. False when the grain and the node are in different epochs (or the grain knows
    /// less than the node): then the topic's head decides, as for a topic's feed.
    /// </summary>
    private async Task<bool> CatchUpWithChannelAsync(FeedChannel channel)
    {
        var head = await Grain.GetChannelHeadAsync(channel.Name);
        if (head.Epoch != _epoch || head.Head < _last)
            return false;
        if (head.Last > _last)
        {
            LogHeadAhead(_logger, Topic, _last, head.Last);
            _metrics.GapRepaired("head_check");
            await RepairAsync(_epoch, head.Last + 1);
        }
        if (head.Last <= _last)
            Skip(head.Head);
        return true;
    }

    /// <summary>
    /// Makes sure the stream subscription still exists, re-subscribing when the cluster dropped it; a
    /// stopped feed is left alone (the watchdog may hold it in a snapshot taken before it stopped).
    /// </summary>
    public async Task EnsureSubscribedAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_stopped)
                return;
            var handles = await Stream.GetAllSubscriptionHandles();
            if (_subscription is not null && handles.Any(h => h.HandleId == _subscription.HandleId))
                return;
            LogResubscribing(_logger, Topic);
            await SubscribeHeardAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the feed for good: it unsubscribes and ignores whatever the stream still brings.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        // After the gate, nothing else can be subscribing: a start or a re-subscribe in progress ends first.
        await _gate.WaitAsync();
        try
        {
            if (_subscription is not null)
                await _subscription.UnsubscribeAsync();
            _subscription = null;
        }
        catch (Exception ex)
        {
            // The cluster forgets subscriptions of a client that goes away, so this is only tidiness.
            LogUnsubscribeFailed(_logger, ex, Topic);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ITopicGrain Grain => _grains.GetGrain<ITopicGrain>(Topic);

    private IAsyncStream<EventBatch> Stream => _streams.GetStream<EventBatch>(Channel is null ? HubStreams.ForTopic(Topic) : HubStreams.ForChannel(Topic, Channel.Name));

    private async Task StartAsync()
    {
        // The gate is held from before subscribing until the head is known, so no live event is judged
        // against a position the feed does not have yet.
        await _gate.WaitAsync();
        try
        {
            if (_stopped)
                throw new OperationCanceledException($"The feed of topic {Topic} stopped before it started.");
            await SubscribeHeardAsync();
            // Everything up to this head is in the log; connections read it there themselves, and every
            // event after it reaches the subscription, which is heard to deliver.
            var info = await Grain.GetInfoAsync();
            lock (_state)
            {
                _epoch = info.Epoch;
                Volatile.Write(ref _last, info.Head);
                _recent.Restart(info.Epoch, info.Head);
                InitialPosition = new TopicPosition(info.Epoch, info.Head);
                _ready = true;
            }
        }
        catch
        {
            // A subscription without a running feed would receive a topic nobody reads, for good.
            await UnsubscribeQuietlyAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Subscribes to the feed's stream and returns once the subscription is heard to deliver. Orleans'
    /// <c>SubscribeAsync</c> returns before the stream's pulling agent has a cursor for the new
    /// subscription (the agent is told without being waited for), so an event queued meanwhile can pass it
    /// by; and on a stream the agent already carries, a subscription from the latest position could stay
    /// deaf for good in Orleans' simple queue cache (its cursor waits for a token the cache has since
    /// purged: QueueCacheMissException on every later batch of the stream). (The embedded hub's in-process
    /// provider subscribes at once and hears the first probe on its next turn.) A connection's headers go
    /// out once its feeds are ready, and every event published after them must arrive, so: where the
    /// provider can, the subscription starts at the earliest event still cached (the feed skips what it has
    /// by sequence), and the feed sends empty batches (<see cref="Probe"/>) on its stream until one comes
    /// back, subscribing afresh whenever one does not; only then does the caller read the head. After
    /// <see cref="MaxProbes"/> tries it goes on with a warning, and the head check covers the stream.
    /// Runs under the gate.
    /// </summary>
    private async Task SubscribeHeardAsync()
    {
        var from = _streams.IsRewindable ? StreamSubscriptionStartPosition.EarliestAvailable : StreamSubscriptionStartPosition.Latest;
        var wait = FirstProbeWait;
        for (var attempt = 1; ; attempt++)
        {
            Volatile.Write(ref _heard, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _subscription = await Stream.SubscribeAsync(this, from);
            try
            {
                await Stream.OnNextAsync(Probe);
            }
            catch (Exception ex)
            {
                // The wait below still hears any other batch; a failed send only costs the wait.
                LogProbeFailed(_logger, ex, Topic);
            }
            try
            {
                await _heard.Task.WaitAsync(wait);
                return;
            }
            catch (TimeoutException)
            {
                // Not heard within the wait: below, try again or give up.
            }
            if (attempt == MaxProbes)
            {
                LogNotHeard(_logger, Topic, attempt);
                return;
            }
            // Deaf (or slow): a fresh subscription gets a fresh cursor.
            await UnsubscribeQuietlyAsync();
            wait *= 2;
        }
    }

    private async Task UnsubscribeQuietlyAsync()
    {
        try
        {
            if (_subscription is not null)
                await _subscription.UnsubscribeAsync();
        }
        catch (Exception ex)
        {
            LogUnsubscribeFailed(_logger, ex, Topic);
        }
        _subscription = null;
    }

    /// <summary>
    /// Appends the batch's new events (repairing any gap from the log first) and walks the listeners.
    /// <paramref name="previous"/> is a channel batch's <see cref="EventBatch.Previous"/>; null on a
    /// topic's stream, where the event before each is the sequence before it.
    /// </summary>
    private async Task DeliverAsync(IReadOnlyList<TopicEvent> events, long? previous)
    {
        List<FormattedEvent>? fresh = null;
        for (var k = 0; k < events.Count; k++)
        {
            var e = events[k];
            var before = previous is null ? e.Sequence - 1 : k == 0 ? previous.Value : events[k - 1].Sequence;
            if (e.Epoch == _epoch && e.Sequence <= _last)
                continue; // already delivered (repair or head check got there first)
            if (e.Epoch != _epoch && before == 0 && _last == 0)
                SwitchEpoch(e.Epoch); // the topic's first event: its life (epoch) begins here, there is no gap
            if (e.Epoch != _epoch || before > _last)
            {
                // What came before the gap goes out first, so every listener still sees its topic in order.
                Walk(fresh);
                fresh = null;
                LogGapRepair(_logger, Topic, _last, e.Sequence);
                _metrics.GapRepaired("stream");
                await RepairAsync(e.Epoch, e.Sequence);
                if (e.Epoch != _epoch || e.Sequence != _last + 1)
                    continue;
            }
            (fresh ??= new List<FormattedEvent>(events.Count)).Add(Append(e));
        }
        Walk(fresh);
    }

    /// <summary>
    /// Fetches and delivers the log's events from the node's position up to (not including)
    /// <paramref name="until"/>; a channel's feed delivers those of its channel and moves past the rest.
    /// </summary>
    private async Task RepairAsync(string epoch, long until)
    {
        // The topic's log was lost and restarted: connections see the epoch change and reset themselves.
        if (epoch != _epoch)
            SwitchEpoch(epoch);
        while (_last + 1 < until)
        {
            var page = await Grain.ReadAfterAsync(_last, (int)Math.Min(RepairPageSize, until - _last - 1));
            if (page.Info.Epoch != _epoch || page.Events.Count == 0)
                return;
            var fresh = new List<FormattedEvent>(page.Events.Count);
            foreach (var e in page.Events)
            {
                if (e.Sequence > _last + 1)
                    Restart(e.Sequence - 1); // the log no longer holds what came between (retention passed it)
                if (Channel is null || Channel.Contains(e))
                    fresh.Add(Append(e));
                else
                    Skip(e.Sequence);
            }
            Walk(fresh);
        }
    }

    /// <summary>Starts over in <paramref name="epoch"/>: nothing of the old one is held any more.</summary>
    private void SwitchEpoch(string epoch)
    {
        lock (_state)
        {
            _epoch = epoch;
            Volatile.Write(ref _last, 0);
            Volatile.Write(ref _oldestHeld, 0);
            _recent.Restart(epoch, 0);
        }
        _history.Clear();
    }

    /// <summary>Formats the next event once for the whole node and makes it the feed's newest (the caller checked that nothing came between).</summary>
    private FormattedEvent Append(TopicEvent e)
    {
        FormattedEvent formatted;
        lock (_state)
        {
            formatted = _recent.Add(e, _last);
            Volatile.Write(ref _last, e.Sequence);
            Volatile.Write(ref _oldestHeld, _recent.Count == 0 ? 0 : _recent.ServesAfter + 1);
        }
        return formatted;
    }

    /// <summary>A channel's feed moves past <paramref name="sequence"/>: nothing up to it is of its channel.</summary>
    private void Skip(long sequence)
    {
        lock (_state)
        {
            if (sequence <= _last)
                return;
            _recent.Advance(sequence);
            Volatile.Write(ref _last, sequence);
        }
    }

    /// <summary>The log has nothing between the node's position and <paramref name="position"/>: listeners behind it can only go to the log.</summary>
    private void Restart(long position)
    {
        lock (_state)
        {
            _recent.Restart(_epoch, position);
            Volatile.Write(ref _last, position);
            Volatile.Write(ref _oldestHeld, 0);
        }
    }

    /// <summary>
    /// Tells every listener about the events just appended: one pass per batch, not per event, so a busy
    /// topic coalesces into fewer, larger writes instead of queueing. Counted once per walk.
    /// </summary>
    private void Walk(List<FormattedEvent>? fresh)
    {
        if (fresh is null || fresh.Count == 0)
            return;
        IFeedListener[] listeners;
        lock (_state)
            listeners = _walk ??= [.. _listeners];
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fresh);
        var written = 0;
        foreach (var listener in listeners)
        {
            try
            {
                written += listener.OnAdvanced(this, span);
            }
            catch (Exception ex)
            {
                // Contained to that listener: the walk goes on to the others.
                LogListenerFailed(_logger, ex, Topic);
            }
        }
        if (written > 0)
            _metrics.Delivered(written);
        var now = DateTimeOffset.UtcNow;
        foreach (var formatted in span)
            _metrics.DeliveryLag(now - formatted.Time);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: the log's head {Head} is behind the {Last} this node delivered in epoch {Epoch} (the log lost events); asking for a new epoch")]
    private static partial void LogHeadWentBack(ILogger logger, string topic, string epoch, long last, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering events of topic {Topic} failed; the head check will catch up")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing new events of topic {Topic} to one of its connections failed")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stream of topic {Topic} reported an error")]
    private static partial void LogStreamError(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: live event {Sequence} arrived after {LastSequence}; fetching the gap from the log")]
    private static partial void LogGapRepair(ILogger logger, string topic, long lastSequence, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: head {Head} is ahead of this node's {LastSequence}; catching up from the log")]
    private static partial void LogHeadAhead(ILogger logger, string topic, long lastSequence, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: the stream subscription was gone; subscribing again")]
    private static partial void LogResubscribing(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: sending a probe on the feed's stream failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: the feed's stream subscription delivered none of {Probes} probes; starting anyway, the head check covers what the stream misses")]
    private static partial void LogNotHeard(ILogger logger, string topic, int probes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from topic {Topic} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string topic);
}
