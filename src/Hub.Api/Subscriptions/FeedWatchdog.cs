using Microsoft.Extensions.Options;

namespace Hub.Api.Subscriptions;

/// <summary>
/// Notices, within seconds, what the best-effort stream can lose: a subscription the cluster removed
/// behind the node's back, or a last event that never arrived. Periodically (and at once when the
/// node's gateway connections change) it re-checks every active feed's subscription and compares the
/// node's last sequence with the topic's head, delivering anything missing from the log. Feeds are
/// checked <see cref="MaxConcurrentChecks"/> at a time; stopped feeds are skipped.
/// </summary>
public sealed partial class FeedWatchdog(
    TopicFeeds feeds,
    IOptions<SubscriptionOptions> options,
    ILogger<FeedWatchdog> logger) : BackgroundService
{
    /// <summary>Feeds checked at once during a pass.</summary>
    internal const int MaxConcurrentChecks = 16;

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
            try
            {
                // Each check is a grain call or two: one at a time, thousands of topics would take longer
                // than the period. A bound keeps a pass from flooding the cluster all at once.
                await Parallel.ForEachAsync(
                    feeds.Snapshot(),
                    new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentChecks, CancellationToken = stoppingToken },
                    CheckAsync);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async ValueTask CheckAsync(TopicFeed feed, CancellationToken stoppingToken)
    {
        // The snapshot may hold feeds released since it was taken: a stopped feed is done, not broken.
        if (feed.IsStopped)
            return;
        try
        {
            await feed.Ready.WaitAsync(stoppingToken);
            await feed.EnsureSubscribedAsync();
            await feed.CatchUpWithHeadAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A feed that stopped while being checked (its start cut short, its last listener gone) is not a failure.
            if (!feed.IsStopped)
                LogCheckFailed(logger, ex, feed.Topic);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the feed of topic {Topic} failed; trying again next period")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string topic);
}
