using System.Net;
using System.Text.Json;
using Hub.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Hub.Tests.Http;

/// <summary><c>Hub:Logging:Json=true</c> (README, docs/operations.md): a real Hub.Api process writes one JSON object per console line.</summary>
public sealed class JsonLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task JsonLogging_MakesEveryConsoleLineOneJsonObject_FromStartToShutdown()
    {
        var hub = await HubProcess.StartAsync("Hub.Api", new Dictionary<string, string>
        {
            ["Hub__Logging__Json"] = "true",
            ["Hub__Auth__AllowAnonymousPublish"] = "true",
        }, timeout: TimeSpan.FromSeconds(90));
        await using (hub)
        {
            using var published = await hub.Client.PostAsync("topics/json-logs/events", new StringContent("{\"data\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            // Start-up, requests and the graceful stop (the drain logs a line) all go through the console logger.
            await hub.StopAsync(TimeSpan.FromSeconds(60));
        }

        var lines = hub.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        output.WriteLine($"{lines.Length} console line(s); first: {lines.FirstOrDefault()}");
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            using var entry = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, entry.RootElement.ValueKind);
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
        });
        Assert.Contains(lines, l => l.Contains("Draining", StringComparison.Ordinal));
    }
}
