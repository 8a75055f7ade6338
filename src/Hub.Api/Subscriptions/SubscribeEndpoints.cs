using System.Text.Json;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Topics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The three ways to open a subscription (<c>GET /topics/{topic}/events</c>, <c>GET /events</c>,
/// <c>POST /subscribe</c>), all ending in <see cref="SubscriptionHandler"/>; and the JSON history page of
/// the first route, which stays an ordinary endpoint.
/// <para>
/// A stream lives for hours, and every middleware that awaits the rest of the pipeline (exception
/// handler, status code pages, rejection counting, authentication, authorization, endpoint execution)
/// keeps a suspended frame per open stream for its whole life: about 2.5 KB per idle connection,
/// measured with <c>dotnet-gcdump</c>. So streams take a branch at the front of the pipeline that runs
/// only what a stream needs: the CORS headers of the app's policy, then the handler, which authenticates
/// the request itself when it carries a token, counts its own rejections and turns its own failures into
/// problems. Once a stream is open, only the handler's run frame stays suspended: not the CORS middleware
/// (its request services scope and response callback), not the frames that opened the stream.
/// </para>
/// </summary>
public static partial class SubscribeEndpoints
{
    private const string TopicsPrefix = "/topics/";
    private const string EventsSuffix = "/events";

    /// <summary>Call first in the pipeline: SSE subscriptions skip everything after it.</summary>
    public static IApplicationBuilder UseSubscriptionStreams(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var handler = services.GetRequiredService<SubscriptionHandler>();
        var metrics = services.GetRequiredService<HubMetrics>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SubscribeEndpoints));
        var cors = StreamCors.From(services);
        return app.MapWhen(IsStreamRequest, stream => stream.Run(context =>
        {
            cors.Apply(context);
            return ServeAsync(context, handler, metrics, logger);
        }));
    }

    /// <summary>
    /// The same routes as endpoints: they define the route table (another method gets 405) and serve
    /// the JSON history page and long-poll of <c>GET /topics/{topic}/events</c>. Streams reach them only
    /// if the branch of <see cref="UseSubscriptionStreams"/> is not in the pipeline.
    /// </summary>
    public static IEndpointRouteBuilder MapSubscribeEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var handler = app.ServiceProvider.GetRequiredService<SubscriptionHandler>();
        app.MapGet("/topics/{topic}/events", (HttpContext context, string topic, HistoryHandler history) =>
            WantsJson(context.Request) ? history.HandleAsync(context, topic) : HandleAsync(context, handler));
        app.MapGet("/events", (Func<HttpContext, Task<IResult>>)(context => HandleAsync(context, handler)));
        app.MapPost("/subscribe", (Func<HttpContext, Task<IResult>>)(context => HandleAsync(context, handler)));
        return app;
    }

    private static bool IsStreamRequest(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method))
            return request.Path.Equals("/subscribe", StringComparison.Ordinal);
        if (!HttpMethods.IsGet(request.Method))
            return false;
        return request.Path.Equals(EventsSuffix, StringComparison.Ordinal) || (TopicOf(request.Path) is not null && !WantsJson(request));
    }

    private static Task ServeAsync(HttpContext context, SubscriptionHandler handler, HubMetrics metrics, ILogger logger)
    {
        var opening = OpenAsync(context, handler);
        // The usual case: opened synchronously, so the stream's run is the only frame left waiting.
        if (!opening.IsCompletedSuccessfully)
            return FinishAsync(context, opening.AsTask(), handler, metrics, logger);
        var opened = opening.Result;
        return opened.Refusal is null ? handler.RunAsync(context, opened) : RefuseAsync(context, opened.Refusal, metrics);
    }

    private static async Task RefuseAsync(HttpContext context, IResult refusal, HubMetrics metrics)
    {
        await refusal.ExecuteAsync(context);
        RejectionCounting.Count(metrics, context.Response.StatusCode);
    }

    private static async Task FinishAsync(HttpContext context, Task<SubscriptionOpening> pending, SubscriptionHandler handler, HubMetrics metrics, ILogger logger)
    {
        IResult result;
        try
        {
            var opening = await pending;
            if (opening.Refusal is null)
            {
                await handler.RunAsync(context, opening);
                return;
            }
            result = opening.Refusal;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnexpected(logger, ex, context.Request.Path);
            result = TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, detail: "The subscription could not be opened.");
        }
        await RefuseAsync(context, result, metrics);
    }

    private static async Task<IResult> HandleAsync(HttpContext context, SubscriptionHandler handler)
    {
        var opening = await OpenAsync(context, handler);
        if (opening.Refusal is { } refusal)
            return refusal;
        await handler.RunAsync(context, opening);
        return Results.Empty;
    }

    private static ValueTask<SubscriptionOpening> OpenAsync(HttpContext context, SubscriptionHandler handler)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method))
        {
            IReadOnlyList<string> topics = TopicOf(request.Path) is { } topic ? [topic] : [.. request.Query["topic"].Where(t => t is not null).Select(t => t!)];
            return handler.OpenAsync(context, topics, request.Query["lastEventId"], request.Query["rewind"]);
        }
        return OpenFromBodyAsync(context, handler);
    }

    private static async ValueTask<SubscriptionOpening> OpenFromBodyAsync(HttpContext context, SubscriptionHandler handler)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
            return SubscriptionOpening.Refused(Problems.UnsupportedMediaType("POST /subscribe takes an application/json body: {\"topics\":[...],\"lastEventId\":...,\"rewind\":...}."));
        // Bounded before a byte is parsed: a declared length over the limit is refused at once, and Kestrel
        // stops a chunked body at the limit while reading, so a huge body costs neither time nor memory.
        var maxBody = handler.MaxBodyBytes;
        if (request.ContentLength > maxBody)
            return SubscriptionOpening.Refused(TooLarge(maxBody));
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = maxBody;
        SubscribeRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync(HubJsonContext.Default.SubscribeRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return SubscriptionOpening.Refused(Problems.BadRequest($"The body is not valid JSON: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return SubscriptionOpening.Refused(TooLarge(maxBody));
        }
        if (!TryReadRewind(body?.Rewind, out var rewind))
            return SubscriptionOpening.Refused(Problems.BadRequest($"\"rewind\" must be {Rewind.Forms}."));
        return await handler.OpenAsync(context, body?.Topics ?? [], body?.LastEventId, rewind);
    }

    /// <summary>The body's <c>"rewind"</c>: a number (<c>1</c>) or a string (<c>"1"</c>, <c>"30s"</c>), as text for <see cref="Rewind.TryParse"/>.</summary>
    private static bool TryReadRewind(JsonElement? value, out string? rewind)
    {
        rewind = value?.ValueKind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.Number => value.Value.GetRawText(),
            JsonValueKind.String => value.Value.GetString(),
            _ => "",
        };
        return rewind is not "";
    }

    private static IResult TooLarge(int maxBody) =>
        Problems.PayloadTooLarge($"The body is larger than {maxBody} bytes (Hub:Subscriptions:MaxBodyBytes): a subscription names at most its topic limit and a cursor.");

    /// <summary>The topic of a <c>/topics/{topic}/events</c> path (one segment), else null.</summary>
    private static string? TopicOf(PathString path)
    {
        var value = path.Value;
        if (value is null || !value.StartsWith(TopicsPrefix, StringComparison.Ordinal) || !value.EndsWith(EventsSuffix, StringComparison.Ordinal))
            return null;
        var topic = value.AsSpan(TopicsPrefix.Length, Math.Max(0, value.Length - TopicsPrefix.Length - EventsSuffix.Length));
        return topic.IsEmpty || topic.Contains('/') ? null : topic.ToString();
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Opening a subscription on {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);
}
