using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;
using Hub.Grains.Publishing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace Hub.Api.Publishing.Streaming;

/// <summary>
/// A streamed publish: <c>POST /topics/{topic}/events</c> with a <c>text/event-stream</c> or
/// <c>application/x-ndjson</c> body that is read and published while it arrives (an LLM's answer piped in
/// chunk by chunk). The answer comes when the body ends: <c>201</c> with the count and the first and last
/// event. A body that breaks a rule or a limit part-way ends the request with a problem that says where,
/// and what was stored before it stays stored; the problem reports that part (<c>accepted</c>,
/// <c>firstSequence</c>, <c>lastSequence</c>, <c>lastId</c>).
/// </summary>
public sealed partial class StreamPublishHandler(
    IOptions<PublishOptions> publishOptions,
    IOptions<StreamingPublishOptions> options,
    HubMetrics metrics,
    TopicAccess access,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<StreamPublishHandler> logger)
{
    public const string EventStreamMediaType = "text/event-stream";
    public const string NdjsonMediaType = "application/x-ndjson";

    private readonly PublishOptions _publish = publishOptions.Value;
    private readonly StreamingPublishOptions _options = options.Value;

    /// <summary>True when the request's body is a stream of events rather than one event or a batch.</summary>
    public static bool IsStreamed(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsMediaType(request.ContentType, EventStreamMediaType) || IsMediaType(request.ContentType, NdjsonMediaType);
    }

    /// <summary>Reads the body to its end (or the first problem), storing its events in order as they come.</summary>
    public async Task<IResult> PublishAsync(HttpContext context, PublishTarget target)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        if (context.Request.Headers.ContainsKey(HubHeaders.IdempotencyKey))
        {
            return Problems.BadRequest(
                $"A streamed publish cannot carry an {HubHeaders.IdempotencyKey}: a retry could not tell which of its events were stored. Resume from the 'lastSequence' the failed request reported instead.");
        }
        // The streamed body has its own byte limit (MaxBytes) and idle timeout: Kestrel's whole-body size
        // limit and minimum data rate would cut off a long or thoughtful (slow) upstream.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null;
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            rate.MinDataRate = null;

        using var deadlines = new StreamDeadlines(_options, time, access.AcceptedUntil(context), lifetime.ApplicationStopping, context.RequestAborted);
        await using var body = new MeteredBodyStream(context.Request.Body, _options.MaxBytes, deadlines);
        var events = IsMediaType(context.Request.ContentType, EventStreamMediaType)
            ? SseEventReader.ReadAsync(body, _options.DoneSentinel, _publish.MaxDataBytes, deadlines.Token)
            : NdjsonEventReader.ReadAsync(body, _publish.MaxBodyBytes, _publish.MaxDataBytes, deadlines.Token);
        var committer = new StreamCommitter(target.Grain, _publish.MaxBatchEvents, metrics);

        StreamProblem? refused = null;
        try
        {
            long read = 0;
            await foreach (var draft in events)
            {
                if (++read > _options.MaxEvents)
                {
                    refused = Refused(target, committer, StatusCodes.Status413PayloadTooLarge,
                        $"The stream carried more than {_options.MaxEvents} events (Hub:Publish:Streaming:MaxEvents); the first {_options.MaxEvents} were stored.");
                    break;
                }
                if (!await committer.AddAsync(draft, deadlines.Token))
                    break;
            }
        }
        catch (StreamRefusedException ex)
        {
            refused = Refused(target, committer, ex.Status, ex.Message);
        }
        catch (OperationCanceledException) when (deadlines.Reason != StreamCut.None)
        {
            refused = Cut(context, target, committer, deadlines.Reason);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException)
        {
            // A chunked body that breaks off, or a connection reset: the publisher may still hear this.
            refused = Refused(target, committer, StatusCodes.Status400BadRequest, $"The request body broke off: {ex.Message}");
        }

        await committer.CompleteAsync();
        if (committer.Failure is { } failure)
            return Failed(context, target, committer, failure);
        if (refused is not null)
        {
            LogStreamEnded(logger, target.Set.Topics[0], committer.Count, body.Lines, refused.StatusCode);
            return refused;
        }
        var response = new StreamPublishResponse(target.Set.Topics[0], committer.Count,
            committer.First?.Sequence, committer.Last?.Sequence,
            committer.First is { } first ? target.Id(first) : null, committer.Last is { } last ? target.Id(last) : null);
        return committer.Count > 0 ? TypedResults.Created(target.Location, response) : TypedResults.Ok(response);
    }

    /// <summary>A problem after part of the stream may have been stored: it says how far the stream got.</summary>
    // Decided when the stream stops, written once the queued events are stored: the counts it reports
    // are exactly what the topic holds.
    private static StreamProblem Refused(PublishTarget target, StreamCommitter committer, int status, string detail) =>
        new(status, detail, target, committer);

    private static StreamProblem Cut(HttpContext context, PublishTarget target, StreamCommitter committer, StreamCut reason)
    {
        switch (reason)
        {
            case StreamCut.TokenExpired:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return Refused(target, committer, StatusCodes.Status401Unauthorized, "The token expired while the stream was being published; continue with a new token.");
            case StreamCut.ShuttingDown:
                context.Response.Headers.RetryAfter = "1";
                return Refused(target, committer, StatusCodes.Status503ServiceUnavailable, "This node is shutting down; continue the stream on another node.");
            case StreamCut.IdleTimeout:
                return Refused(target, committer, StatusCodes.Status408RequestTimeout, "The stream sent nothing for longer than the idle timeout (Hub:Publish:Streaming:IdleTimeout).");
            case StreamCut.MaxDuration:
                return Refused(target, committer, StatusCodes.Status408RequestTimeout, "The stream lasted longer than Hub:Publish:Streaming:MaxDuration.");
            default:
                // The publisher hung up: no one reads the answer, but what it sent before is stored.
                return Refused(target, committer, StatusCodes.Status400BadRequest, "The publisher closed the connection.");
        }
    }

    private StreamProblem Failed(HttpContext context, PublishTarget target, StreamCommitter committer, Exception failure)
    {
        var topic = target.Set.Topics[0];
        if (failure is ArgumentException)
            return Refused(target, committer, StatusCodes.Status400BadRequest, failure.Message);
        if (failure is PublishQueueFullException || Problems.IsTransientClusterFailure(failure))
        {
            LogStreamUnavailable(logger, failure, topic, committer.Count);
            context.Response.Headers.RetryAfter = "1";
            return Refused(target, committer, StatusCodes.Status503ServiceUnavailable,
                "The cluster could not take the stream's events right now (a node is failing over, or the topic's log is behind); continue after the reported lastSequence shortly.");
        }
        // Not the publisher's fault and not transient: the host's exception handler makes it a 500.
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return null!;
    }

    private static bool IsMediaType(string? contentType, string mediaType) =>
        contentType is not null
        && contentType.StartsWith(mediaType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == mediaType.Length || contentType[mediaType.Length] is ';' or ' ');

    /// <summary>A problem with the stream's progress as extension members.</summary>
    private sealed class StreamProblem(int status, string detail, PublishTarget target, StreamCommitter committer) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var extensions = new Dictionary<string, object?>
            {
                ["accepted"] = committer.Count,
                ["firstSequence"] = committer.First?.Sequence,
                ["lastSequence"] = committer.Last?.Sequence,
                ["lastId"] = committer.Last is { } last ? target.Id(last) : null,
            };
            return TypedResults.Problem(detail: detail, statusCode: status, title: Title(status), extensions: extensions).ExecuteAsync(httpContext);
        }

        private static string Title(int status) => status switch
        {
            StatusCodes.Status401Unauthorized => "Unauthorized",
            StatusCodes.Status408RequestTimeout => "Request timeout",
            StatusCodes.Status413PayloadTooLarge => "Payload too large",
            StatusCodes.Status503ServiceUnavailable => "Service unavailable",
            _ => "Bad request",
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Streamed publish to topic {Topic} ended early with {Status} after {Count} events stored ({Lines} lines read)")]
    private static partial void LogStreamEnded(ILogger logger, string topic, long count, long lines, int? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Streamed publish to topic {Topic} stopped after {Count} events: the cluster could not take more; the publisher got 503")]
    private static partial void LogStreamUnavailable(ILogger logger, Exception exception, string topic, long count);
}
