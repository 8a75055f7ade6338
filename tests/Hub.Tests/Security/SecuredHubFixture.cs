using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// One hub with an HMAC key and private topics <c>secret.*</c>, shared by a test class. Clock skew is
/// zero so expiry tests need not wait out a tolerance.
/// </summary>
public sealed class SecuredHubFixture : IAsyncLifetime
{
    public const string PrivatePattern = "secret.*";

    public HubServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await HubServer.StartAsync(new Dictionary<string, string?>
    {
        ["Hub:Auth:SigningKey"] = Tokens.Key,
        ["Hub:Auth:PrivateTopics:0"] = PrivatePattern,
        ["Hub:Auth:ClockSkew"] = "00:00:00",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
