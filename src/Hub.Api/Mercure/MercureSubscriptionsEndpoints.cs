using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// Wires Mercure's subscription API when <see cref="MercureOptions.SubscriptionsApi"/> is on: the node's
/// list of its subscriptions, its lease in the cluster's directory, the subscription events, and the
/// <c>GET /.well-known/mercure/subscriptions…</c> endpoints. Off, the services are there but inert
/// (<see cref="MercureSubscriptions"/> does nothing) and the URLs are not mapped: 404.
/// </summary>
public static class MercureSubscriptionsEndpoints
{
    public static IServiceCollection AddMercureSubscriptions(this IServiceCollection services)
    {
        services.AddSingleton<MercureNodeSubscriptions>();
        services.AddSingleton<MercureSubscriptionLease>();
        services.AddHostedService(sp => sp.GetRequiredService<MercureSubscriptionLease>());
        services.AddSingleton<MercureSubscriptions>();
        services.AddSingleton<MercureSubscriptionsHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapMercureSubscriptions(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IOptions<MercureOptions>>().Value.SubscriptionsApi)
            return app;
        var handler = app.ServiceProvider.GetRequiredService<MercureSubscriptionsHandler>();
        // The handler reads the raw path itself: {topic} and {subscriber} are percent-encoded and may hold %2F.
        app.MapGet(MercureSubscription.CollectionPath, (Func<HttpContext, Task<IResult>>)handler.HandleAsync);
        app.MapGet(MercureSubscription.CollectionPath + "/{**rest}", (Func<HttpContext, Task<IResult>>)handler.HandleAsync);
        return app;
    }
}
