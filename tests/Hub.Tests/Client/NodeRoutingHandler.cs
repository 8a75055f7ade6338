using System.Collections.Concurrent;
using System.Net;
using Hub.Tests.Cluster;

namespace Hub.Tests.Client;

/// <summary>
/// A load balancer in front of the cluster's API nodes, inside the client: each request goes to the
/// preferred node while it is live, else to another live one. Counts the answers by status.
/// </summary>
public sealed class NodeRoutingHandler(HubCluster cluster, int preferred) : DelegatingHandler(new SocketsHttpHandler())
{
    public ConcurrentDictionary<HttpStatusCode, int> Answers { get; } = new();

    private int _failures;

    /// <summary>Requests that got no answer at all (a refused or broken connection).</summary>
    public int Failures => Volatile.Read(ref _failures);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var live = cluster.LiveApis;
        var node = live.FirstOrDefault(a => a == TryApi(preferred)) ?? live[Random.Shared.Next(live.Count)];
        request.RequestUri = new Uri(node.Address, request.RequestUri!.PathAndQuery);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            Answers.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            return response;
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failures);
            throw;
        }
    }

    private Infrastructure.HubProcess? TryApi(int index)
    {
        try
        {
            return cluster.Api(index);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
