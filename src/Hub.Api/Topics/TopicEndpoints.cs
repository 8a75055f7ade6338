using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;

namespace Hub.Api.Topics;

/// <summary><c>GET /topics/{topic}</c>: the topic's head, oldest retained sequence and epoch.</summary>
public static class TopicEndpoints
{
    public static IEndpointRouteBuilder MapTopicEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/topics/{topic}", async (HttpContext context, string topic, IGrainFactory grains, TopicAccess access, ClientReadLimit readLimit) =>
        {
            if (readLimit.Check(context) is { } tooMany)
                return tooMany;
            if (EventRules.CheckClientTopic(topic) is { } problem)
                return Problems.BadRequest(problem);
            if (await access.CheckSubscribeAsync(context, [topic]) is { } denied)
                return denied;
            try
            {
                var info = await grains.GetGrain<ITopicGrain>(topic).GetInfoAsync();
                return TypedResults.Ok(new TopicInfoResponse(info.Topic, info.Epoch, info.Head, info.Oldest));
            }
            catch (Exception ex) when (Problems.IsTransientClusterFailure(ex))
            {
                return Problems.Unavailable(context, "The cluster could not answer right now. Retry shortly.");
            }
        });
        return app;
    }
}
