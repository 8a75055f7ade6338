namespace Hub.Token;

/// <summary>
/// What a token grants and for how long. <see cref="Lifetime"/> null means no <c>exp</c> (a hub accepts
/// that unless <c>Hub:Auth:RequireExpiration</c> is set).
/// </summary>
public sealed record TokenSpec(
    IReadOnlyList<string> Publish,
    IReadOnlyList<string> Subscribe,
    TimeSpan? Lifetime,
    string? Subject = null,
    string? Issuer = null,
    string? Audience = null,
    DateTimeOffset? NotBefore = null);
