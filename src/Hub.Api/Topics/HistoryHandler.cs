using Hub.Api.Cursors;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Api.Subscriptions;
using Hub.Grains.Contracts;

namespace Hub.Api.Topics;

/// <summary>
/// <c>GET /topics/{topic}/events</c> with <c>Accept: application/json</c>: a page of events after a
/// sequence, and with <c>wait</c> a long-poll that answers as soon as a newer event exists. The
/// fallback for clients and proxies that cannot hold an SSE stream.
/// </summary>
public sealed class HistoryHandler(IGrainFactory grains, TopicFeeds feeds, TopicAccess access, ClientReadLimit readLimit, ClientConnectionLimiter clientLimits)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;
    public const int MaxWaitSeconds = 60;

    public async Task<IResult> HandleAsync(HttpContext context, string topic)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await TopicReadGate.RefuseAsync(context, topic, access, readLimit) is { } refused)
            return refused;
        var query = context.Request.Query;
        if (!TryReadLong(query["after"], 0, 0, long.MaxValue, out var after))
            return Problems.BadRequest("'after' must be a sequence number (0 or more).");
        if (!TryReadLong(query["limit"], DefaultLimit, 1, MaxLimit, out var limit))
            return Problems.BadRequest($"'limit' must be a number from 1 to {MaxLimit}.");
        if (!TryReadLong(query["wait"], 0, 0, MaxWaitSeconds, out var wait))
            return Problems.BadRequest($"'wait' must be a number of seconds from 0 to {MaxWaitSeconds}.");

        // A long-poll is held like a stream, and starts a node feed like one: it takes a slot of its client's.
        using var slot = wait > 0 ? clientLimits.TryOpen(context) : null;
        if (wait > 0 && slot is null)
            return clientLimits.Refuse(context);
        try
        {
            var grain = grains.GetGrain<ITopicGrain>(topic);
            var page = await grain.ReadAfterAsync(after, (int)limit);
            if (page.Events.Count == 0 && wait > 0 && after >= page.Info.Head)
                page = await WaitForNewerAsync(grain, topic, after, (int)limit, access.WaitWithin(context, TimeSpan.FromSeconds(wait)), context.RequestAborted);
            return TypedResults.Ok(ToResponse(page, after));
        }
        catch (Exception ex) when (Problems.IsTransientClusterFailure(ex) && !context.RequestAborted.IsCancellationRequested)
        {
            return Problems.Unavailable(context, "The cluster could not answer right now. Retry shortly.");
        }
    }

    private async Task<EventPage> WaitForNewerAsync(ITopicGrain grain, string topic, long after, int limit, TimeSpan wait, CancellationToken aborted)
    {
        // Listen on the node's live feed: its next delivery ends the wait.
        var set = TopicSet.Of([topic]);
        var signal = new NextEventSignal();
        await feeds.AttachAsync(signal, set);
        try
        {
            // Re-read after attaching: an event stored between the first read and the attach is not missed.
            var page = await grain.ReadAfterAsync(after, limit);
            if (page.Events.Count > 0 || after < page.Info.Head)
                return page;
            try
            {
                await signal.Arrived.WaitAsync(wait, aborted);
            }
            catch (TimeoutException)
            {
                // Time is up: read once more and answer with whatever is there (often nothing).
            }
            return await grain.ReadAfterAsync(after, limit);
        }
        finally
        {
            feeds.Detach(signal, set);
        }
    }

    private static HistoryResponse ToResponse(EventPage page, long after)
    {
        var info = page.Info;
        var set = TopicSet.Of([info.Topic]);
        var events = page.Events.Select(e => HistoryEvent.Of(set, e)).ToArray();
        var reset = after < info.Oldest - 1 ? new ResetData(info.Topic, "retention", info.Oldest) : null;
        return new HistoryResponse(info.Topic, info.Epoch, info.Head, info.Oldest, events, reset);
    }

    private static bool TryReadLong(string? text, long fallback, long min, long max, out long value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
            return true;
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max;
    }
}
