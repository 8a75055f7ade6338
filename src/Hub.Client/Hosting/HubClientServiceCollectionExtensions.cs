using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Client;

/// <summary>Registers <see cref="HubClient"/> as a typed client of <c>IHttpClientFactory</c>.</summary>
public static class HubClientServiceCollectionExtensions
{
    /// <summary>Registers <see cref="HubClient"/> configured by <paramref name="configure"/>. Returns the HTTP client's builder for handlers and settings.</summary>
    public static IHttpClientBuilder AddHubClient(this IServiceCollection services, Action<HubClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<HubClientOptions>().Configure(configure);
        return AddTypedClient(services);
    }

    /// <summary>
    /// Registers <see cref="HubClient"/> with options bound from <paramref name="section"/> (such as
    /// <c>configuration.GetSection("HubClient")</c>), then <paramref name="configure"/> (for the token provider).
    /// </summary>
    public static IHttpClientBuilder AddHubClient(this IServiceCollection services, IConfiguration section, Action<HubClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = services.AddOptions<HubClientOptions>().Bind(section);
        if (configure is not null)
            options.Configure(configure);
        return AddTypedClient(services);
    }

    private static IHttpClientBuilder AddTypedClient(IServiceCollection services)
    {
        services.AddOptions<HubClientOptions>().Validate(o =>
        {
            o.Validate();
            return true;
        });
        return services.AddHttpClient<HubClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<HubClientOptions>>().Value;
            if (options.BaseAddress is not null)
                http.BaseAddress = options.BaseAddress;
            // Streams stay open for hours; each request is timed by HubClientOptions.RequestTimeout instead.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
    }
}
