using Hub.Api.Cursors;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;

namespace Hub.Api.Topics;

/// <summary>
/// <c>GET /topics/{topic}</c>: the topic's head, oldest retained sequence and epoch; <c>GET /topics/{topic}/state</c>:
/// the latest event of every key, with a cursor at the head it was read at.
/// </summary>
public static class TopicEndpoints
{
    public static IEndpointRouteBuilder MapTopicEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/topics/{topic}", (HttpContext context, string topic, IGrainFactory grains, TopicAccess access, ClientReadLimit readLimit) =>
            AnswerAsync(context, topic, access, readLimit, async () =>
            {
                var info = await grains.GetGrain<ITopicGrain>(topic).GetInfoAsync();
                return TypedResults.Ok(new TopicInfoResponse(info.Topic, info.Epoch, info.Head, info.Oldest));
            }));
        app.MapGet("/topics/{topic}/state", (HttpContext context, string topic, IGrainFactory grains, TopicAccess access, ClientReadLimit readLimit) =>
            AnswerAsync(context, topic, access, readLimit, async () =>
            {
                var state = await grains.GetGrain<ITopicGrain>(topic).GetStateAsync();
                var info = state.Info;
                var set = TopicSet.Of([topic]);
                var events = state.Events.Select(e => HistoryEvent.Of(set, e)).ToArray();
                var id = Cursor.Encode(set, [new TopicPosition(info.Epoch, info.Head)]);
                return TypedResults.Ok(new StateResponse(info.Topic, info.Epoch, info.Head, info.Oldest, id, events));
            }));
        return app;
    }

    /// <summary>Checks the address's read rate, the topic and the caller's access, then answers; a cluster that cannot answer is a 503.</summary>
    private static async Task<IResult> AnswerAsync(HttpContext context, string topic, TopicAccess access, ClientReadLimit readLimit, Func<Task<IResult>> answer)
    {
        if (await TopicReadGate.RefuseAsync(context, topic, access, readLimit) is { } refused)
            return refused;
        try
        {
            return await answer();
        }
        catch (Exception ex) when (Problems.IsTransientClusterFailure(ex))
        {
            return Problems.Unavailable(context, "The cluster could not answer right now. Retry shortly.");
        }
    }
}
