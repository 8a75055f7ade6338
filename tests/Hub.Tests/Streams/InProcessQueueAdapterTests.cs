using Hub.Grains.Contracts;
using Hub.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Streams;
using Xunit;

namespace Hub.Tests.Streams;

/// <summary>The single-silo stream transport: in-process queues that wake their reader when an event is queued.</summary>
public sealed class InProcessQueueAdapterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly InProcessQueueAdapter _adapter;

    public InProcessQueueAdapterTests()
    {
        var services = new ServiceCollection().AddLogging().AddOptions();
        services.Configure<HashRingStreamQueueMapperOptions>("hub", o => o.TotalQueueCount = 2);
        services.Configure<SimpleQueueCacheOptions>("hub", _ => { });
        _adapter = InProcessQueueAdapter.Create(services.BuildServiceProvider(), "hub");
    }

    [Fact]
    public async Task Batches_ComeOutInOrder_WithRisingSequenceTokens_AndTheirItems()
    {
        var stream = HubStreams.ForTopic("orders");
        var receiver = ReceiverOf(stream);
        for (var i = 1; i <= 3; i++)
            await _adapter.QueueMessageBatchAsync(stream, [Batch("orders", i)], null, null);

        var read = await receiver.GetQueueMessagesAsync(100, CancellationToken.None);

        Assert.Equal(3, read.Count);
        Assert.All(read, b => Assert.Equal(stream, b.StreamId));
        Assert.True(read[0].SequenceToken.Older(read[1].SequenceToken));
        Assert.True(read[1].SequenceToken.Older(read[2].SequenceToken));
        var sequences = read.SelectMany(b => b.GetEvents<EventBatch>()).Select(e => e.Item1.Events[0].Sequence);
        Assert.Equal([1L, 2L, 3L], sequences);
    }

    [Fact]
    public async Task ARead_TakesAtMostMaxCount_AndLeavesTheRestInOrder()
    {
        var stream = HubStreams.ForTopic("orders");
        var receiver = ReceiverOf(stream);
        for (var i = 1; i <= 5; i++)
            await _adapter.QueueMessageBatchAsync(stream, [Batch("orders", i)], null, null);

        var first = await receiver.GetQueueMessagesAsync(2, CancellationToken.None);
        var rest = await receiver.GetQueueMessagesAsync(100, CancellationToken.None);

        Assert.Equal(2, first.Count);
        Assert.Equal(3, rest.Count);
        Assert.Equal(3, rest[0].GetEvents<EventBatch>().Single().Item1.Events[0].Sequence);
    }

    [Fact]
    public async Task AReadOfAnEmptyQueue_Waits_AndReturnsAsSoonAsAnEventIsQueued()
    {
        var stream = HubStreams.ForTopic("orders");
        var receiver = ReceiverOf(stream);

        var read = receiver.GetQueueMessagesAsync(100, CancellationToken.None);
        Assert.False(read.IsCompleted);
        await _adapter.QueueMessageBatchAsync(stream, [Batch("orders", 1)], null, null);

        var batches = await read.WaitAsync(Timeout);
        Assert.Single(batches);
    }

    [Fact]
    public async Task Shutdown_ReleasesAWaitingRead_WithNothing()
    {
        var receiver = ReceiverOf(HubStreams.ForTopic("orders"));
        var read = receiver.GetQueueMessagesAsync(100, CancellationToken.None);

        await receiver.Shutdown(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Empty(await read.WaitAsync(Timeout));
    }

    [Fact]
    public async Task AFullQueue_RefusesMore_UntilItIsRead()
    {
        var stream = HubStreams.ForTopic("orders");
        var receiver = ReceiverOf(stream);
        for (var i = 1; i <= InProcessQueueAdapter.QueueCapacity; i++)
            await _adapter.QueueMessageBatchAsync(stream, [Batch("orders", i)], null, null);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _adapter.QueueMessageBatchAsync(stream, [Batch("orders", 0)], null, null));
        Assert.Equal(10, (await receiver.GetQueueMessagesAsync(10, CancellationToken.None)).Count);
        await _adapter.QueueMessageBatchAsync(stream, [Batch("orders", InProcessQueueAdapter.QueueCapacity + 1)], null, null);
    }

    private IQueueAdapterReceiver ReceiverOf(StreamId stream) =>
        _adapter.CreateReceiver(_adapter.GetStreamQueueMapper().GetQueueForStream(stream));

    private static EventBatch Batch(string topic, long sequence) =>
        new([new TopicEvent(topic, "e1", sequence, "status", "up", DateTimeOffset.UnixEpoch)]);
}
