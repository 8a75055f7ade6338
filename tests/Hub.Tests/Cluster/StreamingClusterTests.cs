using System.Net;
using Hub.Tests.Infrastructure;
using Hub.Tests.Streaming;
using Xunit;

namespace Hub.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class StreamingClusterTests(RedisServer redis)
{
    [Fact]
    public async Task PublisherStreamsToNodeA_ViewersFollowOnNodeB_AndOneResumesThereMidAnswer()
    {
        await using var cluster = await HubCluster.StartAsync(redis);
        var topic = $"chat.{Guid.NewGuid():N}";
        var path = $"topics/{topic}/events";
        var body = new ChunkedBody("text/event-stream");
        var posting = StreamedPublish.PostAsync(cluster.Api(0).Client, topic, body, HubCluster.PublisherToken("streamer"));
        var viewer = await SseStream.OpenAsync(cluster.Api(1).Client, path, lastEventId: "earliest");
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                await body.SendAsync($"event: delta\ndata: part {i}\n\n");
                Assert.Equal($"part {i}", (await viewer.NextAsync()).Data);
            }

            // The viewer drops mid-answer; two chunks go by; it comes back on node B with its last id.
            var resumeFrom = viewer.LastEventId!;
            await viewer.DisposeAsync();
            await body.SendAsync("event: delta\ndata: part 4\n\nevent: delta\ndata: part 5\n\n");
            viewer = await SseStream.OpenAsync(cluster.Api(1).Client, path, lastEventId: resumeFrom);
            Assert.Equal(["part 4", "part 5"], (await viewer.NextAsync(2)).Select(e => e.Data));
            await body.SendAsync("event: delta\ndata: part 6\n\ndata: [DONE]\n\n");
            var last = await viewer.NextAsync();
            Assert.Equal(("delta", "part 6"), (last.EventType, last.Data));
            body.End();

            var published = await posting.WaitAsync(TimeSpan.FromSeconds(45));
            Assert.Equal(HttpStatusCode.Created, published.Status);
            Assert.Equal(6, published.Count);
            Assert.Equal(viewer.LastEventId, published.Body.GetProperty("lastId").GetString());
        }
        finally
        {
            await viewer.DisposeAsync();
        }
    }
}
