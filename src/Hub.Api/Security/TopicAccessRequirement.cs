using Microsoft.AspNetCore.Authorization;

namespace Hub.Api.Security;

/// <summary>What a caller wants to do with a topic; checked by <see cref="TopicAuthorizationHandler"/>.</summary>
public sealed class TopicAccessRequirement : IAuthorizationRequirement
{
    public static readonly TopicAccessRequirement Publish = new(isPublish: true);

    public static readonly TopicAccessRequirement Subscribe = new(isPublish: false);

    private TopicAccessRequirement(bool isPublish) => IsPublish = isPublish;

    public bool IsPublish { get; }
}
