namespace Hub.Grains.Contracts;

/// <summary>
/// Where the API nodes that hold Mercure subscriptions are found (one activation, key
/// <see cref="Key"/>). A node registers its <see cref="IMercureNodeSubscriptions"/> observer with a
/// lease and renews it well before it ends; a node that stops renewing (it died, or lost the cluster)
/// drops out when its lease ends, and one that fails to answer a listing drops out at once until its
/// next renewal. The directory holds no subscriptions, only nodes: a listing asks every registered
/// node and merges the answers, so what a dead node held can never be listed.
/// </summary>
public interface IMercureSubscriptionDirectoryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Registers or renews <paramref name="node"/> until <paramref name="lease"/> from now.</summary>
    Task RegisterAsync(string node, IMercureNodeSubscriptions observer, TimeSpan lease);

    /// <summary>Removes <paramref name="node"/> (it is stopping).</summary>
    Task UnregisterAsync(string node);

    /// <summary>
    /// The subscriptions <paramref name="filter"/> selects on every registered node, asking them all at
    /// once; a node that has not answered within <paramref name="timeout"/> is left out of this answer.
    /// </summary>
    Task<MercureSubscriptionListing> ListAsync(MercureSubscriptionFilter filter, TimeSpan timeout);
}
