namespace Hub.Api.Diagnostics;

/// <summary>Counts every request the hub answers with a 4xx or 503, by a reason named after the status.</summary>
public static class RejectionCounting
{
    public static IApplicationBuilder UseRejectionCounting(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ApplicationServices.GetRequiredService<HubMetrics>();
        // Counted as the response starts, when its status is final and before the client can see it: a
        // callback instead of awaiting the rest of the pipeline, which would wrap every request in one more
        // asynchronous frame (measured with the publish benchmark; docs/performance.md, eighth pass).
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(CountOnStart, (metrics, context.Response));
            return next(context);
        });
    }

    private static Task CountOnStart(object state)
    {
        var (metrics, response) = ((HubMetrics, HttpResponse))state;
        Count(metrics, response.StatusCode);
        return Task.CompletedTask;
    }

    /// <summary>Counts one answer, for request paths that run outside this middleware (SSE streams).</summary>
    public static void Count(HubMetrics metrics, int status)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (Reason(status) is { } reason)
            metrics.Rejected(reason);
    }

    private static string? Reason(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status406NotAcceptable => "not_acceptable",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => "rate_limited",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        >= 400 and < 500 => "other_client_error",
        _ => null,
    };
}
