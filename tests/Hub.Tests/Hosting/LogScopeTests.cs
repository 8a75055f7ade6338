using Hub.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Hub.Tests.Hosting;

/// <summary>
/// Log scopes are captured only for JSON logs, the one format that prints them: with the plain console
/// format every SSE connection would otherwise keep Kestrel's connection scope for its whole life.
/// </summary>
public sealed class LogScopeTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void Scopes_AreCaptured_OnlyForJsonLogs(string? json, bool captured)
    {
        var builder = Host.CreateApplicationBuilder();
        if (json is not null)
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Hub:Logging:Json"] = json });
        builder.AddHubObservability();
        using var host = builder.Build();

        Assert.Equal(captured, host.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.CaptureScopes);
        using var scope = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test").BeginScope("connection");
        Assert.Equal(captured, scope is not null && scope.GetType().Name != "NullScope");
    }
}
