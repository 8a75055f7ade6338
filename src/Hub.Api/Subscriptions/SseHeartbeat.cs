using Hub.Api.Sse;
using Microsoft.Extensions.Options;

namespace Hub.Api.Subscriptions;

/// <summary>
/// One timer for the whole node, instead of one per connection: writes a keep-alive comment straight
/// into every idle connection that has been silent for the heartbeat interval, and drains connections
/// that reached their maximum lifetime.
/// </summary>
public sealed class SseHeartbeat(SseConnections connections, IOptions<SseOptions> options, ConnectionDrainer drainer) : BackgroundService
{
    private const int KeepAliveBatch = 128;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeartbeatInterval;
        // Tick a few times per interval so no connection stays silent much longer than the interval.
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(interval.Ticks / 4, TimeSpan.TicksPerMillisecond * 25)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var silentSince = Environment.TickCount64 - (long)interval.TotalMilliseconds;
                var written = 0;
                foreach (var connection in connections.All)
                {
                    // Connections opened together fall silent together. Each write takes a buffer from
                    // Kestrel's pool until its send completes, so a pause between batches lets the blocks
                    // come back instead of growing the pool by one block per connection (measured).
                    if (connection.KeepAliveIfSilent(silentSince) && ++written % KeepAliveBatch == 0)
                        await Task.Delay(1, stoppingToken);
                }
                drainer.EndExpiredConnections();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
