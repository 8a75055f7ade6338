using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Grains.Hosting;

/// <summary>
/// The optional management listener (<see cref="AdminOptions.MetricsUrls"/>): Kestrel listens on it
/// beside the public URLs, and one middleware sends <c>/metrics</c> there only and keeps everything but
/// <c>/metrics</c> and <c>/health/*</c> off it. Requests are told apart by the local port they arrived
/// on, never by their Host header, which any client can write (so <c>RequireHost</c> would not do).
/// </summary>
public static class ManagementListener
{
    /// <summary>Kestrel's own default when no URL is configured.</summary>
    private const string KestrelDefaultUrl = "http://localhost:5000";

    /// <summary>
    /// Adds the management URLs to the ones the process listens on (call after the public URLs are
    /// settled: <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c> or a default of the
    /// caller's). Kestrel takes one list, so setting it alone would drop the public URLs.
    /// </summary>
    public static WebApplicationBuilder AddHubManagementListener(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.ReadHubOptions<AdminOptions>(AdminOptions.Section);
        var management = options.MetricsUrlList();
        if (management.Count == 0)
            return builder;
        var publicUrls = PublicUrls(builder);
        var shared = publicUrls.Select(url => BindingAddress.Parse(url).Port).Intersect(options.MetricsPorts()).ToList();
        if (shared.Count > 0)
            throw new OptionsValidationException(AdminOptions.Section, typeof(AdminOptions),
                [$"Hub:Admin:MetricsUrls must use a port of its own; port {shared[0]} is also a public URL's ({string.Join(';', publicUrls)})."]);
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Join(';', publicUrls.Concat(management)));
        return builder;
    }

    /// <summary>
    /// Call first in the pipeline (before the SSE stream branches, so the management listener never
    /// serves a stream). Without management URLs it adds nothing.
    /// </summary>
    public static IApplicationBuilder UseHubManagementListener(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var ports = app.ApplicationServices.GetRequiredService<IOptions<AdminOptions>>().Value.MetricsPorts();
        if (ports.Count == 0)
            return app;
        return app.Use((context, next) =>
        {
            var onManagement = ports.Contains(context.Connection.LocalPort);
            var path = context.Request.Path;
            var allowed = path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
                || onManagement == path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
            if (allowed)
                return next(context);
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: onManagement ? "The management listener serves /metrics and /health/* only." : "/metrics is served on the management listener (Hub:Admin:MetricsUrls).")
                .ExecuteAsync(context);
        });
    }

    private static List<string> PublicUrls(WebApplicationBuilder builder)
    {
        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        if (!string.IsNullOrWhiteSpace(urls))
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        // As Kestrel reads them when no URL is set: ASPNETCORE_HTTP_PORTS / HTTPS_PORTS (the .NET images'
        // way), else its default.
        var ports = Ports(builder.Configuration["http_ports"], "http").Concat(Ports(builder.Configuration["https_ports"], "https")).ToList();
        return ports.Count > 0 ? ports : [KestrelDefaultUrl];
    }

    private static IEnumerable<string> Ports(string? ports, string scheme) =>
        (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"{scheme}://*:{port}");
}
