using Hub.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// The real Hub.Api app (embedded silo, in-memory log) on a real Kestrel bound to a free loopback port,
/// configured like a user would: through <c>Hub:*</c> keys.
/// </summary>
public sealed class HubServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the hub; <paramref name="environment"/> defaults to Development (anonymous publishing when
    /// no key is set). <paramref name="services"/> may replace a service after the hub's own (a test's probe).
    /// </summary>
    public static async Task<HubServer> StartAsync(IDictionary<string, string?>? settings = null, string? environment = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(HubApplication).Assembly.GetName().Name,
            EnvironmentName = environment ?? Environments.Development,
        });
        var port = FreePort.Next();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Cluster:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hub:Cluster:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every test client comes from 127.0.0.1, so the per-address read rate would count a whole test
            // run as one client; tests of the limit set it themselves.
            ["Hub:Limits:ReadRequestsPerSecond"] = "0",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddHub();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseHub();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A hub that refuses to start (invalid options) must not leave its half-built host behind.
            await app.DisposeAsync();
            throw;
        }
        return new HubServer(app, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
