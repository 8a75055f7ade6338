using System.Buffers;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Api.Sse;
using Hub.Grains.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Validates a subscription request, opens the SSE response and runs the subscription until the client
/// leaves, is too slow, or the node shuts down. Problems found before the stream starts are 4xx
/// <c>ProblemDetails</c>; problems after it (the cluster failing over) end the stream, and the browser
/// reconnects with its last id.
/// </summary>
public sealed partial class SubscriptionHandler(
    IGrainFactory grains,
    TopicFeeds feeds,
    SseConnections connections,
    HubMetrics metrics,
    ConnectionDrainer drainer,
    IOptions<SseOptions> sseOptions,
    IOptions<SubscriptionOptions> subscriptionOptions,
    TopicAccess access,
    ClientConnectionLimiter clientLimits,
    ClientReadLimit readLimit,
    ILogger<SubscriptionHandler> logger)
{
    private readonly byte[] _retry = SseFormat.Retry(sseOptions.Value.RetryMilliseconds);

    /// <summary>Opens and runs a subscription; the result is a problem, or empty once the stream has ended.</summary>
    public async Task<IResult> HandleAsync(HttpContext context, IReadOnlyList<string> topics, string? queryCursor, string? rewind = null)
    {
        var opening = await OpenAsync(context, topics, queryCursor, rewind);
        if (opening.Refusal is { } refusal)
            return refusal;
        await RunAsync(context, opening);
        return Results.Empty;
    }

    /// <summary>
    /// Everything a subscription checks before its stream opens: a refusal (a 4xx problem) or what the stream
    /// needs. Separate from <see cref="RunAsync"/> so that only one frame stays suspended for a stream's
    /// whole life (an anonymous subscription opens synchronously).
    /// </summary>
    /// <param name="rewind">The <c>rewind</c> value (<see cref="Rewind.TryParse"/>); a cursor, from the header or the query, wins over it.</param>
    public async ValueTask<SubscriptionOpening> OpenAsync(HttpContext context, IReadOnlyList<string> topics, string? queryCursor, string? rewind = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(topics);
        var limits = subscriptionOptions.Value;
        if (readLimit.Check(context) is { } tooMany)
            return SubscriptionOpening.Refused(tooMany);
        if (topics.Count == 0)
            return SubscriptionOpening.Refused(Problems.BadRequest("Name at least one topic."));
        // Counted before any name is checked or de-duplicated, so an oversized list costs nothing per name.
        if (topics.Count > limits.MaxTopics)
            return SubscriptionOpening.Refused(Problems.BadRequest($"A subscription may have at most {limits.MaxTopics} topics."));
        foreach (var topic in topics)
        {
            if (EventRules.CheckClientTopic(topic) is { } problem)
                return SubscriptionOpening.Refused(Problems.BadRequest(problem));
        }
        var set = TopicSet.Of(topics);

        // The header is what a reconnecting EventSource sends; it wins over the query or body value.
        var cursorText = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : queryCursor;
        if (!TryParseStart(cursorText, set, limits, out var start, out var error) || !TryApplyRewind(rewind, ref start, out error))
            return SubscriptionOpening.Refused(Problems.BadRequest(error));
        if (await access.CheckSubscribeAsync(context, set.Topics) is { } denied)
            return SubscriptionOpening.Refused(denied);
        var slot = clientLimits.TryOpen(context);
        if (slot is null)
            return SubscriptionOpening.Refused(clientLimits.Refuse(context));
        return new SubscriptionOpening(null, set, start, slot);
    }

    /// <summary>The largest <c>POST /subscribe</c> body (<c>Hub:Subscriptions:MaxBodyBytes</c>).</summary>
    public int MaxBodyBytes => subscriptionOptions.Value.MaxBodyBytes;

    internal static bool TryParseStart(string? cursorText, TopicSet set, SubscriptionOptions limits, out SubscriptionStart start, out string error)
    {
        start = SubscriptionStart.Live;
        error = "";
        if (string.IsNullOrEmpty(cursorText))
            return true;
        if (cursorText.Length > limits.MaxCursorLength)
        {
            error = $"The cursor is longer than {limits.MaxCursorLength} characters.";
            return false;
        }
        if (cursorText == Cursor.Earliest)
        {
            start = SubscriptionStart.Earliest;
            return true;
        }
        if (!Cursor.TryDecode(cursorText, set, out var positions, out var problem))
        {
            error = problem!;
            return false;
        }
        start = SubscriptionStart.After(positions);
        return true;
    }

    /// <summary>
    /// Applies a rewind to a subscription without a cursor. A bad value is refused even when a cursor makes
    /// the rewind moot, so a wrong page fails on its first load rather than on some later one. A cursor
    /// wins: a reconnecting EventSource sends its <c>Last-Event-ID</c> with the same URL, rewind included,
    /// and must resume exactly after its last event instead of replaying the rewind again.
    /// </summary>
    internal static bool TryApplyRewind(string? text, ref SubscriptionStart start, out string error)
    {
        if (!Rewind.TryParse(text, out var rewind, out error))
            return false;
        if (rewind is not null && start.Kind == SubscriptionStartKind.Live)
            start = SubscriptionStart.Rewound(rewind);
        return true;
    }

    /// <summary>Runs an opened subscription's stream until the client leaves, is too slow, or the node drains.</summary>
    public async Task RunAsync(HttpContext context, SubscriptionOpening opening)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var slot = opening.Slot;
        var set = opening.Set!;
        var start = opening.Start!;
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        if (drainer.IsDraining)
        {
            await drainer.TurnAwayAsync(context);
            return;
        }

        var connection = new SseConnection(set, context, metrics);
        using var aborted = connection.EndWhenAborted();
        using var expiry = access.CloseAtTokenExpiry(context, connection);
        connections.Add(connection);
        LogOpened(logger, connection.Id, set.Count, set.Topics[0]);
        try
        {
            // Joined to the live feeds first, then the headers and retry go out at once: when a client sees
            // the stream open (EventSource's onopen), it already receives every event published from then.
            var attachment = await feeds.AttachAsync(connection, set);
            connection.Attached(attachment.Feeds, attachment.LiveStarts);
            await response.StartAsync(context.RequestAborted);
            response.BodyWriter.Write(_retry);
            if (start.Kind != SubscriptionStartKind.Live)
                metrics.Resumed(start.Kind);
            var replay = new SseReplay(connection, grains, metrics, logger);
            await replay.StartAsync(start, context.RequestAborted);
            // From here the feeds write; this handler only waits, replaying a topic from the log when the
            // feed cannot serve it (fell behind while replaying, or the topic's epoch changed).
            await connection.RunLiveAsync(context, (i, cancellationToken) => replay.CatchUpAsync(i, null, cancellationToken));
        }
        catch (Exception ex) when (ConnectionDrainer.IsClientGone(ex, context))
        {
            connection.Close(ConnectionCloseReason.ClientGone);
        }
        catch (Exception ex)
        {
            await drainer.EndFailedAsync(context, connection, ex);
        }
        finally
        {
            feeds.Detach(connection, set);
            connections.Remove(connection);
            connection.RequestOver();
        }

        if (connection.CloseReason == ConnectionCloseReason.SlowClient)
        {
            metrics.SlowClientDisconnected();
            LogSlowClient(logger, connection.Id);
        }
        else
            LogClosed(logger, connection.Id, connection.CloseReason);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened: {TopicCount} topic(s), first {Topic}")]
    private static partial void LogOpened(ILogger logger, long connectionId, int topicCount, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, long connectionId, ConnectionCloseReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} closed: too slow, it fell behind the events the node keeps per topic (Hub:Subscriptions:RecentEventsPerTopic); it resumes from its last id")]
    private static partial void LogSlowClient(ILogger logger, long connectionId);

}
