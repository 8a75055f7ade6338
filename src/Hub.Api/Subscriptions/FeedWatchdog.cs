using Microsoft.Extensions.Options;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Notices, within seconds, what the best-effort stream can lose: a subscription the cluster removed
/// behind the node's back, or a last event that never arrived. Periodically (and at once when the
/// node's gateway connections change) it re-checks every active feed's subscription and compares the
/// node's last sequence with the topic's head, delivering anything missing from the log.
/// </summary>
public sealed partial class FeedWatchdog(
    TopicFeeds feeds,
    IOptions<SubscriptionOptions> options,
    ILogger<FeedWatchdog> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Runs a check now instead of at the next period (gateway count changed).</summary>
    public void CheckSoon()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke it already.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(options.Value.HeadCheckInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            foreach (var feed in feeds.Snapshot())
            {
                try
                {
                    await feed.Ready.WaitAsync(stoppingToken);
                    await feed.EnsureSubscribedAsync();
                    await feed.CatchUpWithHeadAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogCheckFailed(logger, ex, feed.Topic);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the feed of topic {Topic} failed; trying again next period")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string topic);
}
