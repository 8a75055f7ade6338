using Microsoft.Extensions.Options;

namespace Hub.Api.Security;

/// <summary>Says loudly at start-up when anyone who can reach the hub may publish.</summary>
public sealed partial class AnonymousPublishWarning(IOptions<AuthOptions> options, IHostEnvironment environment, ILogger<AnonymousPublishWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AnonymousPublishAllowed(environment))
            LogAnonymousPublish(logger, environment.EnvironmentName, options.Value.AllowAnonymousPublish is null ? "the default with no key in Development" : "Hub:Auth:AllowAnonymousPublish=true");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "!!! ANONYMOUS PUBLISHING IS ON ({Environment}, {Why}): anyone who can reach this hub can publish to any topic. Set Hub:Auth:SigningKey or Hub:Auth:PublicKeyPem before exposing it. !!!")]
    private static partial void LogAnonymousPublish(ILogger logger, string environment, string why);
}
