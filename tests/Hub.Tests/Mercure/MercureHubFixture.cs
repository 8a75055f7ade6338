using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Mercure;

/// <summary>One hub with an HMAC key (so publishing needs a token) and a publish origin for cookie-authenticated publishes.</summary>
public sealed class MercureHubFixture : IAsyncLifetime
{
    public const string AppOrigin = "https://app.example";

    public HubServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await HubServer.StartAsync(new Dictionary<string, string?>
    {
        ["Hub:Auth:SigningKey"] = Tokens.Key,
        ["Hub:Auth:ClockSkew"] = "00:00:00",
        ["Hub:Mercure:PublishOrigins:0"] = AppOrigin,
        ["Hub:Sse:HeartbeatInterval"] = "00:00:00.300",
        ["Hub:Retention:MaxEventsPerTopic"] = "10000",
        ["Hub:Limits:MaxConnectionsPerClient"] = "0",
        ["Hub:Limits:PublishRequestsPerSecond"] = "0",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A topic no other test uses, shaped like API Platform's IRIs.</summary>
    public static string NewTopic(string kind = "books") => $"https://example.com/{kind}/{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class MercureHubCollection : ICollectionFixture<MercureHubFixture>
{
    public const string Name = "Mercure hub";
}
