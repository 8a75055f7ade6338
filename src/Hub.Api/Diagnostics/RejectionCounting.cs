namespace Hub.Api.Diagnostics;

/// <summary>Counts every request the hub answers with a 4xx or 503, by a reason named after the status.</summary>
public static class RejectionCounting
{
    public static IApplicationBuilder UseRejectionCounting(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ApplicationServices.GetRequiredService<HubMetrics>();
        return app.Use(async (context, next) =>
        {
            await next(context);
            Count(metrics, context.Response.StatusCode);
        });
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
