using Hub.Grains.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// ASP.NET Core's forwarded-headers middleware, trusting exactly the proxies of <see cref="ProxyOptions"/>
/// (its defaults, which trust loopback, are cleared). With none configured it is not in the pipeline.
/// </summary>
public static class HubProxy
{
    public static IServiceCollection AddHubProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHubOptions<ProxyOptions>(configuration, ProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.Proxies())
                forwarded.KnownProxies.Add(address);
            foreach (var network in proxy.Value.Networks())
                forwarded.KnownIPNetworks.Add(network);
            // Only the entry the trusted proxy appended: whatever the client put before it is its own claim.
            forwarded.ForwardLimit = 1;
        });
        return services;
    }

    /// <summary>
    /// Call first, before the SSE stream branch, so streams see the client's address too. It rewrites the
    /// connection's address and returns the next step's task: no frame of it stays behind a stream.
    /// </summary>
    public static IApplicationBuilder UseHubProxy(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetRequiredService<IOptions<ProxyOptions>>().Value.TrustsAny)
            app.UseForwardedHeaders();
        return app;
    }
}
