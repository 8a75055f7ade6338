using System.Net;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Xunit;

namespace Hub.Tests.Grains;

/// <summary>
/// Reads of topics nobody published to leave no grain activation behind: an anonymous client cycling
/// through made-up names costs a call each, not an activation each until the collector's idle age.
/// </summary>
public class UnbornTopicActivationTests
{
    private const int Names = 200;

    [Fact]
    public async Task ReadsOfUnbornTopics_LeaveNoActivations_WhileAPublishedTopicKeepsItsOwn()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Limits:ReadRequestsPerSecond"] = "0" });
        var published = HubServerFixture.NewTopic();
        await server.Client.PublishAsync(published, "kept");
        var before = await TopicActivationsAsync(server);

        var prefix = HubServerFixture.NewTopic();
        for (var i = 0; i < Names; i++)
        {
            var topic = $"{prefix}.{i}";
            using var info = await server.Client.GetAsync($"topics/{topic}");
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
            using var history = new HttpRequestMessage(HttpMethod.Get, $"topics/{topic}/events?after=0");
            history.Headers.Accept.ParseAdd("application/json");
            using (var page = await server.Client.SendAsync(history))
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            using var state = await server.Client.GetAsync($"topics/{topic}/state");
            Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        }

        // Each read activated its grain; each activation went once the read was answered.
        await Eventually.TrueAsync(async () => await TopicActivationsAsync(server) <= before, $"the {Names} unborn topics' activations are gone", TimeSpan.FromSeconds(30));
        // A read of the published topic does not let its activation go, and the topic carries on.
        using (var info = await server.Client.GetAsync($"topics/{published}"))
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(before, await TopicActivationsAsync(server));
        Assert.Equal(2, (await server.Client.PublishAsync(published, "again")).Sequence);
    }

    private static async Task<int> TopicActivationsAsync(HubServer server)
    {
        var management = server.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var statistics = await management.GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains("TopicGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }
}
