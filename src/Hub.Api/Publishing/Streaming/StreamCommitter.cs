using System.Threading.Channels;
using Hub.Api.Diagnostics;
using Hub.Grains.Contracts;

namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// Sends a streamed publish's events to its topic grain as they arrive, in order. One grain call is in
/// flight at a time (Orleans does not promise that two calls from one caller arrive in the order they were
/// made, and the topic's order is the publisher's); whatever arrives while it is in flight goes in the next
/// call as one batch. An idle stream so costs one call per event — a chunk reaches viewers one grain
/// round trip after it arrived — and a fast one batches itself, on top of the grain's own group commit.
/// The queue between reading and sending is bounded: a stalled log slows the reading of the body, it does
/// not grow a buffer.
/// </summary>
public sealed class StreamCommitter
{
    private readonly ITopicGrain _grain;
    private readonly int _maxBatch;
    private readonly HubMetrics _metrics;
    private readonly Channel<EventDraft> _queue;
    private readonly Task _sending;

    public StreamCommitter(ITopicGrain grain, int maxBatch, HubMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(metrics);
        _grain = grain;
        _maxBatch = maxBatch;
        _metrics = metrics;
        _queue = Channel.CreateBounded<EventDraft>(new BoundedChannelOptions(maxBatch) { SingleReader = true, SingleWriter = true });
        _sending = SendAsync();
    }

    /// <summary>Events the grain has stored (acknowledged) so far.</summary>
    public long Count { get; private set; }

    /// <summary>The first stored event, or null.</summary>
    public PublishResult? First { get; private set; }

    /// <summary>The last stored event, or null.</summary>
    public PublishResult? Last { get; private set; }

    /// <summary>Why sending stopped before the stream ended (the grain refused or the cluster failed), or null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// Queues an event; waits while the queue is full. False when sending has failed (see
    /// <see cref="Failure"/>): the event will not be stored, and neither will any after it.
    /// </summary>
    public async ValueTask<bool> AddAsync(EventDraft draft, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(draft, cancellationToken);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Ends the stream and waits until every queued event is stored (or sending failed).</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _sending;
    }

    private async Task SendAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<EventDraft>(_maxBatch);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && reader.TryRead(out var draft))
                batch.Add(draft);
            try
            {
                if (batch.Count == 1)
                {
                    var result = await _grain.PublishAsync(batch[0]);
                    Stored(result, result, 1);
                }
                else
                {
                    var results = await _grain.PublishBatchAsync(batch.ToArray());
                    Stored(results[0], results[^1], results.Count);
                }
            }
            catch (Exception ex)
            {
                // What is still queued was never sent: the publisher is told how far the stream got.
                Failure = ex;
                _queue.Writer.TryComplete();
                return;
            }
            batch.Clear();
        }
    }

    private void Stored(PublishResult first, PublishResult last, int count)
    {
        First ??= first;
        Last = last;
        Count += count;
        _metrics.Published(count);
    }
}
