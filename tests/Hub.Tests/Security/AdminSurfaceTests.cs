using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// Outside Development the dashboard and the status page are off, or need the admin password
/// (<c>Hub:Admin:Password</c>, HTTP Basic); <c>/metrics</c> and health stay open; the dashboard's log trace
/// is off unless asked for. The same on an API node and on a silo.
/// </summary>
public sealed class AdminSurfaceTests
{
    private const string Password = "admin-password-0123456789";

    private static readonly string[] AdminPaths = ["dashboard", "dashboard/DashboardCounters", "status", "status.html", "status/data"];

    [Fact]
    public async Task InProduction_WithoutAPassword_AdminSurfacesAreOff_MetricsAndHealthStayOpen()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key }, Environments.Production);

        foreach (var path in AdminPaths)
        {
            using var response = await server.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }
        using var metrics = await server.Client.GetAsync("metrics");
        using var health = await server.Client.GetAsync("health/live");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (metrics.StatusCode, health.StatusCode));
    }

    [Fact]
    public async Task InProduction_WithAPassword_AdminSurfacesNeedIt()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hub:Auth:SigningKey"] = Tokens.Key,
            ["Hub:Admin:Password"] = Password,
        }, Environments.Production);

        foreach (var path in AdminPaths)
        {
            using var anonymous = await server.Client.GetAsync(path);
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)anonymous.StatusCode}");
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            using var wrong = await server.Client.SendAsync(WithBasic(path, "admin", "not-the-password-at-all"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using var data = await server.Client.SendAsync(WithBasic("status/data", "anyone", Password));
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        await AssertAdmittedAsync(server.Address, "dashboard");
    }

    [Fact]
    public async Task TheDashboard_RunsOnlyWhereItCanBeReached()
    {
        // Off, it must cost nothing: no grain-call filter timing every publish, no figures per grain.
        await using var off = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key }, Environments.Production);
        await using var locked = await HubServer.StartAsync(new Dictionary<string, string?> { ["Hub:Auth:SigningKey"] = Tokens.Key, ["Hub:Admin:Password"] = Password }, Environments.Production);
        await using var open = await HubServer.StartAsync();

        Assert.Empty(DashboardFilters(off));
        Assert.NotEmpty(DashboardFilters(locked));
        Assert.NotEmpty(DashboardFilters(open));
        using var dashboard = await off.Client.SendAsync(WithBasic("dashboard", "admin", Password));
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
    }

    private static IEnumerable<IIncomingGrainCallFilter> DashboardFilters(HubServer server) =>
        server.Services.GetServices<IIncomingGrainCallFilter>().Where(f => f.GetType().Namespace?.StartsWith("Orleans.Dashboard", StringComparison.Ordinal) == true);

    [Fact]
    public async Task DashboardTrace_IsOffUnlessAskedFor()
    {
        await using var server = await HubServer.StartAsync();

        using var trace = await server.Client.GetAsync("dashboard/Trace", HttpCompletionOption.ResponseHeadersRead);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var body = await trace.Content.ReadAsStringAsync(timeout.Token);

        Assert.Contains("disabled", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task InDevelopment_WithoutAPassword_AdminSurfacesAreOpen()
    {
        await using var server = await HubServer.StartAsync();

        using var data = await server.Client.GetAsync("status/data");

        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
    }

    [Fact]
    public async Task Silo_InProduction_LocksItsDashboardToo()
    {
        await using var silo = await HubProcess.StartAsync("Hub.Silo", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Hub__Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Hub__Admin__Password"] = Password,
        }, "health/live", TimeSpan.FromMinutes(2)); // a silo on a loaded CI machine can take over a minute to start

        using var anonymous = await silo.Client.GetAsync("dashboard");
        using var metrics = await silo.Client.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        await AssertAdmittedAsync(silo.Address, "dashboard");
    }

    /// <summary>
    /// The password opens <paramref name="path"/>: a page or the dashboard's redirect to its own page. Without
    /// following redirects, because HttpClient drops the Authorization header on a redirect (browsers keep
    /// Basic credentials for the origin).
    /// </summary>
    private static async Task AssertAdmittedAsync(Uri node, string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.SendAsync(WithBasic(path, "admin", Password));
        Assert.True((int)response.StatusCode is >= 200 and < 400, $"{path}: {(int)response.StatusCode}");
    }

    private static HttpRequestMessage WithBasic(string path, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return request;
    }
}
