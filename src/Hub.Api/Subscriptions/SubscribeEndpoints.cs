using System.Text.Json;
using Hub.Api.Http;
using Hub.Api.Topics;
using Microsoft.Net.Http.Headers;

namespace Hub.Api.Subscriptions;

/// <summary>The three ways to open a subscription; all end in <see cref="SubscriptionHandler"/>.</summary>
public static class SubscribeEndpoints
{
    public static IEndpointRouteBuilder MapSubscribeEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // One route serves SSE and, for clients that ask for JSON, the history page / long-poll fallback.
        app.MapGet("/topics/{topic}/events", (HttpContext context, string topic, SubscriptionHandler handler, HistoryHandler history) =>
            WantsJson(context.Request)
                ? history.HandleAsync(context, topic)
                : handler.HandleAsync(context, [topic], context.Request.Query["lastEventId"]));

        app.MapGet("/events", (HttpContext context, SubscriptionHandler handler) =>
            handler.HandleAsync(context, [.. context.Request.Query["topic"].Where(t => t is not null).Select(t => t!)], context.Request.Query["lastEventId"]));

        app.MapPost("/subscribe", async (HttpContext context, SubscriptionHandler handler) =>
        {
            if (!context.Request.HasJsonContentType())
                return Problems.UnsupportedMediaType("POST /subscribe takes an application/json body: {\"topics\":[...],\"lastEventId\":...}.");
            SubscribeRequest? request;
            try
            {
                request = await context.Request.ReadFromJsonAsync(HubJsonContext.Default.SubscribeRequest, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Problems.BadRequest($"The body is not valid JSON: {ex.Message}");
            }
            return await handler.HandleAsync(context, request?.Topics ?? [], request?.LastEventId);
        });
        return app;
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        var json = false;
        foreach (var value in accept)
        {
            if (value.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
                return false;
            if (value.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                json = true;
        }
        return json;
    }
}
