using System.ComponentModel.DataAnnotations;

namespace Hub.Api.Security;

/// <summary>
/// Who may publish and subscribe (section <c>Hub:Auth</c>). Tokens are JWTs whose <c>hub</c> claim grants
/// topics, shaped like Mercure's: <c>{"hub":{"publish":["news","status.*"],"subscribe":["*"]}}</c>.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Hub:Auth";

    /// <summary>
    /// HMAC key (UTF-8 text, at least 32 bytes) that HS256/HS384/HS512 tokens are signed with. Unset by
    /// default: then only <see cref="PublicKeyPem"/> tokens are accepted, or none at all.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// An RSA or ECDSA public key that RS*/PS* or ES* tokens are verified with: the PEM text itself, or the
    /// path of a PEM file. Unset by default. A hub with only this key never accepts HMAC tokens, so a token
    /// "signed" with the public key as an HMAC secret is refused.
    /// </summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>When set, a token's <c>iss</c> must equal it. Default unset: any issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>When set, a token's <c>aud</c> must contain it. Default unset: any audience.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Whether a request without a token may publish. Default (unset): true only in the Development
    /// environment with no key configured; anywhere else the hub refuses to start without a key unless this
    /// is set to true explicitly.
    /// </summary>
    public bool? AllowAnonymousPublish { get; set; }

    /// <summary>
    /// Topic patterns (exact names, <c>*</c> matches any run of characters; entries may also be
    /// comma-separated) whose events only subscribers with a matching <c>hub.subscribe</c> grant receive.
    /// Default none: every topic is public.
    /// </summary>
    public string[] PrivateTopics { get; set; } = [];

    /// <summary>
    /// The cookie a browser's <c>EventSource</c> (which cannot set headers) carries its token in. Default
    /// <c>hub_token</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$", ErrorMessage = "Hub:Auth:CookieName must be a cookie name (RFC 6265 token characters).")]
    public string CookieName { get; set; } = "hub_token";

    /// <summary>Tolerance for clocks that disagree when checking <c>exp</c> and <c>nbf</c>. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether tokens without an <c>exp</c> are refused. Default (unset): true outside the Development
    /// environment — a token that never expires cannot be taken back short of changing the key — and
    /// false in Development (as Mercure). Set false to accept such tokens on purpose.
    /// </summary>
    public bool? RequireExpiration { get; set; }

    public bool HasKey => !string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(PublicKeyPem);

    /// <summary>The effective expiration requirement in <paramref name="environment"/>.</summary>
    public bool ExpirationRequired(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return RequireExpiration ?? !environment.IsDevelopment();
    }

    /// <summary>The effective anonymous-publish setting in <paramref name="environment"/>.</summary>
    public bool AnonymousPublishAllowed(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return AllowAnonymousPublish ?? (environment.IsDevelopment() && !HasKey);
    }
}
