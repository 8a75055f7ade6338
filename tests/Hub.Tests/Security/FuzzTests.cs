using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hub.Tests.Infrastructure;
using Xunit;

namespace Hub.Tests.Security;

/// <summary>
/// Thousands of seeded random publishes, subscriptions and history reads: none may answer 5xx, the
/// stored history must be exactly the accepted events, and the hub must still work afterwards.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 20_251_101;
    private const int Requests = 3_000;
    private const int Parallelism = 4;

    private static readonly string[] Topics = ["fz", "fz.a", "fz-b", "fz:c", "fz~d"];

    private static readonly string[] TopicNoise =
    [
        "", "..", "%2e%2e", "..%2F", "%252e", "%00", "%0d%0a", "a b", "a/b", "*", "\u00e9", ".x", new string('t', 129), "ok", "x%20y",
    ];

    private static readonly string[] ContentTypes =
        ["application/json", "text/plain", "text/plain; charset=utf-8", "application/xml", "application/octet-stream", "", "application/json; charset=utf-16", "application/problem+json"];

    private static readonly string[] JsonShapes =
    [
        """{"type":"status","data":"ok"}""", """{"type":"status","data":{"a":[1,2,{"b":null}]}}""", """[{"type":"a","data":"1"},{"data":"2"}]""",
        """{"data":"x\r\nid: 9\r\n\r\n"}""", """{"type":"a\nb","data":"x"}""", """{"type":"hub.x","data":"x"}""", """{"data":"\u0000"}""",
        """{"data":"\ud800"}""", """[]""", """{}""", """null""", """{"type":"t","data":""}""",
    ];

    [Fact]
    public async Task RandomRequests_NeverGive5xx_AndHistoryHoldsExactlyTheAcceptedEvents()
    {
        await using var server = await HubServer.StartAsync(new Dictionary<string, string?>
        {
            // The limits are tested elsewhere; here every request should reach the validation it probes.
            ["Hub:Limits:PublishRequestsPerSecond"] = "0",
            ["Hub:Limits:MaxConnectionsPerClient"] = "0",
        });
        var accepted = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();

        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            // One Random per request, seeded from the run's seed and the index: reproducible whatever the scheduling.
            var random = new Random(Seed + i);
            using var request = RandomRequest(random, out var topic, out var isPublish, out var isStream);
            var description = $"#{i} {request.Method} {request.RequestUri}";
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500)
                failures.Add($"{description}: {status} {await response.Content.ReadAsStringAsync(timeout.Token)}");
            else if (isPublish && status == 201)
            {
                var events = Count(await response.Content.ReadAsStringAsync(timeout.Token));
                accepted.AddOrUpdate(topic, events, (_, n) => n + events);
            }
            else if (isStream && status == 200)
                Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType); // accepted cursor: drop the stream
        });

        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(20)));
        // Noise that happens to be a valid name ("ok") may be accepted too; every accepted path must hold exactly its events.
        foreach (var topic in Topics.Concat(accepted.Keys).Distinct())
        {
            var history = await Tokens.HistoryAsync(server.Client, topic);
            var expected = accepted.GetValueOrDefault(topic);
            Assert.Equal(expected, history.Count);
            Assert.Equal(Enumerable.Range(1, expected).Select(n => (long)n), history.Select(e => e.Sequence));
        }
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 5, "the fuzzer should hit many kinds of refusal: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));

        // Still serving: a subscriber receives a fresh publish.
        await using var stream = await SseStream.OpenAsync(server.Client, "topics/fz-after/events?lastEventId=earliest");
        await server.Client.PublishAsync("fz-after", "still alive");
        Assert.Equal("still alive", (await stream.NextAsync()).Data);
    }

    private static int Count(string created) => created.TrimStart().StartsWith('[') ? created.Split("\"sequence\"").Length - 1 : 1;

    private static HttpRequestMessage RandomRequest(Random random, out string topic, out bool isPublish, out bool isStream)
    {
        var valid = random.Next(4) > 0;
        var path = valid ? Topics[random.Next(Topics.Length)] : Mutate(random, TopicNoise[random.Next(TopicNoise.Length)]);
        topic = path;
        isPublish = false;
        isStream = false;
        HttpRequestMessage request;
        switch (random.Next(5))
        {
            case 0:
            case 1:
                isPublish = true;
                request = new HttpRequestMessage(HttpMethod.Post, $"topics/{path}/events{RandomTypeQuery(random)}") { Content = RandomBody(random) };
                break;
            case 2:
                isStream = true;
                request = new HttpRequestMessage(HttpMethod.Get, $"topics/{path}/events");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                request.Headers.TryAddWithoutValidation("Last-Event-ID", RandomCursor(random));
                break;
            case 3:
                isStream = true;
                request = new HttpRequestMessage(HttpMethod.Get, $"events?topic={path}&topic={Topics[random.Next(Topics.Length)]}&lastEventId={Uri.EscapeDataString(RandomCursor(random))}");
                break;
            default:
                request = new HttpRequestMessage(HttpMethod.Get, $"topics/{path}/events?after={RandomNumber(random)}&limit={RandomNumber(random)}");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                break;
        }
        if (random.Next(8) == 0)
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + RandomAscii(random, random.Next(0, 300)));
        return request;
    }

    private static ByteArrayContent RandomBody(Random random)
    {
        byte[] body = random.Next(4) switch
        {
            0 => RandomBytes(random, random.Next(0, 200)),
            1 => Mutate(random, Encoding.UTF8.GetBytes(JsonShapes[random.Next(JsonShapes.Length)])),
            _ => Encoding.UTF8.GetBytes(JsonShapes[random.Next(JsonShapes.Length)]),
        };
        var content = new ByteArrayContent(body);
        var type = ContentTypes[random.Next(ContentTypes.Length)];
        if (type.Length > 0)
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    private static string RandomTypeQuery(Random random) => random.Next(3) switch
    {
        0 => "",
        1 => "?type=" + Uri.EscapeDataString(RandomAscii(random, random.Next(0, 80))),
        _ => "?type=note",
    };

    private static string RandomCursor(Random random) => random.Next(4) switch
    {
        0 => "earliest",
        1 => RandomAscii(random, random.Next(0, 5_000)),
        2 => $"{RandomAscii(random, 6)}.{RandomAscii(random, 8)}:{RandomNumber(random)}",
        _ => "",
    };

    private static string RandomNumber(Random random) => random.Next(5) switch
    {
        0 => "-1",
        1 => "99999999999999999999999",
        2 => "abc",
        _ => random.Next(0, 2_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Printable ASCII and a few separators: what can travel in a header or, escaped, a query.</summary>
    private static string RandomAscii(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
            chars[i] = (char)random.Next(0x21, 0x7F);
        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] bytes)
    {
        if (bytes.Length == 0)
            return bytes;
        var copy = random.Next(3) == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
        for (var n = random.Next(0, 4); n > 0 && copy.Length > 0; n--)
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    private static string Mutate(Random random, string text) =>
        random.Next(3) == 0 && text.Length > 0 ? text.Insert(random.Next(text.Length), "%" + random.Next(256).ToString("X2", System.Globalization.CultureInfo.InvariantCulture)) : text;
}
