using System.Threading.Tasks.Sources;
using Hub.Grains.Contracts;
using Hub.Grains.EventLog;

namespace Hub.Grains.Topics;

/// <summary>
/// One publish waiting in a <see cref="TopicGrain"/>'s queue for an append: a single event, a batch
/// acknowledged all together, or either with an idempotency key. Touched only in the grain's turns.
/// </summary>
internal abstract class PendingPublish(int count, long enqueued, string? key = null, string? fingerprint = null)
{
    public int Count { get; } = count;

    /// <summary>When it was queued (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long Enqueued { get; } = enqueued;

    /// <summary>The idempotency key, or null.</summary>
    public string? Key { get; } = key;

    public string? Fingerprint { get; } = fingerprint;

    public abstract EventDraft DraftAt(int index);

    public abstract void CopyTo(EventDraft[] destination, int offset);

    /// <summary>Acknowledges with <paramref name="events"/>[<paramref name="offset"/>..], this publish's events in the append.</summary>
    public abstract void Complete(string topic, IReadOnlyList<TopicEvent> events, int offset);

    /// <summary>Answers a retry with what the publish of its key stored, or refuses a key reused for other content.</summary>
    public virtual void Replay(string topic, IdempotencyRecord record) =>
        throw new InvalidOperationException("Only a publish with an idempotency key can be a replay.");

    public abstract void Fail(Exception exception);

    protected static PublishResult[] Results(string topic, IReadOnlyList<TopicEvent> events, int offset, int count)
    {
        var results = new PublishResult[count];
        for (var i = 0; i < results.Length; i++)
            results[i] = new PublishResult(topic, events[offset + i].Epoch, events[offset + i].Sequence);
        return results;
    }
}

/// <summary>
/// A pending publish that is itself what its caller awaits: the grain method hands Orleans
/// <see cref="Result"/>, backed by this object, where a <see cref="TaskCompletionSource{TResult}"/> would add
/// two objects to every publish. It completes once; a later completion is ignored, as TrySet would.
/// </summary>
internal abstract class PendingPublish<T>(int count, long enqueued, string? key = null, string? fingerprint = null)
    : PendingPublish(count, enqueued, key, fingerprint), IValueTaskSource<T>
{
    // Continuations run on their own turn (as RunContinuationsAsynchronously did): completing a batch's
    // publishes must not run their callers' code inside the flush loop.
    private ManualResetValueTaskSourceCore<T> _completion = new() { RunContinuationsAsynchronously = true };
    private bool _completed;

    public ValueTask<T> Result => new(this, _completion.Version);

    public override void Fail(Exception exception)
    {
        if (!_completed)
        {
            _completed = true;
            _completion.SetException(exception);
        }
    }

    protected void Succeed(T result)
    {
        if (!_completed)
        {
            _completed = true;
            _completion.SetResult(result);
        }
    }

    T IValueTaskSource<T>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<T>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<T>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}

/// <summary>A single event: its caller gets its result without a list around it.</summary>
internal sealed class SinglePublish(EventDraft draft, long enqueued) : PendingPublish<PublishResult>(1, enqueued)
{
    public override EventDraft DraftAt(int index) => draft;

    public override void CopyTo(EventDraft[] destination, int offset) => destination[offset] = draft;

    public override void Complete(string topic, IReadOnlyList<TopicEvent> events, int offset) =>
        Succeed(new PublishResult(topic, events[offset].Epoch, events[offset].Sequence));
}

/// <summary>A publish of a list of drafts (a batch, or anything under a key): the drafts it hands the append.</summary>
internal abstract class DraftsPublish<T>(IReadOnlyList<EventDraft> drafts, long enqueued, string? key = null, string? fingerprint = null)
    : PendingPublish<T>(drafts.Count, enqueued, key, fingerprint)
{
    public override EventDraft DraftAt(int index) => drafts[index];

    public override void CopyTo(EventDraft[] destination, int offset)
    {
        for (var i = 0; i < drafts.Count; i++)
            destination[offset + i] = drafts[i];
    }
}

/// <summary>Several events, stored all-or-nothing with consecutive sequences.</summary>
internal sealed class BatchPublish(IReadOnlyList<EventDraft> drafts, long enqueued) : DraftsPublish<IReadOnlyList<PublishResult>>(drafts, enqueued)
{
    public override void Complete(string topic, IReadOnlyList<TopicEvent> events, int offset) =>
        Succeed(Results(topic, events, offset, Count));
}

/// <summary>One event or a batch under an idempotency key: stored at most once per key within the window.</summary>
internal sealed class KeyedPublish(IReadOnlyList<EventDraft> drafts, long enqueued, string key, string fingerprint)
    : DraftsPublish<IdempotentPublishResult>(drafts, enqueued, key, fingerprint)
{
    public override void Complete(string topic, IReadOnlyList<TopicEvent> events, int offset) =>
        Succeed(new IdempotentPublishResult(Results(topic, events, offset, Count), Replayed: false));

    public override void Replay(string topic, IdempotencyRecord record)
    {
        if (record.Fingerprint != Fingerprint)
        {
            Fail(new IdempotencyKeyReusedException(
                $"The Idempotency-Key '{Key}' was used for a different publish to topic '{topic}' (sequence {record.FirstSequence}); use a new key for new content."));
            return;
        }
        var results = new PublishResult[record.Count];
        for (var i = 0; i < results.Length; i++)
            results[i] = new PublishResult(topic, record.Epoch, record.FirstSequence + i);
        Succeed(new IdempotentPublishResult(results, Replayed: true));
    }
}
