using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Hub.Grains.Streams;

/// <summary>
/// One stream message of the in-process queues: the producer's items as objects, never serialized on the
/// way through the queue. It is serializable only for a consumer in another process (an API node that is
/// a client of a single-silo cluster), which Orleans' delivery takes care of.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class InProcessBatch(StreamId streamId, IReadOnlyList<object> items, EventSequenceTokenV2 token) : IBatchContainer
{
    [Id(0)]
    public StreamId StreamId { get; } = streamId;

    [Id(1)]
    public IReadOnlyList<object> Items { get; } = items;

    [Id(2)]
    private readonly EventSequenceTokenV2 _token = token;

    public StreamSequenceToken SequenceToken => _token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        for (var i = 0; i < Items.Count; i++)
        {
            if (Items[i] is T item)
                yield return Tuple.Create<T, StreamSequenceToken>(item, _token.CreateSequenceTokenForEvent(i));
        }
    }

    // Topic events carry everything they need; no request context travels with them.
    public bool ImportRequestContext() => false;
}
