namespace Hub.Api.Subscriptions;

/// <summary>The request handler's part of a live connection, the same for every protocol served by the fan-out.</summary>
public static class SseLiveLoop
{
    /// <summary>
    /// Moves <paramref name="connection"/> (answering <paramref name="context"/>) live and waits until it ends, letting
    /// <paramref name="catchUpFromLog"/> replay a topic (by index) from the log whenever the feed cannot
    /// serve it: it fell behind while replaying, or the topic's epoch changed. A drained connection's
    /// goodbye <c>retry:</c> is written last.
    /// </summary>
    public static async Task RunLiveAsync(this SseConnection connection, HttpContext context, Func<int, CancellationToken, Task> catchUpFromLog)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(catchUpFromLog);
        while (true)
        {
            var needsLog = connection.GoLive();
            if (needsLog >= 0)
            {
                await catchUpFromLog(needsLog, context.RequestAborted);
                continue;
            }
            if (await connection.WaitAsync())
                break;
            await catchUpFromLog(connection.TopicNeedingLog, context.RequestAborted);
        }
        if (connection.Goodbye is { } goodbye && !context.RequestAborted.IsCancellationRequested)
            await context.Response.BodyWriter.WriteAsync(goodbye, context.RequestAborted);
    }
}
