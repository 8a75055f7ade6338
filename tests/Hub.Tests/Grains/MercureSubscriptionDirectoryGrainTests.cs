using Hub.Grains.Contracts;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Grains;

/// <summary>The directory of nodes holding Mercure subscriptions: listings ask every node; a dead or silent node drops out.</summary>
[Collection(HubTestClusterCollection.Name)]
public class MercureSubscriptionDirectoryGrainTests(HubTestCluster fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    // A directory of its own per test (production uses key 0), so tests do not see each other's nodes.
    private IMercureSubscriptionDirectoryGrain NewDirectory() =>
        fixture.Client.GetGrain<IMercureSubscriptionDirectoryGrain>(Random.Shared.NextInt64(1, long.MaxValue));

    [Fact]
    public async Task Listing_MergesTheAnswersOfEveryNode_AndPassesTheFilterOn()
    {
        var directory = NewDirectory();
        var a = new FakeNode(new MercureSubscriptionRecord("https://example.com/1", "urn:uuid:a", null));
        var b = new FakeNode(new MercureSubscriptionRecord("https://example.com/1", "urn:uuid:b", "{\"user\":\"bob\"}"), new MercureSubscriptionRecord("https://example.com/2", "urn:uuid:b", null));
        await directory.RegisterAsync("a", Reference(a), Lease);
        await directory.RegisterAsync("b", Reference(b), Lease);

        var all = await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(5));
        Assert.Equal(3, all.Subscriptions.Count);
        Assert.Equal((2, 0), (all.Nodes, all.Unanswered));
        var one = await directory.ListAsync(new MercureSubscriptionFilter("https://example.com/1", "urn:uuid:b"), TimeSpan.FromSeconds(5));
        Assert.Equal("{\"user\":\"bob\"}", Assert.Single(one.Subscriptions).Payload);
    }

    [Fact]
    public async Task NodeThatDoesNotAnswer_IsLeftOut_AndDroppedUntilItRenews()
    {
        var directory = NewDirectory();
        var live = new FakeNode(new MercureSubscriptionRecord("t", "urn:uuid:live", null));
        var silent = new FakeNode(new MercureSubscriptionRecord("t", "urn:uuid:silent", null)) { Silent = true };
        await directory.RegisterAsync("live", Reference(live), Lease);
        await directory.RegisterAsync("silent", Reference(silent), Lease);

        // Long enough for the live node to answer on a loaded machine; the silent one never does.
        var first = await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(3));
        Assert.Equal((2, 1, 1), (first.Nodes, first.Unanswered, live.Asked));
        Assert.Equal("urn:uuid:live", Assert.Single(first.Subscriptions).Subscriber);
        var second = await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(3));
        Assert.Equal((1, 0), (second.Nodes, second.Unanswered));

        silent.Silent = false;
        await directory.RegisterAsync("silent", Reference(silent), Lease);
        Assert.Equal(2, (await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(5))).Subscriptions.Count);
    }

    [Fact]
    public async Task NodeThatStopsRenewing_DropsOutWhenItsLeaseEnds()
    {
        var directory = NewDirectory();
        var node = new FakeNode(new MercureSubscriptionRecord("t", "urn:uuid:n", null));
        await directory.RegisterAsync("n", Reference(node), TimeSpan.FromMilliseconds(500));
        Assert.Single((await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(5))).Subscriptions);
        // The node still answers: only its lease can take it out.
        await Eventually.TrueAsync(
            async () => (await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(5))).Nodes == 0,
            "the node's lease has ended");
    }

    [Fact]
    public async Task NodeThatUnregisters_IsNotAsked()
    {
        var directory = NewDirectory();
        var node = new FakeNode(new MercureSubscriptionRecord("t", "urn:uuid:n", null));
        await directory.RegisterAsync("n", Reference(node), Lease);
        await directory.UnregisterAsync("n");
        var listing = await directory.ListAsync(MercureSubscriptionFilter.All, TimeSpan.FromSeconds(5));
        Assert.Equal((0, 0), (listing.Nodes, node.Asked));
    }

    // Orleans holds an observer object weakly: the test keeps its nodes alive itself, or a collection
    // would make a live node look dead.
    private readonly List<FakeNode> _alive = [];

    private IMercureNodeSubscriptions Reference(FakeNode node)
    {
        _alive.Add(node);
        return fixture.Client.CreateObjectReference<IMercureNodeSubscriptions>(node);
    }

    /// <summary>An API node's answer, or none at all while <see cref="Silent"/> (a node that hangs or died).</summary>
    private sealed class FakeNode(params MercureSubscriptionRecord[] subscriptions) : IMercureNodeSubscriptions
    {
        private int _asked;

        public volatile bool Silent;

        public int Asked => _asked;

        public Task<IReadOnlyList<MercureSubscriptionRecord>> ListAsync(MercureSubscriptionFilter filter)
        {
            Interlocked.Increment(ref _asked);
            if (Silent)
                return new TaskCompletionSource<IReadOnlyList<MercureSubscriptionRecord>>().Task;
            return Task.FromResult<IReadOnlyList<MercureSubscriptionRecord>>([.. subscriptions.Where(s => filter.Matches(s.Topic, s.Subscriber))]);
        }
    }
}
