namespace Hub.Grains.Contracts;

/// <summary>
/// An API node's Mercure subscriptions, answered by the node itself (an observer it registers with
/// <see cref="IMercureSubscriptionDirectoryGrain"/>): the node that holds a connection is the only one
/// that knows for sure it is still open, so a listing asks the nodes instead of keeping a copy that
/// could outlive them.
/// </summary>
public interface IMercureNodeSubscriptions : IGrainObserver
{
    /// <summary>The node's active subscriptions that <paramref name="filter"/> selects.</summary>
    Task<IReadOnlyList<MercureSubscriptionRecord>> ListAsync(MercureSubscriptionFilter filter);
}
