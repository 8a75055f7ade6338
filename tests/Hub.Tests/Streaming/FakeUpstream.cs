using System.Text;
using Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hub.Tests.Streaming;

/// <summary>
/// A stand-in for an LLM API's streaming endpoint: a real Kestrel on loopback whose <c>GET /answer</c>
/// writes the given SSE chunks one by one, flushing after each, as an upstream streams its answer.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<FakeUpstream> StartAsync(IReadOnlyList<string> chunks)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var port = FreePort.Next();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/answer", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var chunk in chunks)
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(chunk));
                await context.Response.Body.FlushAsync();
            }
        });
        await app.StartAsync();
        return new FakeUpstream(app, new Uri($"http://127.0.0.1:{port}/answer"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
