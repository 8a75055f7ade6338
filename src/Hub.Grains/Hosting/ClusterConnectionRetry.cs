using Microsoft.Extensions.Logging;

namespace Hub.Grains.Hosting;

/// <summary>
/// Keeps an Orleans client (an API node) trying to reach its cluster until it connects or its host is
/// stopped. Without it the first failed attempt ends the node's start: an API node started before its
/// silos (or while they join) would exit and stay down unless something restarts it. Each failed attempt
/// is logged with its number, so an operator sees a node that waits rather than one that hangs.
/// </summary>
public sealed partial class ClusterConnectionRetry(ILogger<ClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    /// <summary>The first retry waits this long; each next one twice as long, up to <see cref="MaxDelay"/>.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>Short enough that a node comes up within seconds of its silos, long enough not to flood Redis.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    // Orleans calls the filter from one connect loop at a time; the count only ever grows.
    private int _attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var attempt = ++_attempt;
        if (cancellationToken.IsCancellationRequested)
        {
            LogGivingUp(logger, attempt, exception.Message);
            return false;
        }
        var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(attempt - 1, 16)));
        LogRetrying(logger, attempt, exception.GetType().Name, exception.Message, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogGivingUp(logger, attempt, exception.Message);
            return false;
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster connection attempt {Attempt} failed ({ErrorType}: {Error}); retrying in {DelaySeconds} s")]
    private static partial void LogRetrying(ILogger logger, int attempt, string errorType, string error, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster connection attempt {Attempt} failed ({Error}) and the node is stopping: no more attempts")]
    private static partial void LogGivingUp(ILogger logger, int attempt, string error);
}
