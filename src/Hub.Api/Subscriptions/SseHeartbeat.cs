using Hub.Api.Sse;
using Microsoft.Extensions.Options;

namespace Hub.Api.Subscriptions;

/// <summary>
/// One timer for the whole node, instead of one per connection: asks every connection that has been
/// silent for the heartbeat interval to write a keep-alive comment, and on shutdown closes every
/// connection so streams end cleanly instead of being cut.
/// </summary>
public sealed class SseHeartbeat(SseConnections connections, IOptions<SseOptions> options, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // ApplicationStopping fires before Kestrel waits for open requests to finish, so streams end at
        // once instead of holding shutdown until its timeout.
        using var onStopping = lifetime.ApplicationStopping.Register(CloseAll);
        var interval = options.Value.HeartbeatInterval;
        // Tick a few times per interval so no connection stays silent much longer than the interval.
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(interval.Ticks / 4, TimeSpan.TicksPerMillisecond * 25)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var silentSince = Environment.TickCount64 - (long)interval.TotalMilliseconds;
                foreach (var connection in connections.All)
                {
                    if (connection.LastWrite <= silentSince)
                        connection.EnqueueKeepAlive();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CloseAll()
    {
        foreach (var connection in connections.All)
            connection.Close(ConnectionCloseReason.ServerShutdown);
    }
}
