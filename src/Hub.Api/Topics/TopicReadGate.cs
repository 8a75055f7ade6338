using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;

namespace Hub.Api.Topics;

/// <summary>What every JSON read of one topic checks first: the address's read rate, the topic's name, the caller's access.</summary>
public static class TopicReadGate
{
    /// <summary>Null when the request may read <paramref name="topic"/>, else the 429, 400, 401 or 403 to answer.</summary>
    public static async ValueTask<IResult?> RefuseAsync(HttpContext context, string topic, TopicAccess access, ClientReadLimit readLimit)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(readLimit);
        if (readLimit.Check(context) is { } tooMany)
            return tooMany;
        if (EventRules.CheckClientTopic(topic) is { } problem)
            return Problems.BadRequest(problem);
        return await access.CheckSubscribeAsync(context, [topic]);
    }
}
