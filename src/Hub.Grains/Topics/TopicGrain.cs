using Hub.Grains.Contracts;
using Hub.Grains.Diagnostics;
using Hub.Grains.EventLog;
using Hub.Grains.Publishing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;
using Orleans.Streams;

namespace Hub.Grains.Topics;

/// <summary>
/// The single writer of one topic. Publishes that arrive while an append is in flight queue up and go
/// to the log together in the next append (group commit), so a hot topic costs one log round trip per
/// batch, not per event, while every publisher still gets its own acknowledgement after the log has
/// its event. The grain is reentrant only so publishes can queue; the flush loop is the one place that
/// touches the log, so order is the order of arrival.
/// <para>
/// Appended events go to the topic's stream through a second loop, in order, so a stream that hangs
/// never holds up publishing. It does hang after a silo crash: a stream call that was on its way to the
/// dead silo waits out the 30 s response timeout, and with it every later publish did (measured in the
/// cluster tests). The stream is best-effort; API nodes fetch from the log whatever it is late with.
/// </para>
/// <para>
/// An event that names channels (<see cref="EventDraft.Channels"/>) also goes out on each of those
/// channels' streams, in the same step as the topic's own batch, each batch saying where the channel's
/// previous event was (<see cref="ChannelTracker"/>), so a node listening to one channel can tell that
/// it missed nothing without receiving the rest of the topic.
/// </para>
/// <para>
/// The queue is bounded (<see cref="PublishOptions.MaxQueuedEvents"/>): past it a publish is refused at
/// once. A publish that waited in the queue for the whole response timeout is dropped, not stored: its
/// caller has been answered with a timeout already, and storing it later would turn that failure into
/// an event nobody was told about. One already on its way to the log when its caller gives up is stored
/// (the log's answer is not abandoned); a retry with the same idempotency key then finds it.
/// </para>
/// </summary>
[Reentrant]
public sealed partial class TopicGrain(
    IEventLog log,
    IOptions<PublishOptions> publishOptions,
    IOptions<SiloMessagingOptions> messagingOptions,
    TimeProvider time,
    GrainMetrics metrics,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
    /// <summary>
    /// Most events waiting for the stream. Memory stream queues refuse more than 16,384 anyway, and an
    /// API node fetches a gap this size from the log in a few requests.
    /// </summary>
    private const int MaxStreamBacklogEvents = 10_000;

    private readonly PublishOptions _options = publishOptions.Value;

    /// <summary>How long a caller waits for a grain call's answer; a publish queued longer has been given up.</summary>
    private readonly TimeSpan _callerGivesUpAfter = messagingOptions.Value.ResponseTimeout;

    private readonly List<PendingPublish> _pending = [];
    private int _pendingEvents;
    private string _topic = "";
    private string? _topicProblem;
    // Where the log stands as this activation knows it: the epoch and head the next append expects. Two
    // fields rather than a TopicInfo, which every append would otherwise copy to move the head.
    private string _epoch = null!;
    private long _head;
    private IAsyncStream<EventBatch> _stream = null!;
    private IStreamProvider _streams = null!;
    private readonly ChannelTracker _channels = new();
    private Task? _flushing;
    private readonly Queue<Outgoing> _outgoing = new();
    private int _outgoingEvents;
    private Task? _streaming;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _topic = this.GetPrimaryKeyString();
        _topicProblem = EventRules.CheckTopic(_topic);
        Adopt(await log.GetInfoAsync(_topic, cancellationToken));
        _streams = this.GetStreamProvider(HubStreams.Provider);
        _stream = _streams.GetStream<EventBatch>(HubStreams.ForTopic(_topic));
        // This activation vouches for no channel before the head it starts from.
        _channels.Reset(_epoch, _head);
    }

    public ValueTask<PublishResult> PublishAsync(EventDraft draft)
    {
        Validate(draft);
        EnsureRoom(1);
        var pending = new SinglePublish(draft, time.GetTimestamp());
        Enqueue(pending);
        return pending.Result;
    }

    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventDraft> drafts)
    {
        ValidateBatch(drafts);
        EnsureRoom(drafts.Count);
        var pending = new BatchPublish(drafts, time.GetTimestamp());
        Enqueue(pending);
        return pending.Result;
    }

    public ValueTask<IdempotentPublishResult> PublishIdempotentAsync(string idempotencyKey, IReadOnlyList<EventDraft> drafts, bool isBatch)
    {
        if (EventRules.CheckIdempotencyKey(idempotencyKey) is { } keyProblem)
            throw new ArgumentException(keyProblem, nameof(idempotencyKey));
        ValidateBatch(drafts);
        if (!isBatch && drafts.Count != 1)
            throw new ArgumentException("A single publish carries exactly one event.", nameof(drafts));
        EnsureRoom(drafts.Count);
        var pending = new KeyedPublish(drafts, time.GetTimestamp(), idempotencyKey, PublishFingerprint.Of(drafts, isBatch));
        Enqueue(pending);
        return pending.Result;
    }

    public async Task<TopicInfo> GetInfoAsync()
    {
        // Reread rather than trust the cached head: age retention moves Oldest without any append.
        var info = await log.GetInfoAsync(_topic);
        Adopt(info);
        ReleaseIfUnborn();
        return info;
    }

    public async Task<TopicInfo> RenewIfBehindAsync(string epoch, long deliveredHead)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        var info = await log.GetInfoAsync(_topic);
        if (info.Epoch == epoch && info.Head < deliveredHead)
        {
            // This activation may be younger than the loss (it read the lowered head on activation), so
            // only a node that delivered past it can tell the log went back.
            LogLogWentBack(logger, _topic, epoch, deliveredHead, info.Head);
            info = await log.RenewEpochAsync(_topic, epoch);
        }
        // An append in flight keeps its expected state; if the epoch changed under it, it is refused and
        // the flush loop rereads, as after any conflict.
        if (_flushing is null || _flushing.IsCompleted)
            Adopt(info);
        ReleaseIfUnborn();
        return info;
    }

    public Task<ChannelHead> GetChannelHeadAsync(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return Task.FromResult(_channels.HeadOf(channel));
    }

    public Task<TopicState> GetStateAsync()
    {
        ReleaseIfUnborn();
        return log.ReadStateAsync(_topic);
    }

    public Task<EventPage> ReadAfterAsync(long afterSequence, int limit)
    {
        ReleaseIfUnborn();
        return log.ReadAfterAsync(_topic, afterSequence, Math.Clamp(limit, 1, 10_000));
    }

    /// <summary>
    /// Lets this activation go once the current read is answered when the topic was never published (or
    /// the log forgot it): such an activation holds nothing a later call could not reread, and anonymous
    /// reads of made-up names would otherwise keep one activation each (a few KB) until the collector's
    /// idle age. A publish, or a read after one, keeps the activation as before.
    /// </summary>
    private void ReleaseIfUnborn()
    {
        if (_head == 0 && _pendingEvents == 0 && (_flushing is null || _flushing.IsCompleted))
            this.DeactivateOnIdle();
    }

    private void Adopt(TopicInfo info)
    {
        _epoch = info.Epoch;
        _head = info.Head;
    }

    private void EnsureRoom(int events)
    {
        if (_pendingEvents + events > _options.MaxQueuedEvents)
            throw new PublishQueueFullException(
                $"Topic '{_topic}' has {_pendingEvents} events waiting for its log, at most {_options.MaxQueuedEvents} may; retry shortly.");
    }

    private void Enqueue(PendingPublish pending)
    {
        _pending.Add(pending);
        _pendingEvents += pending.Count;
        // An append that completes synchronously can finish a whole flush before this line assigns it,
        // so a completed task means "no flush running", not "flush pending".
        if (_flushing is null || _flushing.IsCompleted)
            _flushing = FlushAsync();
    }

    private void ValidateBatch(IReadOnlyList<EventDraft> drafts)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        if (drafts.Count == 0)
            throw new ArgumentException("A batch needs at least one event.", nameof(drafts));
        if (drafts.Count > _options.MaxBatchEvents)
            throw new ArgumentException($"A batch may hold at most {_options.MaxBatchEvents} events.", nameof(drafts));
        for (var i = 0; i < drafts.Count; i++)
            Validate(drafts[i]);
    }

    private void Validate(EventDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var problem = _topicProblem ?? EventRules.CheckType(draft.Type)
            ?? EventRules.CheckData(draft.Data, _options.MaxDataBytes) ?? EventRules.CheckEventKey(draft.Key)
            ?? EventRules.CheckChannels(draft.Channels);
        if (problem is not null)
            throw new ArgumentException(problem, nameof(draft));
    }

    private async Task FlushAsync()
    {
        while (_pending.Count > 0)
        {
            DropAbandoned();
            if (_pending.Count == 0)
                break;
            var batch = TakeBatch();
            Appended appended;
            try
            {
                try
                {
                    appended = await AppendAsync(batch);
                }
                catch (SequenceConflictException ex)
                {
                    // The log is not where this activation left it, and a refused append stored nothing,
                    // so one more try after rereading is safe. The usual cause is no fault at all: the log
                    // forgot the topic (its events aged out) and it starts a new life at head 0.
                    LogAppendConflict(logger, _topic, ex.Message);
                    await RefreshInfoAfterFailureAsync();
                    appended = await AppendAsync(batch);
                }
            }
            catch (Exception ex)
            {
                // The log may have moved under us (another activation, a lost log): reread before the next append.
                LogAppendFailed(logger, ex, _topic);
                var failure = ForPublishers(ex);
                foreach (var p in batch)
                    p.Fail(failure);
                await RefreshInfoAfterFailureAsync();
                continue;
            }

            // Every publish of the batch may have been a retry of a stored one: then nothing is new.
            var events = appended.Events;
            if (events.Count > 0)
                _head = events[^1].Sequence;
            // In the same turn as the head: a channel head asked for meanwhile sees both or neither.
            var channelBatches = events.Count > 0 ? _channels.Track(events, ChannelsOf(batch, appended.Replays, events.Count)) : null;
            var offset = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                if (appended.Replays?[i] is { } record)
                {
                    p.Replay(_topic, record);
                    continue;
                }
                p.Complete(_topic, events, offset);
                offset += p.Count;
            }

            if (events.Count > 0)
                SendToStream(new Outgoing(new EventBatch(events), channelBatches));
        }
    }

    /// <summary>The channels each appended event names, aligned with the append's events (replayed publishes appended none).</summary>
    private static IReadOnlyList<string>?[] ChannelsOf(List<PendingPublish> batch, IReadOnlyList<IdempotencyRecord?>? replays, int events)
    {
        var channels = new IReadOnlyList<string>?[events];
        var offset = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (replays?[i] is not null)
                continue;
            for (var j = 0; j < batch[i].Count && offset < events; j++)
                channels[offset++] = batch[i].DraftAt(j).Channels;
        }
        return channels;
    }

    /// <summary>
    /// Fails the publishes at the front of the queue that have waited the whole response timeout: their
    /// callers were answered with a timeout, so storing them now would store events their publishers
    /// believe failed. The queue is in arrival order, so the abandoned ones are a prefix.
    /// </summary>
    private void DropAbandoned()
    {
        var abandoned = 0;
        while (abandoned < _pending.Count && time.GetElapsedTime(_pending[abandoned].Enqueued) >= _callerGivesUpAfter)
            abandoned++;
        if (abandoned == 0)
            return;
        var events = 0;
        for (var i = 0; i < abandoned; i++)
        {
            events += _pending[i].Count;
            _pending[i].Fail(new TimeoutException($"The publish waited longer than {_callerGivesUpAfter} for the log of topic '{_topic}' and was not stored."));
        }
        _pending.RemoveRange(0, abandoned);
        _pendingEvents -= events;
        LogAbandonedDropped(logger, _topic, abandoned, events);
    }

    /// <summary>
    /// What publishers are told when an append failed: an exception that crosses to the API node intact
    /// (an Orleans codec, and no inner exception from a library such as StackExchange.Redis, whose
    /// exceptions have none), so the node answers 503 rather than 500. This silo's log keeps the original.
    /// </summary>
    private static Exception ForPublishers(Exception exception) => exception switch
    {
        SequenceConflictException { InnerException: null } => exception,
        _ => new EventLogUnavailableException($"Appending to the event log failed ({exception.GetType().Name}: {exception.Message}); the events may or may not be stored."),
    };

    /// <summary>Appends the batch after the head this activation knows.</summary>
    private async ValueTask<Appended> AppendAsync(List<PendingPublish> batch)
    {
        var drafts = Drafts(batch);
        var started = time.GetTimestamp();
        Appended appended;
        if (HasKeys(batch))
        {
            var window = new IdempotencyWindow(_options.IdempotencyWindow, _options.MaxIdempotencyKeysPerTopic);
            var idempotent = await log.AppendIdempotentAsync(_topic, _epoch, _head, drafts, Claims(batch), window, time.GetUtcNow());
            appended = new Appended(idempotent.Events, idempotent.Replays);
        }
        else
        {
            var events = await log.AppendAsync(_topic, _epoch, _head, drafts, time.GetUtcNow());
            appended = new Appended(events, Replays: null);
        }
        metrics.Appended(time.GetElapsedTime(started), appended.Events.Count);
        return appended;
    }

    private static bool HasKeys(List<PendingPublish> batch)
    {
        foreach (var p in batch)
        {
            if (p.Key is not null)
                return true;
        }
        return false;
    }

    private static AppendClaim[] Claims(List<PendingPublish> batch)
    {
        var claims = new AppendClaim[batch.Count];
        for (var i = 0; i < claims.Length; i++)
            claims[i] = new AppendClaim(batch[i].Count, batch[i].Key, batch[i].Fingerprint);
        return claims;
    }

    /// <summary>
    /// Queues appended events for the stream and starts the stream loop if it is idle. The queue is
    /// bounded: when the stream is stuck for longer than it holds, the oldest batches are dropped, which
    /// API nodes see as a gap and fetch from the log.
    /// </summary>
    private void SendToStream(Outgoing outgoing)
    {
        _outgoing.Enqueue(outgoing);
        _outgoingEvents += outgoing.Batch.Events.Count;
        while (_outgoingEvents > MaxStreamBacklogEvents && _outgoing.Count > 1)
        {
            var dropped = _outgoing.Dequeue().Batch;
            _outgoingEvents -= dropped.Events.Count;
            LogStreamBacklogDropped(logger, _topic, dropped.Events[0].Sequence, dropped.Events[^1].Sequence);
        }
        if (_streaming is null || _streaming.IsCompleted)
            _streaming = StreamAsync();
    }

    private async Task StreamAsync()
    {
        while (_outgoing.Count > 0)
        {
            if (_outgoing.Count == 1 && _outgoing.Peek().Channels is null)
            {
                // The usual case, one append and no channels: its batch goes out as it is.
                var only = _outgoing.Dequeue();
                _outgoingEvents -= only.Batch.Events.Count;
                await SendAsync(_stream, "", only.Batch);
                continue;
            }
            // What queued while the last send was in flight goes out as one message: the batches are
            // consecutive, so they join into one that a node delivers in order.
            var events = new List<TopicEvent>();
            Dictionary<string, List<EventBatch>>? channels = null;
            while (_outgoing.Count > 0 && (events.Count == 0 || events.Count + _outgoing.Peek().Batch.Events.Count <= _options.MaxGroupCommitEvents))
            {
                var next = _outgoing.Dequeue();
                events.AddRange(next.Batch.Events);
                foreach (var (channel, batch) in next.Channels ?? [])
                    Join(channels ??= new(StringComparer.Ordinal), channel, batch);
            }
            _outgoingEvents -= events.Count;
            if (channels is null)
            {
                await SendAsync(_stream, "", new EventBatch(events));
                continue;
            }
            var sends = new List<Task>(channels.Count + 1) { SendAsync(_stream, "", new EventBatch(events)) };
            foreach (var (channel, batches) in channels)
                sends.Add(SendAsync(_streams.GetStream<EventBatch>(HubStreams.ForChannel(_topic, channel)), channel, batches));
            await Task.WhenAll(sends);
        }
    }

    /// <summary>Appends a channel's batch to what goes out on it, as one batch when it follows on from the last.</summary>
    private static void Join(Dictionary<string, List<EventBatch>> channels, string channel, EventBatch batch)
    {
        if (!channels.TryGetValue(channel, out var batches))
            channels[channel] = batches = [];
        if (batches.Count > 0 && batches[^1].Events[^1].Sequence == batch.Previous)
            batches[^1] = batches[^1] with { Events = [.. batches[^1].Events, .. batch.Events] };
        else
            batches.Add(batch);
    }

    /// <summary>Sends batches on one stream in order; a failure is logged (the log has the events, nodes repair from it).</summary>
    private async Task SendAsync(IAsyncStream<EventBatch> stream, string channel, List<EventBatch> batches)
    {
        foreach (var batch in batches)
            await SendAsync(stream, channel, batch);
    }

    private async Task SendAsync(IAsyncStream<EventBatch> stream, string channel, EventBatch batch)
    {
        try
        {
            await stream.OnNextAsync(batch);
        }
        catch (Exception ex)
        {
            // The events are safely in the log; API nodes notice the gap and fetch them from there.
            LogStreamPublishFailed(logger, ex, _topic, channel, batch.Events[0].Sequence, batch.Events[^1].Sequence);
        }
    }

    private List<PendingPublish> TakeBatch()
    {
        // Whole publishes only (a batch publish is all-or-nothing), but always at least one.
        var take = 0;
        var events = 0;
        while (take < _pending.Count && (take == 0 || events + _pending[take].Count <= _options.MaxGroupCommitEvents))
            events += _pending[take++].Count;
        var batch = _pending.GetRange(0, take);
        _pending.RemoveRange(0, take);
        _pendingEvents -= events;
        return batch;
    }

    private async Task RefreshInfoAfterFailureAsync()
    {
        try
        {
            var info = await log.GetInfoAsync(_topic);
            if (info.Epoch == _epoch && info.Head < _head)
            {
                // The log went back within the epoch: it lost events this grain stored and acknowledged
                // (and nodes may have delivered). Appending from its head would give their sequences to
                // new events, which subscribers past them skip: a new epoch makes them reset instead.
                LogLogWentBack(logger, _topic, _epoch, _head, info.Head);
                info = await log.RenewEpochAsync(_topic, info.Epoch);
            }
            Adopt(info);
        }
        catch (Exception ex)
        {
            LogAppendFailed(logger, ex, _topic);
        }
    }

    private static EventDraft[] Drafts(List<PendingPublish> batch)
    {
        var count = 0;
        foreach (var p in batch)
            count += p.Count;
        var drafts = new EventDraft[count];
        var offset = 0;
        foreach (var p in batch)
        {
            p.CopyTo(drafts, offset);
            offset += p.Count;
        }
        return drafts;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: the event log went back from {Head} to {LogHead} in epoch {Epoch} (it lost acknowledged events); starting a new epoch, subscribers get a reset")]
    private static partial void LogLogWentBack(ILogger logger, string topic, string epoch, long head, long logHead);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: dropped {Publishes} queued publishes ({Events} events) that waited longer than their callers do; they were not stored")]
    private static partial void LogAbandonedDropped(ILogger logger, string topic, int publishes, int events);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Topic {Topic}: the log refused an append ({Conflict}); rereading it and trying once more")]
    private static partial void LogAppendConflict(ILogger logger, string topic, string conflict);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appending to topic {Topic} failed; its publishers get the error")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stream of topic {Topic} is stuck; events {FirstSequence}..{LastSequence} will not go out on it, API nodes will fetch them from the log")]
    private static partial void LogStreamBacklogDropped(ILogger logger, string topic, long firstSequence, long lastSequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing events {FirstSequence}..{LastSequence} of topic {Topic} to its stream (channel '{Channel}') failed; API nodes will repair the gap from the log")]
    private static partial void LogStreamPublishFailed(ILogger logger, Exception exception, string topic, string channel, long firstSequence, long lastSequence);

    /// <summary>
    /// What an append stored and, per publish of the batch, the earlier record a keyed retry was answered
    /// from; <see cref="Replays"/> is null when no publish had a key (the usual case: nothing to allocate).
    /// </summary>
    private readonly record struct Appended(IReadOnlyList<TopicEvent> Events, IReadOnlyList<IdempotencyRecord?>? Replays);

    /// <summary>An append's batch for the topic's stream and, when its events name channels, each channel's batches.</summary>
    private readonly record struct Outgoing(EventBatch Batch, List<(string Channel, EventBatch Batch)>? Channels);
}
