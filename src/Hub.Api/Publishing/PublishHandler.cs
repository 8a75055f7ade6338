using System.Collections.Concurrent;
using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Publishing.Streaming;
using Hub.Api.Security;
using Hub.Grains.Contracts;
using Hub.Grains.Publishing;
using Microsoft.Extensions.Options;

namespace Hub.Api.Publishing;

/// <summary>
/// One publish request, from the checked topic name to the <c>201</c> with the new event's sequence and
/// cursor. This is the hub's hottest request path, so it keeps per request only what the request owns.
/// </summary>
public sealed partial class PublishHandler(
    IGrainFactory grains,
    IOptions<PublishOptions> options,
    HubMetrics metrics,
    TopicAccess access,
    StreamPublishHandler streaming,
    ILogger<PublishHandler> logger)
{
    /// <summary>
    /// Most topics whose grain reference and location this node keeps. Past it the cache starts over,
    /// so a publisher cycling through endless topic names costs memory once, not forever.
    /// </summary>
    internal const int MaxCachedTopics = 10_000;

    private readonly PublishOptions _options = options.Value;

    // Orleans resolves the grain interface's type name on every GetGrain call (about 7 % of the bytes a
    // publish allocated); a reference is immutable and valid for the life of the cluster, so keep it.
    private readonly ConcurrentDictionary<string, PublishTarget> _targets = new(StringComparer.Ordinal);

    public async Task<IResult> PublishAsync(HttpContext context, string topic)
    {
        if (EventRules.CheckClientTopic(topic) is { } topicProblem)
            return Problems.BadRequest(topicProblem);
        if (await access.CheckPublishAsync(context, topic) is { } denied)
            return denied;
        if (StreamPublishHandler.IsStreamed(context.Request))
            return await streaming.PublishAsync(context, Target(topic));
        string? idempotencyKey = null;
        if (context.Request.Headers.TryGetValue(HubHeaders.IdempotencyKey, out var keys))
        {
            idempotencyKey = keys.Count == 1 ? keys[0] : null;
            if ((keys.Count == 1 ? EventRules.CheckIdempotencyKey(idempotencyKey) : "Send at most one Idempotency-Key header.") is { } keyProblem)
                return Problems.BadRequest(keyProblem);
        }
        var outcome = await PublishRequestReader.ReadAsync(context.Request, _options, context.RequestAborted);
        if (outcome.Drafts is null)
            return TypedResults.Problem(detail: outcome.Problem, statusCode: outcome.Status);

        var target = Target(topic);
        try
        {
            if (idempotencyKey is not null)
                return await PublishIdempotentAsync(context, target, idempotencyKey, outcome);
            if (!outcome.IsBatch)
            {
                var result = await target.Grain.PublishAsync(outcome.Drafts[0]);
                metrics.Published(1);
                return Created(target, Response(target, result));
            }

            var results = await target.Grain.PublishBatchAsync(outcome.Drafts);
            metrics.Published(results.Count);
            return BatchCreated(target, results);
        }
        catch (ArgumentException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        catch (IdempotencyKeyReusedException ex)
        {
            return Problems.UnprocessableContent(ex.Message);
        }
        catch (PublishQueueFullException ex)
        {
            LogPublishQueueFull(logger, topic);
            return Problems.Unavailable(context, ex.Message);
        }
        catch (Exception ex) when (Problems.IsTransientClusterFailure(ex))
        {
            LogPublishUnavailable(logger, ex, topic);
            return Problems.Unavailable(context, "The cluster could not take the event right now (a node is failing over). Retry shortly.");
        }
    }

    /// <summary>
    /// A publish with an <c>Idempotency-Key</c>: the same <c>201</c> body whether this request stored the
    /// events or an earlier one with the same key did (then <c>Idempotent-Replayed: true</c>).
    /// </summary>
    private async Task<IResult> PublishIdempotentAsync(HttpContext context, PublishTarget target, string key, PublishRequestReader.Outcome outcome)
    {
        var published = await target.Grain.PublishIdempotentAsync(key, outcome.Drafts!, outcome.IsBatch);
        if (published.Replayed)
            context.Response.Headers[HubHeaders.IdempotentReplayed] = "true";
        else
            metrics.Published(published.Results.Count);
        return outcome.IsBatch
            ? BatchCreated(target, published.Results)
            : Created(target, Response(target, published.Results[0]));
    }

    private static CreatedJson<PublishResponse[]> BatchCreated(PublishTarget target, IReadOnlyList<PublishResult> results)
    {
        var responses = new PublishResponse[results.Count];
        for (var i = 0; i < responses.Length; i++)
            responses[i] = Response(target, results[i]);
        return new(target.Location, responses, HubJsonContext.Default.PublishResponseArray);
    }

    private static CreatedJson<PublishResponse> Created(PublishTarget target, PublishResponse response) =>
        new(target.Location, response, HubJsonContext.Default.PublishResponse);

    private static PublishResponse Response(PublishTarget target, PublishResult result) =>
        new(result.Topic, result.Sequence, target.Id(result));

    private PublishTarget Target(string topic)
    {
        if (_targets.TryGetValue(topic, out var target))
            return target;
        target = new PublishTarget(grains.GetGrain<ITopicGrain>(topic), $"/topics/{Uri.EscapeDataString(topic)}", TopicSet.Of([topic]));
        if (_targets.Count >= MaxCachedTopics)
            _targets.Clear();
        _targets.TryAdd(topic, target);
        return target;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to topic {Topic} refused: its grain's queue is full (Hub:Publish:MaxQueuedEvents), the event log is slower than its publishers; the publisher got 503")]
    private static partial void LogPublishQueueFull(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to topic {Topic} failed: the cluster could not answer; the publisher got 503")]
    private static partial void LogPublishUnavailable(ILogger logger, Exception exception, string topic);
}
