using System.Globalization;
using System.Net;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Hosting;

/// <summary>
/// <c>Hub:Admin:MetricsUrls</c> gives <c>/metrics</c> a listener of its own: real Hub.Api and Hub.Silo
/// processes answer it there and <c>404</c> on their public URL, whatever Host header a client sends, and
/// the management listener serves nothing but metrics and health.
/// </summary>
public sealed class ManagementListenerTests
{
    [Theory]
    [InlineData("Hub.Api", "health/ready", "topics/some-topic")]
    [InlineData("Hub.Silo", "health/live", "dashboard")]
    public async Task MetricsUrls_ServeMetricsOnTheManagementPortOnly(string project, string readyPath, string publicPath)
    {
        var managementPort = FreePort.Next();
        await using var process = await HubProcess.StartAsync(project, new Dictionary<string, string>
        {
            ["Hub__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Admin__MetricsUrls"] = $"http://127.0.0.1:{managementPort}",
        }, readyPath, TimeSpan.FromMinutes(2));
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}/"), Timeout = TimeSpan.FromSeconds(30) };

        using (var metrics = await management.GetAsync("metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("# TYPE ", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await AssertStatusAsync(process.Client, "metrics", HttpStatusCode.NotFound);
        // The port a request arrived on decides, not the Host header a client writes.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, "metrics"))
        {
            forged.Headers.Host = $"127.0.0.1:{managementPort}";
            using var response = await process.Client.SendAsync(forged);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Health on both (balancers probe the public port); the rest of the node only on the public one.
        await AssertStatusAsync(management, "health/live", HttpStatusCode.OK);
        await AssertStatusAsync(process.Client, "health/live", HttpStatusCode.OK);
        await AssertStatusAsync(management, publicPath, HttpStatusCode.NotFound);
        await AssertStatusAsync(process.Client, publicPath, HttpStatusCode.OK);
    }

    [Fact]
    public async Task MetricsUrls_ThatAreNotAnHttpUrlWithAPort_RefuseToStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Admin:MetricsUrls"] = "https://127.0.0.1:9443" }));

        Assert.Contains("Hub:Admin:MetricsUrls", error.Message, StringComparison.Ordinal);
    }

    private static async Task AssertStatusAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == expected, $"{client.BaseAddress}{path}: {(int)response.StatusCode}, expected {(int)expected}");
    }
}
