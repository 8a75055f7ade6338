using Hub.Grains.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Hub.Grains.Hosting;

/// <summary>
/// Logs and metrics for every Hub process (silo and API node alike): console logs, as JSON lines when
/// <c>Hub:Logging:Json</c> is true (for log shippers), and OpenTelemetry metrics exported as Prometheus
/// text at <c>/metrics</c>.
/// </summary>
public static class ObservabilityHosting
{
    public static IHostApplicationBuilder AddHubObservability(this IHostApplicationBuilder builder, params string[] meters)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Orleans and Polly narrate start-up and every placement at Information; keep them to warnings
        // unless configuration asks for more (Logging:LogLevel:Orleans), wherever the content root is.
        if (builder.Configuration["Logging:LogLevel:Orleans"] is null)
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        if (builder.Configuration["Logging:LogLevel:Polly"] is null)
            builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // ASP.NET Core creates an Activity and a log scope for every request as soon as its hosting
        // logger is enabled at any level, and an SSE request holds both for its whole life (and every
        // publish allocates them). Its only messages are the per-request ones at Information and Debug.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        var json = builder.Configuration.GetValue<bool>("Hub:Logging:Json");
        // The plain console format prints no scopes, but Kestrel still opens one per connection (and an
        // SSE connection keeps it for its whole life, ~140 B) unless scopes are off: only JSON logs show them.
        if (!json)
            builder.Services.Configure<LoggerFilterOptions>(o => o.CaptureScopes = false);
        if (json)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GrainMetrics.MeterName)
            .AddMeter(meters)
            .AddMeter("Microsoft.Orleans")
            .AddRuntimeInstrumentation()
            // ASP.NET Core's own meters (request duration, active requests, Kestrel connections): the
            // same figures as the instrumentation package, without its per-request middleware state,
            // which every long-lived SSE request would hold for its whole life.
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    public static IEndpointRouteBuilder MapHubMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
