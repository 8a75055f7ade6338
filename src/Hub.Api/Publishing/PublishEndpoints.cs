using Hub.Api.Cursors;
using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;
using Hub.Grains.Publishing;
using Microsoft.Extensions.Options;

namespace Hub.Api.Publishing;

/// <summary><c>POST /topics/{topic}/events</c>: store an event (or a batch) and return its sequence and cursor.</summary>
public static partial class PublishEndpoints
{
    public static IEndpointRouteBuilder MapPublishEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/topics/{topic}/events", PublishAsync).RequireRateLimiting(PublishRateLimit.Policy);
        return app;
    }

    private static async Task<IResult> PublishAsync(
        HttpContext context, string topic, IGrainFactory grains, IOptions<PublishOptions> options, HubMetrics metrics, ILoggerFactory loggers, TopicAccess access)
    {
        if (EventRules.CheckTopic(topic) is { } topicProblem)
            return Problems.BadRequest(topicProblem);
        if (await access.CheckPublishAsync(context, topic) is { } denied)
            return denied;
        var outcome = await PublishRequestReader.ReadAsync(context.Request, options.Value, context.RequestAborted);
        if (outcome.Drafts is null)
            return TypedResults.Problem(detail: outcome.Problem, statusCode: outcome.Status);

        var grain = grains.GetGrain<ITopicGrain>(topic);
        IReadOnlyList<PublishResult> results;
        try
        {
            results = outcome.IsBatch
                ? await grain.PublishBatchAsync(outcome.Drafts)
                : [await grain.PublishAsync(outcome.Drafts[0])];
        }
        catch (ArgumentException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        catch (Exception ex) when (Problems.IsTransientClusterFailure(ex))
        {
            LogPublishUnavailable(loggers.CreateLogger(typeof(PublishEndpoints)), ex, topic);
            return Problems.Unavailable(context, "The cluster could not take the event right now (a node is failing over). Retry shortly.");
        }

        metrics.Published(results.Count);
        var set = TopicSet.Of([topic]);
        var responses = results.Select(r => new PublishResponse(r.Topic, r.Sequence, Cursor.Encode(set, [new TopicPosition(r.Epoch, r.Sequence)]))).ToArray();
        var location = $"/topics/{Uri.EscapeDataString(topic)}";
        return outcome.IsBatch
            ? TypedResults.Created(location, responses)
            : TypedResults.Created(location, responses[0]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to topic {Topic} failed: the cluster could not answer; the publisher got 503")]
    private static partial void LogPublishUnavailable(ILogger logger, Exception exception, string topic);
}
