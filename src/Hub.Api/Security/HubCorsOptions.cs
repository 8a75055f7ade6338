using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Security;

/// <summary>
/// Which web origins may call the hub from a browser (section <c>Hub:Cors</c>). Default: none, so only
/// pages served by the hub itself can.
/// </summary>
public sealed class HubCorsOptions : IValidatableObject
{
    public const string Section = "Hub:Cors";

    public const string AnyOrigin = "*";

    /// <summary>
    /// Origins such as <c>https://app.example.com</c> (entries may also be comma-separated), or <c>*</c> for
    /// any origin without credentials. Default none.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Whether browsers may send cookies (the token cookie of <c>new EventSource(url, {withCredentials: true})</c>)
    /// and Authorization headers cross-origin. Default: true for an explicit origin list, false for
    /// <c>*</c>; true together with <c>*</c> is refused, since it would let any site act as the user.
    /// </summary>
    public bool? AllowCredentials { get; set; }

    public IReadOnlyList<string> Origins => TopicPatterns.Split(AllowedOrigins).ToList();

    public bool IsAnyOrigin => Origins.Contains(AnyOrigin);

    public bool CredentialsAllowed => AllowCredentials ?? !IsAnyOrigin;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var origins = Origins;
        if (IsAnyOrigin && origins.Count > 1)
            yield return new ValidationResult("Hub:Cors:AllowedOrigins: '*' already allows every origin; list either '*' or origins.", [nameof(AllowedOrigins)]);
        if (IsAnyOrigin && AllowCredentials == true)
            yield return new ValidationResult("Hub:Cors:AllowCredentials cannot be true with AllowedOrigins '*': any web site could then act with the user's cookies. List the origins instead.", [nameof(AllowCredentials)]);
        foreach (var origin in origins.Where(o => o != AnyOrigin))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0 || origin.EndsWith('/'))
                yield return new ValidationResult($"Hub:Cors:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], no path or trailing slash).", [nameof(AllowedOrigins)]);
        }
    }
}
