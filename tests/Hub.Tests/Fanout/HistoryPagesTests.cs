using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;
using Hub.Tests.Grains;
using Xunit;

namespace Hub.Tests.Fanout;

/// <summary>Replays from the log are read and formatted once per node, not once per connection.</summary>
[Collection(HubTestClusterCollection.Name)]
public sealed class HistoryPagesTests(HubTestCluster fixture)
{
    [Fact]
    public async Task ManyReplaysFromNearbyPositions_ShareOneReadAndOneFormattingPerPage()
    {
        var topic = $"pages-{Guid.NewGuid():N}";
        var grain = fixture.Client.GetGrain<ITopicGrain>(topic);
        for (var i = 1; i <= 12; i++)
            await grain.PublishAsync(new EventDraft("status", $"e{i}"));
        var epoch = (await grain.GetInfoAsync()).Epoch;
        var reads = 0;
        var pages = new HistoryPages(() =>
        {
            Interlocked.Increment(ref reads);
            return grain;
        }, pageSize: 8, maxBytes: 1 << 20);

        // 200 replays at positions 0–7 (page 0) and 8–11 (page 1), all at once, as in a resume storm.
        var replays = await Task.WhenAll(Enumerable.Range(0, 200).Select(k => pages.ReadAfterAsync(epoch, k % 12)));

        Assert.Equal(2, reads);
        for (var k = 0; k < replays.Length; k++)
        {
            var after = k % 12;
            var (_, events) = replays[k];
            var end = after < 8 ? 8 : 12;
            Assert.Equal(Enumerable.Range(after + 1, end - after).Select(s => (long)s), events.Select(e => e.Sequence));
        }
        // The same event is the same formatted bytes for every replay that holds it.
        Assert.Single(replays.Select(r => r.Events).Where(e => e.Count > 0 && e[0].Sequence == 1).Select(e => e[0]).Distinct());

        // A page read before the head reached a position is read again for it, not served short.
        await grain.PublishAsync(new EventDraft("status", "e13"));
        var (_, newer) = await pages.ReadAfterAsync(epoch, 12);
        Assert.Equal([13L], newer.Select(e => e.Sequence));
        Assert.Equal(3, reads);

        // A position from another epoch (the log was lost since) is never served a page read for this one.
        var (info, _) = await pages.ReadAfterAsync("otherepoch", 12);
        Assert.Equal(epoch, info.Epoch);
        Assert.Equal(4, reads);
    }
}
