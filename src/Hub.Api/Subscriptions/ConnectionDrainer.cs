using Hub.Api.Http;
using Hub.Api.Sse;
using Microsoft.Extensions.Options;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Graceful drain. When the host begins to stop (SIGTERM), the node turns unready, turns new
/// subscriptions away (<see cref="TurnAwayAsync"/>), and ends its open connections spread over
/// <see cref="DrainOptions.Window"/>, each with a jittered <c>retry:</c>, so clients come back to other
/// nodes a few at a time and resume by cursor: no storm, no lost or repeated event.
/// </summary>
public sealed partial class ConnectionDrainer(
    SseConnections connections,
    IOptions<DrainOptions> drainOptions,
    IOptions<SseOptions> sseOptions,
    IHostApplicationLifetime lifetime,
    ILogger<ConnectionDrainer> logger) : IHostedService
{
    private readonly DrainOptions _options = drainOptions.Value;
    private readonly CancellationTokenSource _stopped = new();
    private CancellationTokenRegistration _onStopping;
    private volatile bool _draining;

    /// <summary>
    /// The request header the deployed nginx sets on every request it passes on (<c>deploy/nginx.conf</c>):
    /// it retries a 503 on another node and never shows it to a browser.
    /// </summary>
    public const string BalancerHeader = "X-Hub-Balancer";

    public bool IsDraining => _draining;

    /// <summary>
    /// Answers a new subscription on a draining node (the response's stream headers already set). Behind a
    /// balancer that says it retries (<see cref="BalancerHeader"/>: <c>retry</c>) a 503 with Retry-After, so
    /// the balancer takes the subscription to another node at once; otherwise an open stream with only a
    /// jittered <c>retry:</c>, because a 503 would end a browser's EventSource for good. Kestrel stops taking
    /// connections soon after the drain starts; this covers the requests that arrive before it does.
    /// </summary>
    public async Task TurnAwayAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.Equals(context.Request.Headers[BalancerHeader], "retry", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.Unavailable(context, "This node is draining; the balancer retries the subscription on another node.").ExecuteAsync(context);
            return;
        }
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.BodyWriter.WriteAsync(JitteredRetry(), context.RequestAborted);
    }

    /// <summary>A <c>retry:</c> between half and one and a half times the configured one, so returns spread out.</summary>
    public byte[] JitteredRetry()
    {
        var retry = sseOptions.Value.RetryMilliseconds;
        return SseFormat.Retry(retry / 2 + Random.Shared.Next(Math.Max(retry, 1)));
    }

    /// <summary>True when <paramref name="exception"/> only means the client went away.</summary>
    public static bool IsClientGone(Exception exception, HttpContext context) =>
        exception is IOException or OperationCanceledException || context.RequestAborted.IsCancellationRequested;

    /// <summary>
    /// Ends a stream that failed (typically the cluster failing over) with a jittered <c>retry:</c>, starting
    /// the response if need be: a 503 would end EventSource for good, an ended stream makes the client come
    /// back with its last id.
    /// </summary>
    public async Task EndFailedAsync(HttpContext context, SseConnection connection, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(connection);
        connection.Close(ConnectionCloseReason.SubscribeFailed);
        LogStreamFailed(logger, exception, connection.Id);
        try
        {
            if (!context.Response.HasStarted)
                await context.Response.StartAsync(context.RequestAborted);
            await context.Response.BodyWriter.WriteAsync(JitteredRetry(), context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone already.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires before Kestrel starts waiting for open requests, and Kestrel waits
        // for them (up to the host's shutdown timeout, raised to cover the window) while we drain.
        _onStopping = lifetime.ApplicationStopping.Register(() => _ = DrainAllAsync());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _onStopping.DisposeAsync();
        await _stopped.CancelAsync();
    }

    /// <summary>Drains connections past their maximum lifetime (called by the node's heartbeat tick).</summary>
    public void EndExpiredConnections()
    {
        if (_options.MaxConnectionLifetime is not { } max)
            return;
        var now = Environment.TickCount64;
        foreach (var connection in connections.All)
        {
            if (now - connection.OpenedAt >= LifetimeOf(connection.Id, max).TotalMilliseconds)
                connection.Drain(ConnectionCloseReason.LifetimeEnded, JitteredRetry());
        }
    }

    /// <summary>
    /// A connection's maximum lifetime with a per-connection jitter of ±10 %, stable for the connection
    /// (derived from its id), so connections opened together do not all end together.
    /// </summary>
    internal static TimeSpan LifetimeOf(long connectionId, TimeSpan max) =>
        max * (0.9 + (connectionId * 2654435761 % 1000) / 5000.0);

    private async Task DrainAllAsync()
    {
        _draining = true;
        var open = connections.All.ToArray();
        Random.Shared.Shuffle(open);
        LogDraining(logger, open.Length, _options.Window);
        var step = open.Length > 0 ? _options.Window / open.Length : TimeSpan.Zero;
        var started = DateTime.UtcNow;
        for (var i = 0; i < open.Length; i++)
        {
            var due = started + step * i - DateTime.UtcNow;
            if (due > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(due, _stopped.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            open[i].Drain(ConnectionCloseReason.Draining, JitteredRetry());
        }
        // Whatever is still open when time is up (or the host gave up waiting) ends now.
        foreach (var connection in connections.All)
            connection.Drain(ConnectionCloseReason.Draining, JitteredRetry());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining {Connections} SSE connection(s) over {Window}; clients will resume on other nodes")]
    private static partial void LogDraining(ILogger logger, int connections, TimeSpan window);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} ended by an error; the client will resume from its last id")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception, long connectionId);
}
