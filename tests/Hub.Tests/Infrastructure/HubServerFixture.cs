using Xunit;

namespace Hub.Tests.Infrastructure;

/// <summary>One shared hub for the HTTP tests that need no special settings; keep-alives come fast so tests can see them.</summary>
public sealed class HubServerFixture : IAsyncLifetime
{
    public HubServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await HubServer.StartAsync(new Dictionary<string, string?>
    {
        ["Hub:Sse:HeartbeatInterval"] = "00:00:00.300",
        ["Hub:Retention:MaxEventsPerTopic"] = "10000",
        // Every test client comes from 127.0.0.1: the per-address limits would count them as one client.
        ["Hub:Limits:MaxConnectionsPerClient"] = "0",
        ["Hub:Limits:PublishRequestsPerSecond"] = "0",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public static string NewTopic(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class HubServerCollection : ICollectionFixture<HubServerFixture>
{
    public const string Name = "Shared hub server";
}
