using System.Buffers;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Api.Subscriptions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// <c>GET /.well-known/mercure?topic=…</c>: a Mercure subscription, served by the node's ordinary
/// fan-out. The connection is an <see cref="SseConnection"/> on the node's feed of the update log, with
/// a <see cref="MercureSubscriber"/> as its framing, so heartbeats, draining, slow-client cut-offs and
/// the direct writes of the hot path are the native ones. Its order of work is the protocol's promise:
/// the connection joins the live feed first, then the headers and a comment go out, so a client's
/// <c>onopen</c> means "receiving from now on"; a resume's history is written before the live updates.
/// </summary>
public sealed partial class MercureSubscribeHandler(
    IGrainFactory grains,
    TopicFeeds feeds,
    SseConnections connections,
    ConnectionDrainer drainer,
    MercureTokens tokens,
    TopicSelectorCache selectors,
    MercureShards shards,
    ClientConnectionLimiter clientLimits,
    ClientReadLimit readLimit,
    HubMetrics metrics,
    TopicAccess access,
    MercureSubscriptions subscriptions,
    IOptions<MercureOptions> options,
    ILogger<MercureSubscribeHandler> logger)
{
    /// <summary>The comment Mercure's hub writes first: it makes the headers go out at once.</summary>
    private static readonly byte[] OpeningComment = ":\n"u8.ToArray();

    private static readonly TopicSet LogSet = TopicSet.Of([MercureLog.Topic]);

    private readonly MercureOptions _options = options.Value;

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (readLimit.Check(context) is { } tooMany)
            return tooMany;
        var request = context.Request;
        var texts = request.Query["topic"];
        if (texts.Count == 0)
            return Problems.BadRequest("Name at least one 'topic' selector: an exact topic, '*', or a URI template.");
        if (texts.Count > _options.MaxSelectors)
            return Problems.BadRequest($"A subscription may have at most {_options.MaxSelectors} topic selectors.");
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text) || text.Length > _options.MaxTopicLength)
                return Problems.BadRequest($"A 'topic' selector is empty or longer than {_options.MaxTopicLength} characters.");
        }
        // The header is what a reconnecting EventSource sends; it wins over the query (Symfony's helper uses lastEventID).
        var lastEventId = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : request.Query["lastEventID"].ToString();
        if (lastEventId.Length > _options.MaxTopicLength)
            return Problems.BadRequest($"The Last-Event-ID is longer than {_options.MaxTopicLength} characters.");

        var authentication = await tokens.AuthenticateAsync(request);
        if (authentication.Problem is { } invalid)
            return invalid;
        var claims = authentication.Claims;
        var subscriber = new MercureSubscriber(selectors.GetAll(texts!), selectors.GetAll(claims.Subscribe), claims);

        using var slot = clientLimits.TryOpen(context);
        if (slot is null)
            return clientLimits.Refuse(context);
        await RunAsync(context, subscriber, lastEventId.Length > 0 ? lastEventId : null);
        return Results.Empty;
    }

    private async Task RunAsync(HttpContext context, MercureSubscriber subscriber, string? lastEventId)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "private, no-cache, no-store, must-revalidate, max-age=0";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (drainer.IsDraining)
        {
            await drainer.TurnAwayAsync(context);
            return;
        }

        var connection = new SseConnection(LogSet, context, metrics, subscriber);
        // The shard's feed when every selector falls in one shard, else the whole log's (MercureShards).
        var shard = shards.ChannelFor(subscriber.Selectors);
        using var aborted = connection.EndWhenAborted();
        // Unlike a native stream, a Mercure connection ends at its token's expiry whether it reads private updates or not.
        using var expiry = subscriber.Claims.Expires is { } expires ? access.CloseAt(connection, expires) : null;
        connections.Add(connection);
        MercurePresence? presence = null;
        try
        {
            var attachment = await feeds.AttachAsync(connection, LogSet, shard);
            connection.Attached(attachment.Feeds, attachment.LiveStarts);
            // The subscription API (when on): listed, and its "active" events published, before the headers.
            presence = await subscriptions.OpenAsync(subscriber);
            var replay = new MercureReplay(connection, grains, metrics, logger);
            TopicPosition? resumeAfter = null;
            if (lastEventId is not null)
            {
                resumeAfter = await replay.LocateAsync(lastEventId);
                response.Headers["Last-Event-ID"] = resumeAfter is null || lastEventId == MercureLog.Earliest ? MercureLog.Earliest : lastEventId;
                if (resumeAfter is null)
                    LogUnknownId(logger, connection.Id, lastEventId);
                metrics.Resumed(lastEventId == MercureLog.Earliest ? SubscriptionStartKind.Earliest : SubscriptionStartKind.Cursor);
            }
            await response.StartAsync(context.RequestAborted);
            response.BodyWriter.Write(OpeningComment);
            if (resumeAfter is { } position)
            {
                connection.Positions[0] = position;
                await replay.CatchUpAsync(context.RequestAborted);
            }
            else
            {
                await connection.FlushReplayedAsync(context.RequestAborted);
            }
            await connection.RunLiveAsync(context, (_, cancellationToken) => replay.CatchUpAsync(cancellationToken));
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
            feeds.Detach(connection, LogSet, shard);
            connections.Remove(connection);
            await subscriptions.CloseAsync(presence);
            connection.RequestOver();
        }
        LogClosed(logger, connection.Id, connection.CloseReason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mercure connection {ConnectionId}: Last-Event-ID {LastEventId} is not in the retained history; nothing replayed (as Mercure), answered Last-Event-ID: earliest")]
    private static partial void LogUnknownId(ILogger logger, long connectionId, string lastEventId);


    [LoggerMessage(Level = LogLevel.Debug, Message = "Mercure connection {ConnectionId} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, long connectionId, ConnectionCloseReason reason);
}
