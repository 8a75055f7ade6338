using System.Threading.Channels;
using Hub.Grains.Contracts;
using Orleans.Streams;
using Xunit;

namespace Hub.Tests.Grains;

[Collection(HubTestClusterCollection.Name)]
public class TopicGrainTests(HubTestCluster fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private ITopicGrain Topic(string name) => fixture.Client.GetGrain<ITopicGrain>(name);

    private static string NewTopic() => $"t-{Guid.NewGuid():N}";

    [Fact]
    public async Task Publish_AssignsConsecutiveSequencesFromOne()
    {
        var grain = Topic(NewTopic());
        var sequences = new List<long>();
        for (var i = 0; i < 5; i++)
            sequences.Add((await grain.PublishAsync(new EventDraft("status", $"e{i}"))).Sequence);
        Assert.Equal([1, 2, 3, 4, 5], sequences);
        var page = await grain.ReadAfterAsync(0, 100);
        Assert.Equal(["e0", "e1", "e2", "e3", "e4"], page.Events.Select(e => e.Data));
        Assert.Equal(5, page.Info.Head);
    }

    [Fact]
    public async Task ConcurrentPublishes_ToOneTopic_StayGapFree()
    {
        var grain = Topic(NewTopic());
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => grain.PublishAsync(new EventDraft("status", $"{i}")).AsTask()));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.Sequence).Order());
        Assert.Single(results.Select(r => r.Epoch).Distinct());
        var info = await grain.GetInfoAsync();
        Assert.Equal(200, info.Head);
    }

    [Fact]
    public async Task Retention_KeepsTheNewestEvents_AndMovesOldest()
    {
        var grain = Topic(NewTopic());
        for (var i = 1; i <= HubTestCluster.RetainedEvents + 7; i++)
            await grain.PublishAsync(new EventDraft("status", $"{i}"));
        var info = await grain.GetInfoAsync();
        Assert.Equal(HubTestCluster.RetainedEvents + 7, info.Head);
        Assert.Equal(8, info.Oldest);
        var page = await grain.ReadAfterAsync(0, 1000);
        Assert.Equal(Enumerable.Range(8, HubTestCluster.RetainedEvents).Select(i => (long)i), page.Events.Select(e => e.Sequence));
        Assert.False(info.Retains(3));
        Assert.True(info.Retains(7));
    }

    [Fact]
    public async Task BatchPublish_IsAllOrNothing()
    {
        var grain = Topic(NewTopic());
        await Assert.ThrowsAsync<ArgumentException>(() => grain.PublishBatchAsync([new EventDraft("ok", "a"), new EventDraft("hub.bad", "b")]).AsTask());
        Assert.Equal(0, (await grain.GetInfoAsync()).Head);
        var results = await grain.PublishBatchAsync([new EventDraft("ok", "a"), new EventDraft("ok", "b"), new EventDraft("ok", "c")]);
        Assert.Equal([1, 2, 3], results.Select(r => r.Sequence));
    }

    [Theory]
    [InlineData("bad\ntype", "x")]
    [InlineData("hub.reset", "x")]
    [InlineData("ok", "")]
    [InlineData("ok", "nul\0")]
    public async Task Publish_InvalidDraft_IsRefusedByTheGrainToo(string type, string data)
    {
        var grain = Topic(NewTopic());
        await Assert.ThrowsAsync<ArgumentException>(() => grain.PublishAsync(new EventDraft(type, data)).AsTask());
        Assert.Equal(0, (await grain.GetInfoAsync()).Head);
    }

    [Fact]
    public async Task Publish_ReachesStreamSubscribers_InOrder()
    {
        var topic = NewTopic();
        var received = Channel.CreateUnbounded<TopicEvent>();
        var stream = fixture.Client.GetStreamProvider(HubStreams.Provider).GetStream<EventBatch>(HubStreams.ForTopic(topic));
        var handle = await stream.SubscribeAsync(async (batch, _) =>
        {
            foreach (var e in batch.Events)
                await received.Writer.WriteAsync(e);
        });
        try
        {
            var grain = Topic(topic);
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => grain.PublishAsync(new EventDraft("status", $"{i}")).AsTask()));
            var sequences = new List<long>();
            using var cts = new CancellationTokenSource(Timeout);
            while (sequences.Count < 50)
                sequences.Add((await received.Reader.ReadAsync(cts.Token)).Sequence);
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), sequences);
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }
}
