using System.Text.Json;

namespace Hub.Api.Subscriptions;

/// <summary>
/// The body of <c>POST /subscribe</c>, for fetch-based clients that cannot use EventSource.
/// <see cref="Rewind"/> is a number or a string (see <see cref="Subscriptions.Rewind"/>).
/// </summary>
public sealed record SubscribeRequest(IReadOnlyList<string>? Topics, string? LastEventId, JsonElement? Rewind = null);
