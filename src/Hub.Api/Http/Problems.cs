using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Runtime;

namespace Hub.Api.Http;

/// <summary>
/// The hub's error responses: <c>application/problem+json</c> with a message that says what is wrong.
/// Client mistakes are 4xx; a cluster that cannot answer right now (failover, a silo gone) is 503 with
/// Retry-After, never 500.
/// </summary>
public static class Problems
{
    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult UnsupportedMediaType(string detail) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    public static IResult PayloadTooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    public static IResult UnprocessableContent(string detail) => Problem(StatusCodes.Status422UnprocessableEntity, "Unprocessable content", detail);

    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult TooManyRequests(HttpContext context, string detail, int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, "Too many requests", detail);
    }

    public static IResult Unavailable(HttpContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = "1";
        return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);
    }

    /// <summary>
    /// True for failures of a grain call that mean "the cluster cannot answer now" rather than a bug:
    /// the caller should answer 503 and the client retry.
    /// </summary>
    public static bool IsTransientClusterFailure(Exception exception) => exception is
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or
        ClientNotAvailableException or OrleansException or
        Hub.Grains.EventLog.SequenceConflictException or Hub.Grains.EventLog.EventLogUnavailableException or
        Hub.Grains.Contracts.PublishQueueFullException or OperationCanceledException;

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
