using System.Net;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>Hostile publishes and subscriptions against a hub with default settings (Development, anonymous publishing).</summary>
public sealed class HostileInputTests(HostileInputTests.Fixture hub) : IClassFixture<HostileInputTests.Fixture>
{
    private const string Topic = "hostile";

    public sealed class Fixture : Xunit.IAsyncLifetime
    {
        public HubServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = await HubServer.StartAsync();
            await Server.Client.PublishAsync(Topic, "the one good event");
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private HttpClient Client => hub.Server.Client;

    public static TheoryData<string, string?, byte[]> HostileBodies() => new()
    {
        { "truncated JSON", "application/json", Utf8("""{"type":"status","data":"abc""") },
        { "malformed JSON", "application/json", Utf8("""{type: status, data: 'x'}""") },
        { "trailing garbage", "application/json", Utf8("""{"type":"status","data":"x"} {}""") },
        { "empty JSON body", "application/json", [] },
        { "JSON null", "application/json", Utf8("null") },
        { "array of strings", "application/json", Utf8("""["a","b"]""") },
        { "deeply nested", "application/json", Utf8("""{"type":"t","data":""" + new string('[', 5000) + new string(']', 5000) + "}") },
        { "no data", "application/json", Utf8("""{"type":"status"}""") },
        { "type not a string", "application/json", Utf8("""{"type":5,"data":"x"}""") },
        { "reserved type", "application/json", Utf8("""{"type":"hub.reset","data":"x"}""") },
        { "CR LF in type", "application/json", Utf8("{\"type\":\"a\\r\\nid: 999\\r\\n\\r\\nevent: x\",\"data\":\"x\"}") },
        { "LF in type", "application/json", Utf8("{\"type\":\"a\\nretry: 1\",\"data\":\"x\"}") },
        { "NUL in type", "application/json", Utf8("{\"type\":\"a\\u0000b\",\"data\":\"x\"}") },
        { "NUL in data", "application/json", Utf8("{\"type\":\"a\",\"data\":\"x\\u0000y\"}") },
        { "lone surrogate in data", "application/json", Utf8("{\"type\":\"a\",\"data\":\"x\\ud800y\"}") },
        { "lone surrogate in nested data", "application/json", Utf8("{\"type\":\"a\",\"data\":{\"k\":\"\\udc00\"}}") },
        { "invalid UTF-8 in JSON", "application/json", [.. Utf8("{\"type\":\"a\",\"data\":\""), 0xC3, 0x28, 0xFF, .. Utf8("\"}")] },
        { "invalid UTF-8 text", "text/plain", [0x61, 0xFF, 0xFE, 0x62] },
        { "truncated UTF-8 text", "text/plain", [0x61, 0xE2, 0x82] },
        { "NUL in text", "text/plain", [0x61, 0x00, 0x62] },
        { "empty text", "text/plain", [] },
        { "oversized text", "text/plain", Utf8(new string('x', 70_000)) },
        { "XML", "application/xml", Utf8("<event/>") },
        { "form", "application/x-www-form-urlencoded", Utf8("type=a&data=b") },
        { "multipart", "multipart/form-data; boundary=x", Utf8("--x\r\n\r\nhi\r\n--x--") },
        { "no content type", null, Utf8("""{"type":"a","data":"b"}""") },
        { "octet stream", "application/octet-stream", Utf8("""{"type":"a","data":"b"}""") },
        { "HTML", "text/html", Utf8("<b>x</b>") },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Publish_HostileBody_Is4xxAndHistoryIntact(string kind, string? contentType, byte[] body)
    {
        var before = await Tokens.HistoryAsync(Client, Topic);
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await Client.PostAsync($"topics/{Topic}/events", content);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{kind}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before, await Tokens.HistoryAsync(Client, Topic));
    }

