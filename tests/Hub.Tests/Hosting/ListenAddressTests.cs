using System.Globalization;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Hosting;

/// <summary>
/// The container images set only ASPNETCORE_URLS. A "Urls" key in appsettings.json would silently win
/// over it (the app's JSON configuration is read after the ASPNETCORE_ variables), leaving every node of
/// a compose deployment listening on its own loopback.
/// </summary>
public class ListenAddressTests
{
    [Theory]
    [InlineData("Hub.Api", "health/ready")]
    [InlineData("Hub.Silo", "health/live")]
    public async Task Process_ListensWhereAspNetCoreUrlsSays(string project, string readyPath)
    {
        await using var process = await HubProcess.StartAsync(project, new Dictionary<string, string>
        {
            ["Hub__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        }, readyPath, urlsFromEnvironment: true);
        using var response = await process.Client.GetAsync(readyPath);
        Assert.True(response.IsSuccessStatusCode);
    }
}
