using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// The multi-process cluster tests: each starts two silos and two API nodes, so they run one at a time
/// and not alongside other collections (on two cores, a parallel neighbour would stretch every failover
/// they time). They share one redis-server; each cluster has its own ClusterId and ServiceId on it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Multi-process cluster";
}
