namespace Hub.Api.Subscriptions;

/// <summary>The body of <c>POST /subscribe</c>, for fetch-based clients that cannot use EventSource.</summary>
public sealed record SubscribeRequest(IReadOnlyList<string>? Topics, string? LastEventId);
