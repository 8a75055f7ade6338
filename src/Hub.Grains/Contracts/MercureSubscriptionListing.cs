namespace Hub.Grains.Contracts;

/// <summary>
/// A listing of Mercure subscriptions across the cluster: the merged answers, how many nodes were
/// asked and how many of them did not answer in time (their subscriptions are missing).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MercureSubscriptionListing(
    [property: Id(0)] IReadOnlyList<MercureSubscriptionRecord> Subscriptions,
    [property: Id(1)] int Nodes,
    [property: Id(2)] int Unanswered);
