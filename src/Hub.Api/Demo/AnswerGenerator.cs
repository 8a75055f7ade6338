using System.Net;
using System.Text;
using System.Text.Json;
using Hub.Api.Publishing.Streaming;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Hub.Api.Demo;

/// <summary>
/// A stand-in for an LLM, for the demo page in Development: it streams a canned answer into a topic at a
/// steady rate, as OpenAI-compatible SSE chunks ending in <c>data: [DONE]</c>, through the hub's real
/// streamed-publish path — an HTTP request to this very node, exactly what the curl recipe sends.
/// </summary>
public sealed partial class AnswerGenerator(IServer server, IHostApplicationLifetime lifetime, ILogger<AnswerGenerator> logger) : IDisposable
{
    /// <summary>Most answers being generated at once; the demo needs a handful.</summary>
    public const int MaxRunning = 16;

    internal const string Answer =
        "Server-Sent Events keep one HTTP response open and write each event into it as it happens. " +
        "A streamed answer is just a topic whose events are its chunks: every viewer opens the topic from the start, " +
        "gets the answer so far, and then each new chunk as it is written. When the connection drops or the page reloads, " +
        "the browser sends the id of the last chunk it showed, and the hub continues right after it, on any node. " +
        "Nothing is missed, nothing is shown twice, and the chunks are added as text, so markup in them stays visible text.";

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private int _running;

    /// <summary>Starts streaming the answer into <paramref name="topic"/>; false when too many are running.</summary>
    public bool TryStart(string topic, int chunksPerSecond)
    {
        if (Interlocked.Increment(ref _running) > MaxRunning)
        {
            Interlocked.Decrement(ref _running);
            return false;
        }
        _ = RunAsync(topic, chunksPerSecond);
        return true;
    }

    /// <summary>The answer cut into word-sized chunks (a word and the space after it), as a model streams tokens.</summary>
    internal static IReadOnlyList<string> Chunks()
    {
        var words = Answer.Split(' ');
        return [.. words.Select((w, i) => i < words.Length - 1 ? w + " " : w)];
    }

    private async Task RunAsync(string topic, int chunksPerSecond)
    {
        try
        {
            using var content = new GeneratedAnswer(Chunks(), TimeSpan.FromSeconds(1.0 / chunksPerSecond), lifetime.ApplicationStopping);
            using var response = await _http.PostAsync(new Uri(SelfAddress(), $"topics/{Uri.EscapeDataString(topic)}/events"), content, lifetime.ApplicationStopping);
            if (response.StatusCode != HttpStatusCode.Created)
                LogRefused(logger, topic, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            LogFailed(logger, ex, topic);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>This node's own HTTP address, with a wildcard host turned into loopback.</summary>
    private Uri SelfAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.First();
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
            uri.Host = "127.0.0.1";
        uri.Path = "/";
        return uri.Uri;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The request body: one OpenAI-style chunk per interval, then <c>[DONE]</c>.</summary>
    private sealed class GeneratedAnswer : HttpContent
    {
        private readonly IReadOnlyList<string> _chunks;
        private readonly TimeSpan _interval;
        private readonly CancellationToken _stopping;

        public GeneratedAnswer(IReadOnlyList<string> chunks, TimeSpan interval, CancellationToken stopping)
        {
            _chunks = chunks;
            _interval = interval;
            _stopping = stopping;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(StreamPublishHandler.EventStreamMediaType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
            using var timer = new PeriodicTimer(_interval);
            foreach (var chunk in _chunks)
            {
                var json = JsonSerializer.Serialize(new { choices = new[] { new { delta = new { content = chunk } } } });
                await stream.WriteAsync(Encoding.UTF8.GetBytes($"data: {json}\n\n"), cancel.Token);
                await stream.FlushAsync(cancel.Token);
                await timer.WaitForNextTickAsync(cancel.Token);
            }
            await stream.WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancel.Token);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo answer for topic {Topic} was refused with {Status}: {Problem}")]
    private static partial void LogRefused(ILogger logger, string topic, int status, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo answer for topic {Topic} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic);
}
