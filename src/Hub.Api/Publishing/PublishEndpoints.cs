using Hub.Api.Security;

namespace Hub.Api.Publishing;

/// <summary><c>POST /topics/{topic}/events</c>: store an event (or a batch) and return its sequence and cursor.</summary>
public static class PublishEndpoints
{
    public static IEndpointRouteBuilder MapPublishEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The handler's services are all singletons: resolved once here instead of on every request.
        var handler = ActivatorUtilities.CreateInstance<PublishHandler>(app.ServiceProvider);
        app.MapPost("/topics/{topic}/events", (HttpContext context, string topic) => handler.PublishAsync(context, topic))
            .RequirePublishRateLimit(app.ServiceProvider);
        return app;
    }
}
