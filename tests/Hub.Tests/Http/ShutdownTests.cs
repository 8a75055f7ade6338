using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Http;

public class ShutdownTests
{
    [Fact]
    public async Task Stopping_EndsOpenStreamsCleanly_AndPromptly()
    {
        var server = await HubServer.StartAsync();
        var topic = HubServerFixture.NewTopic();
        await using var sse = await SseStream.OpenAsync(server.Client, $"topics/{topic}/events");
        await server.Client.PublishAsync(topic, "before");
        Assert.Equal("before", (await sse.NextAsync()).Data);

        var stopping = server.DisposeAsync().AsTask();
        // The stream ends (the parser completes) rather than hanging until a shutdown timeout.
        await sse.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
