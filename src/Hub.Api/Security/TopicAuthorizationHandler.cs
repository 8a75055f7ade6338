using Microsoft.AspNetCore.Authorization;

namespace Hub.Api.Security;

/// <summary>
/// ASP.NET Core resource-based authorization with the topic name as the resource: succeeds when the
/// user's <c>hub</c> claim grants the topic for the requested kind of access.
/// </summary>
public sealed class TopicAuthorizationHandler : AuthorizationHandler<TopicAccessRequirement, string>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TopicAccessRequirement requirement, string resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        var grants = TopicGrants.Of(context.User);
        if ((requirement.IsPublish ? grants.Publish : grants.Subscribe).IsMatch(resource))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
