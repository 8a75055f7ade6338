using System.Text;
using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>
/// Checks <see cref="AuthOptions"/> at start-up, where a mistake is cheap to see: a hub outside
/// Development with no key would let anyone publish, so it refuses to start unless told so explicitly.
/// </summary>
public sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    /// <summary>HMAC-SHA256 is only as strong as its key; Microsoft.IdentityModel refuses shorter ones too.</summary>
    public const int MinSigningKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.SigningKey) && Encoding.UTF8.GetByteCount(options.SigningKey) < MinSigningKeyBytes)
            failures.Add($"Hub:Auth:SigningKey must be at least {MinSigningKeyBytes} bytes (256 bits) of UTF-8 text for HS256.");
        if (!string.IsNullOrWhiteSpace(options.PublicKeyPem) && SigningKeys.TryLoadPublicKey(options.PublicKeyPem, out _, out var pemProblem) is false)
            failures.Add($"Hub:Auth:PublicKeyPem: {pemProblem}");

        var anonymous = options.AnonymousPublishAllowed(environment);
        if (!options.HasKey && !anonymous)
        {
            failures.Add(environment.IsDevelopment()
                ? "Hub:Auth: no key is configured and Hub:Auth:AllowAnonymousPublish is false, so nobody could publish. Set Hub:Auth:SigningKey (or Hub:Auth:PublicKeyPem), or allow anonymous publishing."
                : $"Hub:Auth: no key is configured in the '{environment.EnvironmentName}' environment. Set Hub:Auth:SigningKey (HS256, at least {MinSigningKeyBytes} bytes) or Hub:Auth:PublicKeyPem, or set Hub:Auth:AllowAnonymousPublish=true to let anyone publish on purpose.");
        }
        if (!options.HasKey && TopicPatterns.Split(options.PrivateTopics).Any())
            failures.Add("Hub:Auth:PrivateTopics needs a key (Hub:Auth:SigningKey or Hub:Auth:PublicKeyPem): without one no subscriber could ever be granted them.");
        foreach (var pattern in TopicPatterns.Split(options.PrivateTopics))
        {
            if (TopicPatterns.CheckPattern(pattern) is { } problem)
                failures.Add($"Hub:Auth:PrivateTopics: '{pattern}': {problem}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
