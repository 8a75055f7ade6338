using System.Diagnostics;
using Hub.Api.Subscriptions;

namespace Hub.Api.Diagnostics;

/// <summary>This node's live figures, as <c>GET /status/data</c> returns them for the <c>/status</c> page.</summary>
public sealed record NodeStatus(
    string Node,
    string Role,
    double UptimeSeconds,
    int Connections,
    int Topics,
    int Subscriptions,
    long EventsPublished,
    long EventsDelivered,
    long SlowClientDisconnects,
    long Resets,
    long WorkingSetBytes,
    long ManagedHeapBytes,
    bool Draining,
    long StreamEventsReceived,
    IReadOnlyList<InternalFeedStatus> InternalFeeds);

/// <summary>
/// A feed of one of the hub's own topics (the Mercure update log, whole or one of its shards): few by
/// construction, so they are listed, unlike the feeds of the unbounded native topics.
/// </summary>
public sealed record InternalFeedStatus(string Topic, string? Channel, int Connections, long StreamEventsReceived);

/// <summary>Serves the node's figures; the page turns successive totals into rates.</summary>
public static class NodeStatusEndpoints
{
    private static readonly long StartedAt = Stopwatch.GetTimestamp();

    public static IEndpointRouteBuilder MapNodeStatus(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/status", () => Results.Redirect("/status.html"));
        app.MapGet("/status/data", (HubMetrics metrics, SseConnections connections, TopicFeeds feeds, ConnectionDrainer drainer, IConfiguration configuration) =>
        {
            var snapshot = feeds.Snapshot();
            using var process = Process.GetCurrentProcess();
            return TypedResults.Ok(new NodeStatus(
                Environment.MachineName,
                Hosting.ClusterHosting.HostsEmbeddedSilo(configuration) ? "embedded" : "api",
                Stopwatch.GetElapsedTime(StartedAt).TotalSeconds,
                connections.Count,
                snapshot.Count,
                snapshot.Sum(f => f.ConnectionCount),
                metrics.PublishedTotal,
                metrics.DeliveredTotal,
                metrics.SlowClientsTotal,
                metrics.ResetsTotal,
                process.WorkingSet64,
                // Without forcing a collection: what the heap holds now, garbage not yet collected included.
                GC.GetTotalMemory(forceFullCollection: false),
                drainer.IsDraining,
                metrics.StreamEventsReceivedTotal,
                [.. snapshot
                    .Where(f => f.Topic.StartsWith(Hub.Grains.Contracts.EventRules.InternalTopicPrefix, StringComparison.Ordinal))
                    .Select(f => new InternalFeedStatus(f.Topic, f.Channel?.Name, f.ConnectionCount, f.StreamEventsReceived))]));
        });
        return app;
    }
}
