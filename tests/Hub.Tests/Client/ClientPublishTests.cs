using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Client;
using Hub.Client.Http;
using Hub.Client.Publishing;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hub.Tests.Client;

/// <summary>Publishing and history through <see cref="HubClient"/> against the embedded hub over loopback HTTP.</summary>
[Collection(HubServerCollection.Name)]
public class ClientPublishTests(HubServerFixture fixture)
{
    private async Task<long> HeadAsync(string topic) =>
        (await fixture.Server.Client.GetFromJsonAsync<JsonElement>($"topics/{topic}")).GetProperty("head").GetInt64();

    [Fact]
    public async Task Publish_TextJsonAndBatch_ReturnTypedResults_AndTheDataIsStoredAsSent()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");

        var text = await client.PublishAsync(topic, "status", "deployed");
        var json = await client.PublishAsync(topic, "order", new { OrderId = 42, Paid = true });
        var batch = await client.PublishBatchAsync(topic, [HubMessage.Text("a", "x"), HubMessage.Json("b", new[] { 1, 2 })]);

        Assert.Equal((topic, 1L), (text.Topic, text.Sequence));
        Assert.Equal(2, json.Sequence);
        Assert.Equal([3L, 4L], batch.Select(r => r.Sequence));
        Assert.False(string.IsNullOrEmpty(text.Id));
        var page = await client.GetEventsAsync(topic);
        Assert.Equal(["deployed", """{"orderId":42,"paid":true}""", "x", "[1,2]"], page.Events.Select(e => e.Data));
        Assert.Equal(["status", "order", "a", "b"], page.Events.Select(e => e.Type));
        Assert.Equal(text.Id, page.Events[0].Id);
    }

    [Fact]
    public async Task Publish_WhoseAnswerIsLost_IsRetriedWithTheSameKey_AndStoredOnce()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        faults.LoseAnswers(2);

        var result = await client.PublishAsync(topic, "status", "paid");

        Assert.Equal(1, result.Sequence);
        Assert.Equal(1, await HeadAsync(topic));
        Assert.Equal(3, faults.PublishKeys.Count);
        Assert.Single(faults.PublishKeys.Distinct());
        Assert.NotNull(faults.PublishKeys.First());
    }

    [Fact]
    public async Task Publish_Answered503_WaitsAndRetries_AndEachLogicalPublishHasItsOwnKey()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        faults.AnswerUnavailable(1);

        var first = await client.PublishAsync(topic, "status", "one");
        var second = await client.PublishAsync(topic, "status", "two");

        Assert.Equal([1L, 2L], [first.Sequence, second.Sequence]);
        var keys = faults.PublishKeys.ToArray();
        Assert.Equal(3, keys.Length);
        Assert.Equal(keys[0], keys[1]); // the 503'd attempt and its retry
        Assert.NotEqual(keys[1], keys[2]); // a new logical publish
    }

    [Fact]
    public async Task BatchRetry_AfterALostAnswer_ReturnsTheOriginalResults_AndStoresTheBatchOnce()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        faults.LoseAnswers(1);

        var results = await client.PublishBatchAsync(topic, [HubMessage.Text("a", "1"), HubMessage.Text("a", "2")], "batch-key");

        Assert.Equal([1L, 2L], results.Select(r => r.Sequence));
        Assert.Equal(2, await HeadAsync(topic));
    }

    [Fact]
    public async Task Refused_Publish_ThrowsTheProblem_WithoutRetrying()
    {
        var (client, faults, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;

        var error = await Assert.ThrowsAsync<HubProblemException>(() => client.PublishAsync(HubServerFixture.NewTopic("client"), "hub.mine", "x"));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(400, error.Problem.Status);
        Assert.Contains("hub.", error.Problem.Detail, StringComparison.Ordinal);
        Assert.Single(faults.PublishKeys);
    }

    [Fact]
    public async Task TheSameKey_ForOtherContent_ThrowsThe422Problem()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        await client.PublishAsync(topic, "status", "charge", "order-7");

        var error = await Assert.ThrowsAsync<HubProblemException>(() => client.PublishAsync(topic, "status", "refund", "order-7"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal(1, await HeadAsync(topic));
    }

    [Fact]
    public async Task History_PagesAndLongPolls()
    {
        var (client, _, http) = ClientTestKit.Connect(fixture.Server);
        using var _ = http;
        var topic = HubServerFixture.NewTopic("client");
        for (var i = 1; i <= 5; i++)
            await client.PublishAsync(topic, "n", $"{i}");

        var page = await client.GetEventsAsync(topic, after: 1, limit: 2);
        Assert.Equal([2L, 3L], page.Events.Select(e => e.Sequence!.Value));
        Assert.Equal((5L, 3L), (page.Head, page.NextAfter));
        Assert.All(page.Events, e => Assert.Equal(topic, e.Topic));

        var poll = client.WaitForEventsAsync(topic, after: 5, wait: TimeSpan.FromSeconds(30));
        var empty = await client.WaitForEventsAsync(topic, after: 5, wait: TimeSpan.FromSeconds(1));
        Assert.Empty(empty.Events);
        Assert.False(poll.IsCompleted, "the 30 s long-poll answered before any newer event existed");
        await client.PublishAsync(topic, "n", "6");
        var arrived = await poll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("6", Assert.Single(arrived.Events).Data);
    }

    [Fact]
    public async Task AddHubClient_BindsTheBaseAddressFromConfiguration_AndPublishes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HubClient:BaseAddress"] = fixture.Server.Address.ToString(),
            ["HubClient:MaxPublishAttempts"] = "3",
        }).Build();
        var services = new ServiceCollection();
        services.AddHubClient(configuration.GetSection("HubClient"));
        await using var provider = services.BuildServiceProvider();
        var topic = HubServerFixture.NewTopic("client");

        var result = await provider.GetRequiredService<HubClient>().PublishAsync(topic, "status", "from DI");

        Assert.Equal(1, result.Sequence);
        Assert.Equal(3, provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<HubClientOptions>>().Value.MaxPublishAttempts);
    }
}
