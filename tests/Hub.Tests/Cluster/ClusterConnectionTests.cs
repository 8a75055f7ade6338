using System.Net;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Cluster;

/// <summary>
/// An API node started before any silo of its cluster (docker-compose brings services up in any order
/// after a crash or a host restart) keeps trying, one log line per attempt, until a silo comes or it is
/// told to stop.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterConnectionTests(RedisServer redis)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ApiNode_StartedBeforeItsSilos_RetriesWithALogLinePerAttempt_AndServesOnceASiloJoins()
    {
        var clusterId = $"c{Guid.NewGuid():N}"[..13];
        await using var api = HubProcess.Launch("Hub.Api", HubCluster.ApiEnvironment(redis.ConnectionString, clusterId));
        // Two failed attempts: it did not give up after the first (the behaviour this test is about).
        await Eventually.TrueAsync(() => api.HasExited || api.Output.Contains("Cluster connection attempt 2 failed", StringComparison.Ordinal),
            "the API node logs its second failed connection attempt", StartTimeout);
        Assert.False(api.HasExited, $"The API node exited instead of retrying:\n{api.Output}");
        // Hub:Logging:Json (as the compose file sets it): each attempt is one JSON object on one line, fields structured.
        using (var entry = JsonDocument.Parse(api.Output.Split('\n').First(l => l.Contains("Cluster connection attempt 1 failed", StringComparison.Ordinal))))
        {
            Assert.Equal("Warning", entry.RootElement.GetProperty("LogLevel").GetString());
            Assert.Equal(1, entry.RootElement.GetProperty("State").GetProperty("Attempt").GetInt32());
        }

        await using var silo = await HubProcess.StartAsync("Hub.Silo", HubCluster.SiloEnvironment(redis.ConnectionString, clusterId, FreePort.Next(), FreePort.Next()), timeout: StartTimeout);
        await api.WaitUntilAsync("health/ready", StartTimeout);

        using var published = await api.Client.SendAsync(Tokens.Publish("late-silo", "x", HubCluster.PublisherToken("late")));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
    }

    [Fact]
    public async Task ApiNode_WaitingForItsCluster_StopsOnSigterm()
    {
        var clusterId = $"c{Guid.NewGuid():N}"[..13];
        await using var api = HubProcess.Launch("Hub.Api", HubCluster.ApiEnvironment(redis.ConnectionString, clusterId));
        await Eventually.TrueAsync(() => api.HasExited || api.Output.Contains("Cluster connection attempt 1 failed", StringComparison.Ordinal),
            "the API node logs its first failed connection attempt", StartTimeout);
        Assert.False(api.HasExited, $"The API node exited instead of retrying:\n{api.Output}");

        // StopAsync fails the test if the process is still running after the timeout.
        await api.StopAsync(TimeSpan.FromSeconds(30));

        Assert.True(api.HasExited);
        // It stopped because it was told to: the host acknowledged SIGTERM. (Whether the retry filter's own
        // "no more attempts" line gets out depends on where the stop finds the connect loop: when the host
        // gives up on starting first, the process ends before that line is written.)
        Assert.True(api.Output.Contains("Application is shutting down", StringComparison.Ordinal), $"no SIGTERM acknowledgment in:\n{api.Output}");
    }
}
