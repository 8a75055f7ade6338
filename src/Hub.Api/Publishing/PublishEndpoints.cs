using Hub.Api.Security;
using Microsoft.AspNetCore.Mvc;

namespace Hub.Api.Publishing;

/// <summary><c>POST /topics/{topic}/events</c>: store an event (or a batch) and return its sequence and cursor.</summary>
public static class PublishEndpoints
{
    public static IEndpointRouteBuilder MapPublishEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The handler's services are all singletons: resolved once here instead of on every request.
        var handler = ActivatorUtilities.CreateInstance<PublishHandler>(app.ServiceProvider);
        // Every answer of the handler carries its body (problem details included), so status code pages never apply.
        app.MapPost("/topics/{topic}/events", (HttpContext context, string topic) => handler.PublishAsync(context, topic))
            .WithMetadata(new SkipStatusCodePagesAttribute())
            .RequirePublishRateLimit(app.ServiceProvider);
        return app;
    }
}
