using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Client.History;
using Hub.Client.Http;
using Hub.Client.Publishing;
using Hub.Client.Subscribing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hub.Client;

/// <summary>
/// A client of one hub over an <see cref="HttpClient"/>: publish (idempotent retries), subscribe (SSE with
/// exact automatic resume) and read history. Thread-safe; one instance can serve a whole application.
/// The <see cref="HttpClient"/>'s own <see cref="HttpClient.Timeout"/> should be infinite or long:
/// requests are timed by <see cref="HubClientOptions.RequestTimeout"/> and streams stay open.
/// </summary>
public sealed class HubClient
{
    /// <summary>The longest long-poll the hub accepts.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private readonly HubRequests _requests;

    /// <summary>A client over <paramref name="httpClient"/> (its base address is the hub's unless <see cref="HubClientOptions.BaseAddress"/> is set).</summary>
    public HubClient(HttpClient httpClient, HubClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options ??= new HubClientOptions();
        options.Validate();
        if (options.BaseAddress is null && httpClient.BaseAddress is null)
            throw new InvalidOperationException("Set HubClientOptions.BaseAddress or the HttpClient's BaseAddress to the hub's address.");
        _requests = new HubRequests(httpClient, options);
    }

    /// <summary>The constructor used by <c>services.AddHubClient(…)</c>.</summary>
    [ActivatorUtilitiesConstructor]
    public HubClient(HttpClient httpClient, IOptions<HubClientOptions> options)
        : this(httpClient, options?.Value) { }

    /// <summary>Publishes one event with text data.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="type">The event type.</param>
    /// <param name="data">The data.</param>
    /// <param name="idempotencyKey">The key of this logical publish (your own id such as <c>order-42-paid</c>); a new one when null. Every retry reuses it.</param>
    /// <param name="cancellationToken">Stops retrying.</param>
    public Task<PublishResult> PublishAsync(string topic, string type, string data, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        PublishAsync(topic, HubMessage.Text(type, data), idempotencyKey, cancellationToken);

    /// <summary>Publishes one event whose data is <paramref name="data"/> serialised as JSON (with <see cref="HubClientOptions.SerializerOptions"/>).</summary>
    public Task<PublishResult> PublishAsync<T>(string topic, string type, T data, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        PublishAsync(topic, HubMessage.Json(type, data, _requests.Options.SerializerOptions), idempotencyKey, cancellationToken);

    /// <summary>Publishes one event.</summary>
    public async Task<PublishResult> PublishAsync(string topic, HubMessage message, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = Serialize(writer => message.WriteTo(writer));
        return await PostAsync(topic, body, idempotencyKey, async (response, ct) =>
            (await response.Content.ReadFromJsonAsync<PublishResult>(JsonSerializerOptions.Web, ct))!, cancellationToken);
    }

    /// <summary>
    /// Publishes a batch: stored all-or-nothing, with consecutive sequences. One key covers the batch, so a
    /// retry returns the original results.
    /// </summary>
    public async Task<IReadOnlyList<PublishResult>> PublishBatchAsync(string topic, IEnumerable<HubMessage> messages, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        if (list.Count == 0)
            throw new ArgumentException("A batch needs at least one event.", nameof(messages));
        var body = Serialize(writer =>
        {
            writer.WriteStartArray();
            foreach (var message in list)
                message.WriteTo(writer);
            writer.WriteEndArray();
        });
        return await PostAsync<IReadOnlyList<PublishResult>>(topic, body, idempotencyKey, async (response, ct) =>
            (await response.Content.ReadFromJsonAsync<PublishResult[]>(JsonSerializerOptions.Web, ct))!, cancellationToken);
    }

    /// <summary>
    /// Subscribes to <paramref name="topics"/> on one connection. Enumerate the result to receive events;
    /// it reconnects by itself from <see cref="HubSubscription.Cursor"/> and ends when <paramref name="cancellationToken"/>
    /// (or the enumeration's own token) is cancelled.
    /// </summary>
    public HubSubscription SubscribeAsync(IEnumerable<string> topics, SubscribeFrom from = default, CancellationToken cancellationToken = default) =>
        new(_requests, topics, from, cancellationToken);

    /// <summary>Subscribes to one topic.</summary>
    public HubSubscription SubscribeAsync(string topic, SubscribeFrom from = default, CancellationToken cancellationToken = default) =>
        SubscribeAsync([topic], from, cancellationToken);

    /// <summary>A page of <paramref name="topic"/>'s history: the events after sequence <paramref name="after"/>, at most <paramref name="limit"/> (the hub's default when null).</summary>
    public Task<HistoryPage> GetEventsAsync(string topic, long after = 0, int? limit = null, CancellationToken cancellationToken = default) =>
        GetPageAsync(topic, after, limit, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// A long-poll: the events after <paramref name="after"/>, waiting up to <paramref name="wait"/> (at most
    /// <see cref="MaxWait"/>) for one to exist. An empty page means none arrived in time.
    /// </summary>
    public Task<HistoryPage> WaitForEventsAsync(string topic, long after, TimeSpan wait, int? limit = null, CancellationToken cancellationToken = default)
    {
        if (wait < TimeSpan.Zero || wait > MaxWait)
            throw new ArgumentOutOfRangeException(nameof(wait), wait, $"Wait between 0 and {MaxWait}.");
        return GetPageAsync(topic, after, limit, wait, cancellationToken);
    }

    private Task<T> PostAsync<T>(string topic, byte[] body, string? idempotencyKey, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        // One key per logical publish, decided before the first attempt: every retry carries it, so the hub stores it once.
        var key = idempotencyKey ?? Guid.NewGuid().ToString("N");
        var uri = _requests.Resolve($"topics/{Uri.EscapeDataString(topic)}/events");
        return _requests.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return request;
        }, _requests.Options.MaxPublishAttempts, _requests.Options.RequestTimeout, read, cancellationToken);
    }

    private Task<HistoryPage> GetPageAsync(string topic, long after, int? limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        var query = $"topics/{Uri.EscapeDataString(topic)}/events?after={after.ToString(CultureInfo.InvariantCulture)}";
        if (limit is { } n)
            query += $"&limit={n.ToString(CultureInfo.InvariantCulture)}";
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        if (seconds > 0)
            query += $"&wait={seconds.ToString(CultureInfo.InvariantCulture)}";
        var uri = _requests.Resolve(query);
        return _requests.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("application/json");
            return request;
        }, _requests.Options.MaxPublishAttempts, _requests.Options.RequestTimeout + TimeSpan.FromSeconds(seconds), async (response, ct) =>
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return HistoryPages.Read(document.RootElement, after);
        }, cancellationToken);
    }

    private static byte[] Serialize(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        return buffer.ToArray();
    }
}
