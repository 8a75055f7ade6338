using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hub.Grains.Publishing;
using Hub.Tests.Infrastructure;
using Hub.Tests.Security;
using Xunit;

namespace Hub.Tests.Http;

/// <summary>
/// Batch publishing as docs/security.md promises it with the default limits: up to 1,000 events and
/// 1 MiB of body (<c>Hub:Publish:MaxBatchEvents</c>, <c>MaxBodyBytes</c>), each side of both boundaries.
/// </summary>
[Collection(HubServerCollection.Name)]
public sealed class BatchPublishTests(HubServerFixture fixture)
{
    private static readonly PublishOptions Defaults = new();

    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task BatchPublish_GetsConsecutiveSequences_AndTheIdsSubscribersSee()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, "before");
        await using var sse = await SseStream.OpenAsync(Client, $"topics/{topic}/events");

        using var body = new StringContent("[{\"type\":\"a\",\"data\":\"1\"},{\"type\":\"b\",\"data\":\"2\"},{\"data\":\"3\"}]", Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync($"topics/{topic}/events", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var acks = (await response.Content.ReadFromJsonAsync<Publisher.Ack[]>(JsonSerializerOptions.Web))!;

        Assert.Equal([2L, 3L, 4L], acks.Select(a => a.Sequence));
        Assert.All(acks, a => Assert.Equal(topic, a.Topic));
        var received = await sse.NextAsync(3);
        Assert.Equal(acks.Select(a => a.Id), received.Select(e => e.EventId));
        Assert.Equal(["a", "b", "message"], received.Select(e => e.EventType));
        Assert.Equal(["1", "2", "3"], received.Select(e => e.Data));
    }

    [Fact]
    public async Task Batch_OfMaxEventsFillingMaxBodyBytesExactly_IsStoredWhole()
    {
        var topic = HubServerFixture.NewTopic();
        var body = BatchOfExactly(Defaults.MaxBatchEvents, Defaults.MaxBodyBytes);

        using var response = await Client.PostAsync($"topics/{topic}/events", Json(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var acks = (await response.Content.ReadFromJsonAsync<Publisher.Ack[]>(JsonSerializerOptions.Web))!;
        Assert.Equal(Enumerable.Range(1, Defaults.MaxBatchEvents).Select(i => (long)i), acks.Select(a => a.Sequence));
        var stored = await Tokens.HistoryAsync(Client, topic);
        Assert.Equal(Defaults.MaxBatchEvents, stored.Count);
    }

    [Fact]
    public async Task Batch_OneByteOverMaxBodyBytes_Is413NamingTheLimit_AndStoresNothing()
    {
        var topic = HubServerFixture.NewTopic();
        var body = BatchOfExactly(Defaults.MaxBatchEvents, Defaults.MaxBodyBytes + 1);

        using var response = await Client.PostAsync($"topics/{topic}/events", Json(body));

        await AssertTooLargeAsync(response, "Hub:Publish:MaxBodyBytes");
        Assert.Empty(await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task Batch_OverMaxBodyBytesWithoutContentLength_Is413()
    {
        var topic = HubServerFixture.NewTopic();
        var body = BatchOfExactly(10, Defaults.MaxBodyBytes + 1);
        // A stream content of unknown length goes out chunked: the limit must hold while reading, too.
        using var content = new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new("application/json");

        using var response = await Client.PostAsync($"topics/{topic}/events", content);

        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        await AssertTooLargeAsync(response, "Hub:Publish:MaxBodyBytes");
        Assert.Empty(await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task Batch_OneEventOverMaxBatchEvents_Is413NamingTheLimit_AndStoresNothing()
    {
        var topic = HubServerFixture.NewTopic();
        var body = "[" + string.Join(',', Enumerable.Repeat("{\"data\":\"x\"}", Defaults.MaxBatchEvents + 1)) + "]";

        using var response = await Client.PostAsync($"topics/{topic}/events", Json(Encoding.UTF8.GetBytes(body)));

        await AssertTooLargeAsync(response, "Hub:Publish:MaxBatchEvents");
        Assert.Empty(await Tokens.HistoryAsync(Client, topic));
    }

    [Fact]
    public async Task SingleEvent_OfMaxDataBytes_IsAccepted_AndOneByteMoreIs413()
    {
        var topic = HubServerFixture.NewTopic();
        await Client.PublishAsync(topic, new string('d', Defaults.MaxDataBytes));

        using var response = await Client.PostAsJsonAsync($"topics/{topic}/events", new { type = "status", data = new string('d', Defaults.MaxDataBytes + 1) });

        await AssertTooLargeAsync(response, $"{Defaults.MaxDataBytes} bytes");
        Assert.Single(await Tokens.HistoryAsync(Client, topic));
    }

    /// <summary>A JSON array of <paramref name="events"/> events whose UTF-8 body is exactly <paramref name="bytes"/> long.</summary>
    private static byte[] BatchOfExactly(int events, int bytes)
    {
        const string Item = "{\"type\":\"b\",\"data\":\"\"}";
        var skeleton = 2 + (events * Item.Length) + (events - 1);
        var padding = bytes - skeleton;
        Assert.True(padding >= events, "the batch must carry data in every event");
        var builder = new StringBuilder(bytes).Append('[');
        for (var i = 0; i < events; i++)
        {
            var data = new string((char)('a' + (i % 26)), (padding / events) + (i < padding % events ? 1 : 0));
            builder.Append(i == 0 ? "" : ",").Append("{\"type\":\"b\",\"data\":\"").Append(data).Append("\"}");
        }
        var body = Encoding.UTF8.GetBytes(builder.Append(']').ToString());
        Assert.Equal(bytes, body.Length);
        return body;
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static async Task AssertTooLargeAsync(HttpResponseMessage response, string named)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A body stream that does not know its length, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
