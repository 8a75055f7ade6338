using Hub.Client.Subscribing;

namespace Hub.Client.History;

/// <summary>
/// A page of a topic's history. <see cref="Reset"/> is set when the requested position lay before the
/// retained history: the page then starts at the oldest retained event.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Epoch">The topic's log epoch (a new one means the log was lost).</param>
/// <param name="Head">The newest sequence of the topic.</param>
/// <param name="Oldest">The oldest retained sequence.</param>
/// <param name="Events">The events, in order; their <see cref="HubEvent.Id"/> is a single-topic cursor.</param>
/// <param name="Reset">Set when events before the page are gone.</param>
public sealed record HistoryPage(string Topic, string Epoch, long Head, long Oldest, IReadOnlyList<HubEvent> Events, HubResetEvent? Reset)
{
    /// <summary>The sequence to ask for next (<c>after</c>): the last event's, or the requested one when the page is empty.</summary>
    public long NextAfter { get; init; }
}