    [Fact]
    public async Task Publish_TypeInQueryWithLineBreaks_Is400()
    {
        using var content = new StringContent("x", Encoding.UTF8, "text/plain");
        using var response = await Client.PostAsync($"topics/{Topic}/events?type=a%0d%0aid:%20evil", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    public static TheoryData<string> HostileTopics() =>
    [
        "..%2Fsecret", "%2e%2e", "%2e%2e%2fsecret", "%252e%252e", "%252e%252e%252fsecret", "..", ".hidden", "a%00b",
        "a%0d%0aid:%20x", "a%20b", "a%2Fb", "%C3%A9", "%FF%FE", new string('t', 129), new string('t', 10_000), "a*b", "<script>",
    ];

    [Theory]
    [MemberData(nameof(HostileTopics))]
    public async Task HostileTopicNames_Are4xxOnEveryPath(string topic)
    {
        var before = await Tokens.HistoryAsync(Client, Topic);
        using var content = new StringContent("""{"type":"a","data":"b"}""", Encoding.UTF8, "application/json");
        using var publish = await Client.PostAsync($"topics/{topic}/events", content);
        using var subscribe = await Client.SendAsync(Tokens.Get($"topics/{topic}/events", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var multi = await Client.SendAsync(Tokens.Get($"events?topic={topic}", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        using var history = await Client.SendAsync(Tokens.Get($"topics/{topic}/events?after=0"));
        using var info = await Client.SendAsync(Tokens.Get($"topics/{topic}"));
        foreach (var response in new[] { publish, subscribe, multi, history, info })
        {
            // "topics/.." is resolved by the client itself to "/", the demo page: no topic endpoint is reached.
            if (response.RequestMessage!.RequestUri!.AbsolutePath == "/")
                continue;
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode}");
        }
        Assert.Equal(before, await Tokens.HistoryAsync(Client, Topic));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("earliest\r\nid: 1")]
    [InlineData("zzzz.zzzz:99999999999999999999999999")]
    [InlineData("-1")]
    [InlineData("%00")]
    public async Task HostileCursors_Are400(string cursor)
    {
        using var query = await Client.SendAsync(Tokens.Get($"topics/{Topic}/events?lastEventId={Uri.EscapeDataString(cursor)}", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
    }

    [Fact]
    public async Task VeryLongCursor_Is4xx()
    {
        using var request = Tokens.Get($"topics/{Topic}/events", accept: "text/event-stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", new string('a', 5_000));
        using var header = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var query = await Client.SendAsync(Tokens.Get($"topics/{Topic}/events?lastEventId={new string('a', 5_000)}", accept: "text/event-stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, header.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
    }

    [Fact]
    public async Task LineBreaksInData_CannotInjectFields_OnTheRawStream()
    {
        const string topic = "hostile-raw";
        const string payload = "first\r\n\r\nid: 999\r\nevent: evil\nretry: 1\rdata: forged\n\nlast";
        using var response = await Client.SendAsync(RawSse.Subscribe($"topics/{topic}/events?lastEventId=earliest"), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reading = RawSse.ReadUntilAsync(response, "data: END-MARKER", TimeSpan.FromSeconds(15));
        await Client.PublishAsync(topic, payload);
        await Client.PublishAsync(topic, "END-MARKER");
        var raw = await reading;

        string[] allowed = ["retry: ", "id: ", "event: ", "data: ", ": "];
        var lines = raw.Split('\n');
        Assert.DoesNotContain('\r', raw);
        Assert.All(lines, line => Assert.True(line.Length == 0 || allowed.Any(p => line.StartsWith(p, StringComparison.Ordinal)), $"unexpected line '{line}'"));
        Assert.Single(lines, l => l.StartsWith("retry: ", StringComparison.Ordinal));
        Assert.DoesNotContain("id: 999", lines);
        Assert.DoesNotContain("event: evil", lines);
        Assert.Equal(2, lines.Count(l => l == "event: status"));
        Assert.Contains("data: id: 999", lines);
        Assert.Contains("data: retry: 1", lines);

        // What an EventSource makes of it: the payload, line breaks normalised to LF, as one event.
        await using var stream = await SseStream.OpenAsync(Client, $"topics/{topic}/events?lastEventId=earliest");
        var received = await stream.NextAsync();
        Assert.Equal("status", received.EventType);
        Assert.Equal(payload.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), received.Data);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
